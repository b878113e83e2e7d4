import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { forEachLine } from './ledger-file.ts';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function file(content: string | Buffer): string {
  dir = mkdtempSync(join(tmpdir(), 'huika-lines-'));
  const f = join(dir, 'x.jsonl');
  writeFileSync(f, content);
  return f;
}

describe('forEachLine', () => {
  it.each([3, 7, 64, 8 * 2 ** 20])(
    'yields the same lines whatever the chunk size (%i bytes), even with characters split across chunks',
    (chunk) => {
      const lines = ['{"title":"会员9.5折"}', '', '{"title":"工会五一满300减200"}', 'plain'];
      const f = file(`${lines.join('\n')}\n`);
      const got: Array<[string, number]> = [];
      const out = forEachLine(f, (l, n) => got.push([l, n]), chunk);
      expect(got).toEqual(lines.map((l, i) => [l, i + 1]));
      expect(out.tail.length).toBe(0);
    },
  );

  it('hands back a torn final line and where the good part ends', () => {
    const f = file('{"a":1}\n{"b":2}\n{"c":');
    const got: string[] = [];
    const out = forEachLine(f, (l) => got.push(l), 5);
    expect(got).toEqual(['{"a":1}', '{"b":2}']);
    expect(out.tail.toString()).toBe('{"c":');
    expect(out.goodBytes).toBe(16);
  });
});
