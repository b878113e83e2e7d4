import { describe, expect, it } from 'vitest';
import { KeyboardReportDecoder } from './hid-keyboard-scanner.ts';
import { swipeToCredential } from './swipe.ts';

// Usages from the HID Usage Tables, Keyboard page: a=0x04, 1=0x1E … 9=0x26, 0=0x27, Enter=0x28, Tab=0x2B.
const kb = (mods: number, ...keys: number[]) => Uint8Array.of(mods, 0, ...keys, ...new Array(6 - keys.length).fill(0));
const UP = kb(0);
const DIGIT: Record<string, number> = {
  '1': 0x1e,
  '2': 0x1f,
  '3': 0x20,
  '4': 0x21,
  '5': 0x22,
  '6': 0x23,
  '7': 0x24,
  '8': 0x25,
  '9': 0x26,
  '0': 0x27,
};

function type(text: string): Uint8Array[] {
  return [...text].flatMap((c) => [kb(0, DIGIT[c]!), UP]);
}

function feed(dec: KeyboardReportDecoder, reports: Uint8Array[], stepMs = 5) {
  return reports.flatMap((r, i) => dec.push(r, i * stepMs));
}

describe('KeyboardReportDecoder', () => {
  it('reads a member number ended by Enter', () => {
    const out = feed(new KeyboardReportDecoder(), [...type('5133000017'), kb(0, 0x28), UP]);
    expect(out).toEqual([{ ok: true, credential: { type: 'member_no', data: '5133000017' } }]);
  });

  it('counts a key held across reports once, and a re-press after release twice', () => {
    const out = feed(new KeyboardReportDecoder({ interpret: (t) => ({ ok: true, credential: { type: 'qr', data: t } }) }), [
      kb(0, 0x04),
      kb(0, 0x04),
      kb(0, 0x04),
      UP,
      kb(0, 0x04),
      UP,
      kb(0, 0x28),
      UP,
    ]);
    expect(out).toEqual([{ ok: true, credential: { type: 'qr', data: 'aa' } }]);
  });

  it('decodes rollover (two keys down) in slot order and ignores ErrorRollOver', () => {
    const err = Uint8Array.of(0, 0, 1, 1, 1, 1, 1, 1);
    const out = feed(new KeyboardReportDecoder({ interpret: (t) => ({ ok: true, credential: { type: 'qr', data: t } }) }), [
      kb(0, 0x04),
      kb(0, 0x04, 0x05),
      err,
      kb(0, 0x05),
      kb(0, 0x05, 0x06),
      UP,
      kb(0, 0x2b),
      UP,
    ]);
    expect(out).toEqual([{ ok: true, credential: { type: 'qr', data: 'abc' } }]);
  });

  it('applies Shift and maps Ctrl+] to GS for GS1 codes', () => {
    const out = feed(new KeyboardReportDecoder(), [
      kb(0x02, 0x04),
      UP,
      kb(0x01, 0x30),
      UP,
      kb(0x20, 0x1e),
      UP,
      kb(0x02, 0x38),
      UP,
      kb(0, 0x28),
    ]);
    expect(out).toEqual([{ ok: true, credential: { type: 'qr', data: 'A\x1d!?' } }]);
  });

  it('accepts Alt+keypad digits as one character (Alt+029 = GS)', () => {
    const out = feed(new KeyboardReportDecoder(), [
      kb(0, 0x04),
      UP,
      kb(0x04),
      kb(0x04, 0x62),
      kb(0x04),
      kb(0x04, 0x5a),
      kb(0x04),
      kb(0x04, 0x61),
      kb(0x04),
      UP,
      kb(0, 0x05),
      UP,
      kb(0, 0x28),
    ]);
    expect(out).toEqual([{ ok: true, credential: { type: 'qr', data: 'a\x1db' } }]);
  });

  it('strips a 9-byte report ID and a configured prefix', () => {
    const dec = new KeyboardReportDecoder({ prefix: 'q' });
    const withId = [kb(0, 0x14), UP, ...type('5133000017'), kb(0, 0x28), UP].map((r) => Uint8Array.of(1, ...r));
    expect(feed(dec, withId)).toEqual([{ ok: true, credential: { type: 'member_no', data: '5133000017' } }]);
  });

  it('ignores reports of another ID when one is configured, and odd-sized reports always', () => {
    const dec = new KeyboardReportDecoder({ reportId: 1 });
    expect(dec.push(Uint8Array.of(3, 0, 0, 0x04, 0, 0, 0, 0, 0), 0)).toEqual([]);
    expect(dec.push(Uint8Array.of(0xe9, 0), 1)).toEqual([]);
    expect(dec.pending).toBe(false);
  });

  it('reports a code cut off by the timeout, then reads the next one cleanly', () => {
    const dec = new KeyboardReportDecoder({ timeoutMs: 100 });
    feed(dec, type('51330'));
    expect(dec.deadline).toBe(40 + 100);
    expect(dec.tick(120)).toEqual([]);
    expect(dec.tick(141)).toMatchObject([{ ok: false, error: { code: 'SCAN_INCOMPLETE' } }]);
    const again = [...type('5133000017'), kb(0, 0x28)].flatMap((r, i) => dec.push(r, 1000 + i * 5));
    expect(again).toEqual([{ ok: true, credential: { type: 'member_no', data: '5133000017' } }]);
  });

  it('reports a stale half code when the next key comes after the timeout', () => {
    const dec = new KeyboardReportDecoder({ timeoutMs: 50 });
    feed(dec, type('12'));
    const out = dec.push(kb(0, 0x04), 500);
    expect(out).toMatchObject([{ ok: false, error: { code: 'SCAN_INCOMPLETE' } }]);
  });

  it('with Enter as the only suffix keeps Tab as data', () => {
    const dec = new KeyboardReportDecoder({ suffix: ['enter'], interpret: (t) => ({ ok: true, credential: { type: 'qr', data: t } }) });
    expect(feed(dec, [kb(0, 0x04), UP, kb(0, 0x2b), UP, kb(0, 0x05), UP, kb(0, 0x58)])).toEqual([
      { ok: true, credential: { type: 'qr', data: 'a\tb' } },
    ]);
  });

  it('splits an AIM prefix off when the scanner sends one', () => {
    // ]Q1 typed: ] = 0x30, Q = Shift+0x14, 1 = 0x1E
    const dec = new KeyboardReportDecoder({ aimPrefix: true });
    const out = feed(dec, [kb(0, 0x30), UP, kb(2, 0x14), UP, kb(0, 0x1e), UP, kb(0, 0x04), UP, kb(0, 0x28)]);
    expect(out).toEqual([{ ok: true, credential: { type: 'qr', data: 'a' }, symbology: ']Q1' }]);
  });

  it('reads a keyboard-emulation MSR swipe through the swipe interpreter', () => {
    const SH = 0x02;
    const chars: Array<[number, number]> = [
      [0, 0x33],
      ...[...'5133000017'].map((c): [number, number] => [0, DIGIT[c]!]),
      [0, 0x2e],
      [0, DIGIT['2']!],
      [0, DIGIT['9']!],
      [0, DIGIT['1']!],
      [0, DIGIT['2']!],
      [SH, 0x38],
    ];
    const reports = chars.flatMap(([m, k]) => [kb(m, k), UP]).concat([kb(0, 0x28)]);
    const out = feed(new KeyboardReportDecoder({ interpret: (t) => swipeToCredential(t) }), reports);
    expect(out).toEqual([{ ok: true, credential: { type: 'card_track', data: ';5133000017=2912?' } }]);
  });
});
