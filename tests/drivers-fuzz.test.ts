/** Every decoder fed random bytes never throws: it returns a result or an error with a code (bounded runs, seeded). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hidPosLayout, keyboardLayout, parseHidDescriptor } from '../drivers/hid-descriptor.ts';
import { KeyboardReportDecoder } from '../drivers/hid-keyboard-scanner.ts';
import { HidPosDecoder } from '../drivers/hid-pos-scanner.ts';
import { parseHidRecorder } from '../drivers/hid-recorder.ts';
import { readJsqr } from '../drivers/jsqr.ts';
import { decodeMagtekReport, MAGTEK_REPORT_LENGTH } from '../drivers/msr-hid.ts';
import { decodeMsrLine } from '../drivers/msr-text.ts';
import { bytesToText, eciProtocolSegments, segmentsToText } from '../drivers/qr-payload.ts';
import { classifyQrText, qrImageOutcome } from '../drivers/qr-text.ts';
import type { ScanErrorCode, ScanOutcome } from '../drivers/scan-result.ts';

const CODES: ReadonlySet<ScanErrorCode> = new Set<ScanErrorCode>([
  'SCAN_GARBLED',
  'SCAN_INCOMPLETE',
  'SCAN_CHECK_DIGIT',
  'SCAN_NOT_CREDENTIAL',
  'SCAN_TOO_LONG',
  'SWIPE_GARBLED',
  'QR_NOT_FOUND',
  'QR_NOT_TEXT',
  'SCANNER_REPLY',
  'CAPTURE_MALFORMED',
]);
const TYPES = new Set(['member_no', 'card_number', 'card_track', 'qr']);
function wellFormed(outs: ScanOutcome[]): boolean {
  return outs.every((o) =>
    o.ok ? TYPES.has(o.credential.type) && typeof o.credential.data === 'string' : CODES.has(o.error.code) && o.error.message.length > 0,
  );
}

const RUNS = { numRuns: 300, seed: 20261201 };
const bytes = (max: number) => fc.uint8Array({ maxLength: max });
// Reports that look like the real thing often enough to reach deep paths: right ID, plausible lengths.
const posReport = fc.tuple(fc.constantFrom(2, 2, 2, 1), bytes(70)).map(([id, b]) => Uint8Array.of(id, ...b));
const kbdReport = fc.oneof(bytes(12), fc.uint8Array({ minLength: 8, maxLength: 8, max: 0x65 }));

describe('decoders on random bytes', () => {
  it('HID POS: a stream of random reports, in any timing', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(posReport, fc.nat(500)), { maxLength: 20 }), (reports) => {
        const dec = new HidPosDecoder();
        let at = 0;
        const outs = reports.flatMap(([r, gap]) => dec.push(r, (at += gap)));
        return wellFormed([...outs, ...dec.tick(at + 1000), ...dec.flush()]);
      }),
      RUNS,
    );
  });

  it('keyboard wedge: random reports, with and without a descriptor layout', () => {
    fc.assert(
      fc.property(fc.array(kbdReport, { maxLength: 40 }), fc.boolean(), (reports, five) => {
        const dec = new KeyboardReportDecoder(
          five ? { layout: { reportId: undefined, length: 8, modifiersByte: 0, keysByte: 2, keySlots: 5 } } : {},
        );
        const outs = reports.flatMap((r, i) => dec.push(r, i * 7));
        return wellFormed([...outs, ...dec.tick(1e6), ...dec.flush()]);
      }),
      RUNS,
    );
  });

  it('MSR text and MSR HID: random lines and random 337-byte reports', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (line) => wellFormed([decodeMsrLine(line)])),
      RUNS,
    );
    // Any byte as a character (controls, Latin-1, sentinels): fast-check's full-Unicode strings are slow to generate.
    fc.assert(
      fc.property(
        bytes(120).map((b) => String.fromCharCode(...b)),
        (line) => wellFormed([decodeMsrLine(line)]),
      ),
      RUNS,
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: MAGTEK_REPORT_LENGTH + 8, max: 0x7f }), (r) =>
        wellFormed([decodeMagtekReport(r)]),
      ),
      RUNS,
    );
  });

  it('report descriptors and hid-recorder captures: random bytes and text parse to a result or an error', () => {
    fc.assert(
      fc.property(bytes(200), (b) => {
        const d = parseHidDescriptor(b);
        if ('error' in d) return typeof d.error === 'string';
        keyboardLayout(d);
        hidPosLayout(d);
        return Array.isArray(d.fields);
      }),
      { ...RUNS, numRuns: 1000 },
    );
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('R: 3 05 01', 'R: 9 ', '05 01 a1', 'E: 0.1 2 02 0a', 'E: x', 'E: 0 1 zz', 'N: x', 'I: 3 zz', '#', 'zz'), {
          maxLength: 12,
        }),
        (lines) => {
          const p = parseHidRecorder(lines.join('\n'));
          return p.errors.every((e) => e.line >= 1 && e.message.length > 0);
        },
      ),
      RUNS,
    );
  });

  it('QR text decoding: random byte segments with random ECIs are text or "not text", never an exception', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ bytes: bytes(80), eci: fc.option(fc.integer({ min: -1, max: 40 }), { nil: undefined }) }), { maxLength: 4 }),
        (segs) => {
          const r = segmentsToText(segs);
          const outs = [classifyQrText(r), qrImageOutcome(r)];
          for (const s of segs) bytesToText(s.bytes, s.eci);
          return (
            ('text' in r || r.notText.length > 0) &&
            wellFormed(outs) &&
            segmentsToText(eciProtocolSegments(segs[0]?.bytes ?? new Uint8Array())) !== undefined
          );
        },
      ),
      RUNS,
    );
  });

  it('jsQR wrapper: random small frames, odd sizes included', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 255 }), (w, h, seed) => {
        const data = new Uint8ClampedArray(w * h * 4).map((_, i) => (i * 31 + seed) & 0xff);
        const r = readJsqr(data, w, h);
        return r === undefined || 'text' in r || 'notText' in r;
      }),
      { ...RUNS, numRuns: 100 },
    );
    expect(readJsqr(new Uint8ClampedArray(0), 0, 0)).toBeUndefined();
  });
});
