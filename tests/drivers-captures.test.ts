import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeCapture, outcomeLine, type DecodeKind } from '../cli/decode.ts';

// Hand-built captures (tests/fixtures/captures/): written from the USB HID usage tables and the device
// layouts, not by the simulator, so the decoders are never only tested against their own fakes.
const lines = async (kind: DecodeKind, file: string, reveal = false) =>
  (await decodeCapture(kind, readFileSync(new URL(`./fixtures/captures/${file}`, import.meta.url)))).map((o) =>
    JSON.parse(outcomeLine(o, reveal)),
  );

let spies: Array<ReturnType<typeof vi.spyOn>> = [];
beforeEach(() => {
  spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => vi.spyOn(console, m));
});
afterEach(() => {
  // Raw tracks and PANs must never reach a log: decoders print nothing at all.
  for (const s of spies) expect(s).not.toHaveBeenCalled();
  vi.restoreAllMocks();
});

describe('hand-built captures', () => {
  it('keyboard wedge: member number with Enter', async () => {
    expect(await lines('hid-keyboard', 'keyboard-member-no.txt')).toEqual([{ type: 'member_no', data: '5133000017' }]);
  });
  it('keyboard wedge: PAN with report IDs, rollover, held keys and ErrorRollOver, masked unless revealed', async () => {
    expect(await lines('hid-keyboard', 'keyboard-pan-rollover.txt')).toEqual([{ type: 'card_number', data: '621799*********0015' }]);
    expect(await lines('hid-keyboard', 'keyboard-pan-rollover.txt', true)).toEqual([{ type: 'card_number', data: '6217996600000000015' }]);
  });
  it('keyboard wedge: GS1 code with Ctrl+] as GS', async () => {
    expect(await lines('hid-keyboard', 'keyboard-gs1.txt')).toEqual([{ type: 'qr', data: '0109506000134352\u001d10AB12' }]);
  });
  it('keyboard wedge: a code with no suffix is cut off', async () => {
    expect(await lines('hid-keyboard', 'keyboard-cut-off.txt')).toEqual([
      { error: { code: 'SCAN_INCOMPLETE', message: expect.any(String) } },
    ]);
  });
  it('keyboard-emulation MSR over HID: track masked inside', async () => {
    expect(await lines('hid-keyboard', 'msr-keyboard-swipe.txt')).toEqual([{ type: 'card_track', data: ';621799*********0015=*******?' }]);
  });
  it('HID POS: continued QR, member number, and a stream of bad reads', async () => {
    expect(await lines('hid-pos', 'hid-pos-qr-continued.txt')).toEqual([
      { type: 'qr', data: `HK1.5133000017.1732330000.${'A'.repeat(60)}.sig0123456789` },
    ]);
    expect(await lines('hid-pos', 'hid-pos-member-no.txt')).toEqual([{ type: 'member_no', data: '5133000017' }]);
    expect((await lines('hid-pos', 'hid-pos-mixed.txt')).map((l) => l.type ?? l.error.code)).toEqual([
      'SCAN_NOT_CREDENTIAL',
      'SCAN_CHECK_DIGIT',
      'card_number',
      'SCAN_GARBLED',
      'SCAN_INCOMPLETE',
    ]);
  });
  it('MagTek HID: good swipe, track 1 error with a member-number track 2, unreadable', async () => {
    expect(await lines('msr-hid', 'msr-hid-magtek.txt', true)).toEqual([
      { type: 'card_track', data: ';6217996600000000015=2912101?' },
      { type: 'card_track', data: ';5133000017=2912?' },
      { error: { code: 'SWIPE_GARBLED', message: 'track 1 and track 2 could not be read; swipe again, steadily' } },
    ]);
  });
  it('msr-text: one JSON line per swipe, never echoing a bad PAN', async () => {
    const out = await lines('msr-text', 'msr-text-swipes.txt');
    expect(out.map((l) => l.type ?? l.error.code)).toEqual(['card_track', 'card_track', 'SWIPE_GARBLED', 'SWIPE_GARBLED', 'SWIPE_GARBLED']);
    expect(JSON.stringify(out)).not.toMatch(/62179966000000000\d\d/);
  });
  it('a malformed E: line becomes an error line, not a crash', async () => {
    const out = await decodeCapture('hid-pos', new TextEncoder().encode('E: 0.0 64 02 00\n'));
    expect(out).toMatchObject([{ ok: false, error: { code: 'CAPTURE_MALFORMED' } }]);
  });
});
