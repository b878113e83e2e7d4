/**
 * Real data nobody on the project wrote (../shared/fixtures/real: photos from the zxing and jsQR test sets,
 * keyboard and HID POS reports from node-hid and Honeywell threads, published stripe swipes), each with the
 * result `huika decode --reveal` must give (manifest.json). Decoded in-process through the CLI's own
 * function, plus two runs of the real command. Skips, saying why, where ../shared is not checked out.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { decodeCapture, outcomeLine, type DecodeKind } from '../cli/decode.ts';
import { keyboardLayout, parseHidDescriptor } from '../drivers/hid-descriptor.ts';
import { parseHidRecorder } from '../drivers/hid-recorder.ts';

const root = new URL('../../shared/fixtures/real/', import.meta.url);
const present = existsSync(new URL('manifest.json', root));
if (!present) console.log(`decode-real-fixtures: skipped, ${fileURLToPath(root)} is not there (it is in CI)`);

type Expect = { type: string; data: string } | { error: string };
interface Case {
  id: string;
  kind: DecodeKind;
  file: string;
  line?: number;
  expect: Expect[];
}
const cases: Case[] = present ? (JSON.parse(readFileSync(new URL('manifest.json', root), 'utf8')) as { cases: Case[] }).cases : [];

/** What the manifest compares: `{type, data}` of a read, or the code of an error. */
const brief = (line: string): Expect & { reply?: unknown } => {
  const j = JSON.parse(line) as { type?: string; data?: string; error?: { code: string }; reply?: unknown };
  return j.error ? { error: j.error.code } : { type: j.type!, data: j.data! };
};

const decoded = new Map<string, Promise<string[]>>();
const decodeFile = (kind: DecodeKind, file: string) => {
  let p = decoded.get(file);
  if (!p) {
    p = decodeCapture(kind, readFileSync(new URL(file, root))).then((os) => os.map((o) => outcomeLine(o, true)));
    decoded.set(file, p);
  }
  return p;
};

describe.skipIf(!present)('huika decode on real device data (../shared/fixtures/real/manifest.json)', () => {
  it('the manifest is there and covers every decoder kind', () => {
    expect(cases.length).toBeGreaterThanOrEqual(80);
    expect(new Set(cases.map((c) => c.kind))).toEqual(new Set(['qr-image', 'hid-keyboard', 'hid-pos', 'msr-text']));
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const lines = await decodeFile(c.kind, c.file);
    const got = c.line === undefined ? lines : [lines[c.line - 1]!];
    expect(got.map(brief)).toEqual(c.expect);
  });

  it('the Honeywell menu reply is marked as a reply, never a scan', async () => {
    // The printed lines are exactly the manifest's {type, data}; the decoder itself keeps them out of checkouts.
    const lines = (await decodeFile('hid-pos', 'hid-pos/honeywell-1602g-revinf.txt')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => Object.keys(l).sort())).toEqual([
      ['data', 'type'],
      ['data', 'type'],
    ]);
    const outcomes = await decodeCapture('hid-pos', readFileSync(new URL('hid-pos/honeywell-1602g-revinf.txt', root)));
    expect(outcomes.every((o) => !o.ok && o.error.code === 'SCANNER_REPLY')).toBe(true);
    expect(outcomes.map((o) => (!o.ok ? o.reply?.symbology : undefined))).toEqual([']X0', ']Z6']);
  });

  it("reads the Apple keyboard's reports through its own descriptor: five key slots and a vendor byte", () => {
    const cap = parseHidRecorder(readFileSync(new URL('hid-keyboard/linux-input-apple-keyboard-f5.txt', root), 'utf8'));
    expect(cap.errors).toEqual([]);
    const d = parseHidDescriptor(cap.descriptor!);
    if ('error' in d) throw new Error(d.error);
    expect(keyboardLayout(d)).toEqual({ reportId: undefined, length: 8, modifiersByte: 0, keysByte: 2, keySlots: 5 });
    // The vendor field (page 0xFF, usage 3) is the eighth byte, not a sixth key.
    expect(d.fields.find((f) => f.kind === 'input' && f.usagePage === 0xff)).toMatchObject({ bitOffset: 56, size: 8, count: 1 });
  });

  it('the real command prints the same lines and exits 0', async () => {
    const run = (args: string[]) =>
      promisify(execFile)('node', ['bin/huika.js', 'decode', ...args], { cwd: fileURLToPath(new URL('..', import.meta.url)) }).then(
        (r) => ({ code: 0, out: r.stdout }),
        (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
      );
    const [pos, sjis] = await Promise.all([
      run(['--as', 'hid-pos', fileURLToPath(new URL('hid-pos/honeywell-1602g-revinf.txt', root))]),
      run(['--as', 'qr-image', '--reveal', fileURLToPath(new URL('qr-image/jsqr-billboard-2.png', root))]),
    ]);
    // Command replies are not read failures: the capture is clean.
    expect(pos.code).toBe(0);
    expect(pos.out.trim().split('\n').map(brief)).toEqual(cases.find((c) => c.id === 'pos-honeywell-1602g-revinf')!.expect);
    expect(sjis.code).toBe(0);
    expect(JSON.parse(sjis.out)).toEqual(cases.find((c) => c.id === 'jsqr-billboard-2')!.expect[0]);
  }, 30_000);
});
