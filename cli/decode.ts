/** `huika decode --as KIND FILE`: decode what a device sent, one JSON line per code read. */
import { readFile } from 'node:fs/promises';
import { decodeQrPng } from '../drivers/camera-qr-node.ts';
import { HidPosDecoder } from '../drivers/hid-pos-scanner.ts';
import { hidPosLayout, keyboardLayout, parseHidDescriptor, type HidDescriptor } from '../drivers/hid-descriptor.ts';
import { KeyboardReportDecoder } from '../drivers/hid-keyboard-scanner.ts';
import { parseHidRecorder } from '../drivers/hid-recorder.ts';
import { maskCredential } from '../drivers/mask-credential.ts';
import { decodeMagtekReport } from '../drivers/msr-hid.ts';
import { decodeMsrLine } from '../drivers/msr-text.ts';
import { classifyScan } from '../drivers/classify.ts';
import { scanError, type ScanOutcome } from '../drivers/scan-result.ts';
import { parseFlags, UsageError } from './main.ts';

export const DECODE_KINDS = ['hid-keyboard', 'hid-pos', 'msr-hid', 'msr-text', 'qr-image'] as const;
export type DecodeKind = (typeof DECODE_KINDS)[number];

/** Decode a whole capture or image; pure apart from the bytes handed in, so tests call it directly. */
export async function decodeCapture(kind: DecodeKind, content: Uint8Array): Promise<ScanOutcome[]> {
  if (kind === 'qr-image') return [await decodeQrPng(content)];
  const text = new TextDecoder().decode(content);
  if (kind === 'msr-text')
    return text
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '')
      .map((l) => decodeMsrLine(l));
  const capture = parseHidRecorder(text);
  const out: ScanOutcome[] = capture.errors.map((e) => scanError('CAPTURE_MALFORMED', `line ${e.line}: ${e.message}`));
  // The capture's R: line is the device's own report descriptor: read the reports through it where it says enough.
  let desc: HidDescriptor | undefined;
  if (capture.descriptor) {
    const d = parseHidDescriptor(capture.descriptor);
    if ('error' in d) out.push(scanError('CAPTURE_MALFORMED', `report descriptor: ${d.error}`));
    else desc = d;
  }
  if (kind === 'msr-hid') {
    for (const r of capture.reports) out.push(decodeMagtekReport(r.bytes));
  } else if (kind === 'hid-pos') {
    const layout = desc ? hidPosLayout(desc) : undefined;
    const dec = new HidPosDecoder(layout ? { layout } : {});
    for (const r of capture.reports) out.push(...dec.push(r.bytes, r.time * 1000));
    out.push(...dec.flush());
  } else {
    const layout = desc ? keyboardLayout(desc) : undefined;
    const dec = new KeyboardReportDecoder(layout ? { layout } : {});
    for (const r of capture.reports) out.push(...dec.push(r.bytes, r.time * 1000));
    out.push(...dec.flush());
  }
  return out;
}

/** The JSON line printed for one outcome: card numbers and tracks masked unless `reveal`. */
export function outcomeLine(o: ScanOutcome, reveal: boolean): string {
  if (!o.ok && o.reply) {
    // A command reply prints as what the scanner sent, marked so it is never mistaken for a scan.
    const { reply } = o;
    const as = classifyScan(reply.text);
    // stdout keeps the plain {type, data} shape scripts compare; the mark goes to stderr.
    process.stderr.write(`huika decode: scanner reply ${reply.symbology}, not a scan: ${o.error.message}\n`);
    return JSON.stringify({ type: as.ok ? as.credential.type : 'qr', data: reply.text });
  }
  if (!o.ok) return JSON.stringify({ error: o.error });
  const c = reveal ? o.credential : maskCredential(o.credential);
  return JSON.stringify({ type: c.type, data: c.data });
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseFlags({
    args: argv,
    allowPositionals: true,
    options: { as: { type: 'string' }, reveal: { type: 'boolean', default: false } },
  });
  const kind = parsed.values.as;
  if (!kind || !(DECODE_KINDS as readonly string[]).includes(kind)) throw new UsageError(`--as must be one of ${DECODE_KINDS.join(', ')}`);
  const [file, ...extra] = parsed.positionals;
  if (!file || extra.length > 0) throw new UsageError('give exactly one FILE to decode');
  let content: Uint8Array;
  try {
    content = await readFile(file);
  } catch (err) {
    process.stderr.write(`huika decode: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
    return 1;
  }
  const outcomes = await decodeCapture(kind as DecodeKind, content);
  for (const o of outcomes) process.stdout.write(`${outcomeLine(o, parsed.values.reveal)}\n`);
  // Exit 1 when anything could not be read, so scripts can tell a clean capture from a noisy one.
  return outcomes.every((o) => o.ok || o.reply !== undefined) ? 0 : 1;
}
