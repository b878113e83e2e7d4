import { describe, expect, it } from 'vitest';
import { parseAimId } from './aim.ts';
import { classifyScan } from './classify.ts';
import { parseHidRecorder } from './hid-recorder.ts';

const type = (text: string, aim?: string) => {
  const o = classifyScan(text, aim ? parseAimId(aim) : undefined);
  return o.ok ? o.credential.type : o.error.code;
};

describe('classifyScan', () => {
  it('follows the documented order', () => {
    expect(type('5133000017')).toBe('member_no');
    expect(type('6217996600000000015')).toBe('card_number');
    expect(type(';6217996600000000015=2912101?')).toBe('card_track');
    expect(type('HK1.abc.def')).toBe('qr');
    expect(type('5133000018')).toBe('SCAN_CHECK_DIGIT');
    expect(type('5133000018', ']Q1')).toBe('qr');
    expect(type('12345')).toBe('qr');
    expect(type('6901234567892', ']E0')).toBe('SCAN_NOT_CREDENTIAL');
    expect(type('')).toBe('SCAN_NOT_CREDENTIAL');
    expect(type('x'.repeat(513))).toBe('SCAN_TOO_LONG');
    expect(type(';garbage?')).toBe('SWIPE_GARBLED');
  });
});

describe('parseHidRecorder', () => {
  it('reads E: lines, names and ids, ignores the rest and reports broken reports', () => {
    const p = parseHidRecorder(
      '# c\nR: 2 05 01\nN: Dev\nI: 3 0c2e 0b41\nP: usb-1\nE: 000000.000100 2 02 0a\nE: 1.5 3 00 01\nE: x 1 00\nE: 0 1 zz\n',
    );
    expect(p.name).toBe('Dev');
    expect(p.ids).toEqual({ bus: 3, vendorId: 0x0c2e, productId: 0x0b41 });
    expect(p.reports).toEqual([{ time: 0.0001, bytes: Uint8Array.of(2, 10) }]);
    expect(p.errors.map((e) => e.line)).toEqual([7, 8, 9]);
  });
});
