import { describe, expect, it } from 'vitest';
import { decodeCapture, outcomeLine } from '../cli/decode.ts';
import { parseHidRecorder } from '../drivers/hid-recorder.ts';
import { formatHidRecorder } from './capture-writer.ts';
import { encodeHidPos } from './hid-pos-encoder.ts';
import { encodeKeyboardText } from './keyboard-encoder.ts';
import { encodeMagtekSwipe, msrKeyboardText } from './msr-encoder.ts';
import { addNoise } from './noise.ts';
import { seededRng } from './rng.ts';
import { cardTracks } from './card-data.ts';

const enc = (s: string) => new TextEncoder().encode(s);

describe('keyboard encoder', () => {
  it('paces reports 1–20 ms apart and ends with a release', () => {
    const r = encodeKeyboardText('5133000017', { rng: seededRng(7) });
    const gaps = r.slice(1).map((x, i) => x.atMs - r[i]!.atMs);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(20);
    expect(Array.from(r.at(-1)!.bytes)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });
  it('types uppercase with Left Shift and GS as Left Ctrl + ]', () => {
    const r = encodeKeyboardText('A\x1d', { suffix: 'none' });
    expect(Array.from(r[0]!.bytes)).toEqual([0x02, 0, 0x04, 0, 0, 0, 0, 0]);
    expect(Array.from(r[2]!.bytes)).toEqual([0x01, 0, 0x30, 0, 0, 0, 0, 0]);
  });
});

describe('HID POS encoder', () => {
  it('splits at 56 data bytes with the continuation bit on all but the last report', () => {
    const r = encodeHidPos('x'.repeat(100), ']Q1', '\r');
    expect(r.map((x) => [x.length, x[0], x[1], x[63]])).toEqual([
      [64, 2, 56, 1],
      [64, 2, 45, 0],
    ]);
    expect(String.fromCharCode(...r[1]!.subarray(2, 5))).toBe(']Q1');
  });
});

describe('MagTek encoder', () => {
  it('writes status, lengths and zero-padded 110-byte fields; a failed track is empty', () => {
    const { track1, track2 } = cardTracks('6217996600000000015');
    const r = encodeMagtekSwipe({ track1, track2, status: [1, 0, 0] });
    expect(r.length).toBe(337);
    expect(Array.from(r.subarray(0, 7))).toEqual([1, 0, 0, 0, track2.length, 0, 0]);
    expect(String.fromCharCode(...r.subarray(117, 117 + track2.length))).toBe(track2);
    expect(msrKeyboardText({ track1, track2, status: [1, 0, 0] })).toBe(`%E?${track2}`);
  });
});

describe('capture writer', () => {
  it('writes hid-recorder text that huika decode reads back', async () => {
    const reports = encodeKeyboardText('5133000017', { rng: seededRng(3), rollover: 0.5 });
    const text = formatHidRecorder(reports, { name: 'Sim Scanner', vendorId: 0x0483, productId: 0x11, descriptor: Uint8Array.of(5, 1) });
    expect(text).toMatch(/^R: 2 05 01\nN: Sim Scanner\nI: 3 0483 0011\nE: 000000\.000000 8 /);
    const parsed = parseHidRecorder(text);
    expect(parsed.reports.map((r) => Array.from(r.bytes))).toEqual(reports.map((r) => Array.from(r.bytes)));
    expect((await decodeCapture('hid-keyboard', enc(text))).map((o) => outcomeLine(o, false))).toEqual([
      '{"type":"member_no","data":"5133000017"}',
    ]);
  });
  it('noise turns into error lines or a different code, never a crash', async () => {
    const rng = seededRng(11);
    for (let i = 0; i < 50; i++) {
      const reports = addNoise(
        encodeHidPos(`HK1.${'z'.repeat(90)}`).map((bytes, j) => ({ atMs: j, bytes })),
        rng,
        { drop: 0.2, flip: 0.5 },
      );
      for (const o of await decodeCapture('hid-pos', enc(formatHidRecorder(reports)))) expect(typeof outcomeLine(o, false)).toBe('string');
    }
  });
});
