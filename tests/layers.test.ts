/**
 * The layers hold in production code, read from the import statements themselves: core/ imports nothing
 * above it, drivers/ knows no server or terminal, and no production file imports simulator/ (the command
 * line plugs the simulator in). Tests, bench/ and cli/ (the composition root) may import anything.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const PRODUCTION = ['core', 'drivers', 'platform', 'server', 'terminal', 'web'];

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** Every relative module a file imports (static, dynamic, type-only and re-exports), as a path from the root. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specs = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
  return specs.map((s) => relative(ROOT, resolve(ROOT, dirname(file), s)));
}

const layer = (path: string) => path.split('/')[0]!;
const violations = (dirs: string[], allowed: (target: string) => boolean) =>
  dirs.flatMap(sources).flatMap((f) =>
    importsOf(f)
      .filter((t) => !allowed(layer(t)))
      .map((t) => `${f} → ${t}`),
  );

describe('layers', () => {
  it('finds the imports it checks (the reader works)', () => {
    expect(importsOf('terminal/index.ts')).toContain('terminal/devices.ts');
    expect(importsOf('cli/terminal.ts')).toContain('simulator/terminal-devices.ts');
    expect(sources('core').length).toBeGreaterThan(10);
  });

  it('core/ imports only core/', () => {
    expect(violations(['core'], (l) => l === 'core')).toEqual([]);
  });

  it('drivers/ imports no server/ or terminal/', () => {
    expect(violations(['drivers'], (l) => l !== 'server' && l !== 'terminal')).toEqual([]);
  });

  it('no production file imports simulator/', () => {
    expect(violations(PRODUCTION, (l) => l !== 'simulator')).toEqual([]);
  });
});
