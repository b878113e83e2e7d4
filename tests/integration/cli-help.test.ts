/** Every huika subcommand answers --help (and -h) with its usage on stdout and exit 0, before its own parser sees the flag. */
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { COMMANDS, main } from '../../cli/main.ts';
import { USAGE } from '../../cli/usage.ts';

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
});
