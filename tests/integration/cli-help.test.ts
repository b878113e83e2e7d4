/** Every huika subcommand answers --help (and -h) with its usage on stdout and exit 0, before its own parser sees the flag. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { COMMANDS, main } from '../../cli/main.ts';
import { USAGE } from '../../cli/usage.ts';
import { BENCH_PARTS } from '../../bench/run.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    return { code: await main(argv), out, err };
  } finally {
    vi.restoreAllMocks();
  }
}

describe('huika <command> --help', () => {
  it.each(Object.keys(COMMANDS))('%s --help prints its usage and exits 0', async (name) => {
    expect(USAGE[name], `cli/usage.ts has no usage for "${name}"`).toBeDefined();
    for (const flag of ['--help', '-h']) {
      const r = await run([name, flag]);
      expect(r.code).toBe(0);
      expect(r.err).toBe('');
      expect(r.out).toBe(USAGE[name]);
      expect(r.out.startsWith(`usage: huika ${name}`)).toBe(true);
    }
    // After other flags too: the command never starts.
    const late = await run([name, '--data', '/nonexistent', '--help']);
    expect([late.code, late.out]).toEqual([0, USAGE[name]]);
  });

  it('lists every command on huika --help and points at the per-command help', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const name of Object.keys(COMMANDS)) expect(r.out).toContain(`huika ${name} `);
    expect(r.out).toContain('--help');
  });

  it('works from the real entry points: node bin/huika.js simulate --help and npm run bench -- --help', () => {
    const sim = execFileSync('node', ['bin/huika.js', 'simulate', '--help'], { encoding: 'utf8' });
    expect(sim).toBe(USAGE.simulate);
    const bench = execFileSync('npm', ['run', '--silent', 'bench', '--', '--help'], { encoding: 'utf8' });
    expect(bench).toBe(USAGE.bench);
  });

  it('huika bench --help lists every flag the bench parser takes, in the synopsis and described, and every --only part', () => {
    // The flags as cli/bench.ts hands them to its parser: a new one fails here until the usage lists it.
    const src = readFileSync(new URL('../../cli/bench.ts', import.meta.url), 'utf8');
    const options = src.slice(src.indexOf('options: {'), src.indexOf('},\n  });'));
    const flags = [...options.matchAll(/^\s+'?([a-z][a-z-]*)'?: \{ type:/gm)].map((m) => m[1]!);
    expect(flags).toEqual(expect.arrayContaining(['seconds', 'history', 'soak-seconds', 'only', 'write-docs']));
    const usage = USAGE.bench!;
    const synopsis = usage.slice(0, usage.indexOf('\n  Measures'));
    for (const f of flags) {
      expect(synopsis, `--${f} in the synopsis`).toMatch(new RegExp(`\\[--${f}[ \\]]`));
      expect(usage, `--${f} described`).toMatch(new RegExp(`^  --${f}( [A-Z]+)? +\\S`, 'm'));
    }
    const only = /^ {2}--only PARTS +some of (\S+)/m.exec(usage)?.[1]?.split(',');
    expect(only).toEqual([...BENCH_PARTS]);
  });
});
