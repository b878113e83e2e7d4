import { describe, expect, it } from 'vitest';
import { bankCardProfile } from '../core/credentials.ts';
import { decodeMagtekReport, MAGTEK_REPORT_LENGTH, parseMagtekReport } from './msr-hid.ts';
import { decodeMsrLine } from './msr-text.ts';
import { maskCredential, maskTrack } from './mask-credential.ts';

const T1 = '%B6217996600000000015^ZHANG/SAN^2912101?';
const T2 = ';6217996600000000015=2912101?';

// MagTek layout by hand: 3 status, 3 lengths, encode type, three 110-byte fields.
function magtek(t1: string, t2: string, status: [number, number, number] = [0, 0, 0], lens?: number[]): Uint8Array {
  const r = new Uint8Array(337);
  r.set(status, 0);
  r.set(lens ?? [t1.length, t2.length, 0], 3);
  r.set(new TextEncoder().encode(t1), 7);
  r.set(new TextEncoder().encode(t2), 117);
  return r;
}

describe('MagTek HID swipe report', () => {
  it('is 337 bytes', () => expect(MAGTEK_REPORT_LENGTH).toBe(337));

  it('gives track 2 as the card_track credential', () => {
    expect(decodeMagtekReport(magtek(T1, T2))).toEqual({ ok: true, credential: { type: 'card_track', data: T2 } });
  });

  it('falls back to track 1 when track 2 failed to decode', () => {
    expect(decodeMagtekReport(magtek(T1, '', [0, 1, 0]))).toEqual({ ok: true, credential: { type: 'card_track', data: T1 } });
  });

  it('puts back sentinels that a reader stripped', () => {
    expect(decodeMagtekReport(magtek('', '6217996600000000015=2912101'))).toEqual({
      ok: true,
      credential: { type: 'card_track', data: T2 },
    });
  });

  it('explains a swipe with no readable track', () => {
    const o = decodeMagtekReport(magtek('', '', [1, 1, 0]));
    expect(o).toEqual({
      ok: false,
      error: { code: 'SWIPE_GARBLED', message: 'track 1 and track 2 could not be read; swipe again, steadily' },
    });
  });

  it('refuses a length larger than its field and a short report', () => {
    expect(parseMagtekReport(magtek(T1, T2, [0, 0, 0], [111, 5, 0]))).toHaveProperty('error');
    expect(decodeMagtekReport(new Uint8Array(64))).toMatchObject({ ok: false, error: { code: 'SWIPE_GARBLED' } });
  });

  it('refuses a PAN that fails its check digit, without echoing it', () => {
    const o = decodeMagtekReport(magtek('', ';6217996600000000016=2912101?'));
    expect(o).toMatchObject({ ok: false, error: { code: 'SWIPE_GARBLED' } });
    expect(JSON.stringify(o)).not.toContain('6217996600000000016');
  });

  it('uses the card profile it is given (a bank-only profile refuses a member number track)', () => {
    expect(decodeMagtekReport(magtek('', ';5133000017=2912?'))).toMatchObject({ ok: true });
    expect(decodeMagtekReport(magtek('', ';5133000017=2912?'), [bankCardProfile])).toMatchObject({ ok: false });
  });
});

describe('keyboard-emulation MSR lines', () => {
  it('reads a two-track swipe with its CR', () => {
    expect(decodeMsrLine(`${T1 + T2}\r`)).toEqual({ ok: true, credential: { type: 'card_track', data: T2 } });
  });
  it('names unreadable tracks (%E? / ;E?)', () => {
    expect(decodeMsrLine('%E?;E?')).toMatchObject({
      ok: false,
      error: { code: 'SWIPE_GARBLED', message: expect.stringContaining('track 1 unreadable') },
    });
  });
  it('refuses text with no sentinels and an empty line', () => {
    expect(decodeMsrLine('6217996600000000015')).toMatchObject({ ok: false });
    expect(decodeMsrLine('\r')).toMatchObject({ ok: false });
  });
});

describe('masking', () => {
  it('masks the PAN and the rest of a track', () => {
    expect(maskTrack(T2)).toBe(';621799*********0015=*******?');
    expect(maskTrack(T1)).toBe('%B621799*********0015^ZHANG/SAN^*******?');
    expect(maskTrack(';garbled123456789012')).toBe(';garbled************');
  });
  it('masks card numbers but leaves member numbers and QR text', () => {
    expect(maskCredential({ type: 'card_number', data: '6217996600000000015' }).data).toBe('621799*********0015');
    expect(maskCredential({ type: 'member_no', data: '5133000017' }).data).toBe('5133000017');
  });
});
