import { describe, expect, it } from 'vitest';
import { HidPosDecoder, HID_POS_MAX_DATA } from './hid-pos-scanner.ts';

// Built by hand from the layout: ID 0x02, length, AIM id, data from byte 5, byte 63 bit 0 = more follows.
function report(aim: string, data: string, more = false, len = data.length): Uint8Array {
  const r = new Uint8Array(64);
  r[0] = 0x02;
  r[1] = len;
  r.set(new TextEncoder().encode(aim), 2);
  r.set(new TextEncoder().encode(data), 5);
  r[63] = more ? 0x01 : 0x00;
  return r;
}

describe('HidPosDecoder', () => {
  it('reads a Code 128 member number and strips the CR suffix', () => {
    const out = new HidPosDecoder().push(report(']C0', '5133000017\r'));
    expect(out).toEqual([{ ok: true, credential: { type: 'member_no', data: '5133000017' }, symbology: ']C0' }]);
  });

  it('joins continued reports into one QR code and keeps the first report symbology', () => {
    const dec = new HidPosDecoder();
    const a = 'x'.repeat(HID_POS_MAX_DATA);
    expect(dec.push(report(']Q1', a, true))).toEqual([]);
    expect(dec.pending).toBe(true);
    const out = dec.push(report(']Q1', 'tail\r\n'));
    expect(out).toEqual([{ ok: true, credential: { type: 'qr', data: `${a}tail` }, symbology: ']Q1' }]);
  });

  it('keeps other flag bits from being read as continuation', () => {
    const r = report(']Q1', 'abc');
    r[63] = 0x02;
    expect(new HidPosDecoder().push(r)).toHaveLength(1);
  });

  it('refuses a product barcode', () => {
    const [o] = new HidPosDecoder().push(report(']E0', '6901234567892'));
    expect(o).toMatchObject({ ok: false, error: { code: 'SCAN_NOT_CREDENTIAL' } });
  });

  it('reports a length byte larger than the report as garbled', () => {
    const [o] = new HidPosDecoder().push(report(']C0', '1', false, 57));
    expect(o).toMatchObject({ ok: false, error: { code: 'SCAN_GARBLED' } });
  });

  it('reports a short report as garbled and drops a pending code', () => {
    const dec = new HidPosDecoder();
    dec.push(report(']Q1', 'part', true));
    const out = dec.push(Uint8Array.of(0x02, 1, 0x5d, 0x51, 0x31, 0x41));
    expect(out.map((o) => !o.ok && o.error.code)).toEqual(['SCAN_INCOMPLETE', 'SCAN_GARBLED']);
    expect(dec.pending).toBe(false);
  });

  it('ignores reports with other report IDs', () => {
    const r = report(']C0', '5133000017');
    r[0] = 0x04;
    expect(new HidPosDecoder().push(r)).toEqual([]);
  });

  it('flushes a continuation that never finished as incomplete', () => {
    const dec = new HidPosDecoder();
    dec.push(report(']Q1', 'abc', true));
    expect(dec.flush()).toMatchObject([{ ok: false, error: { code: 'SCAN_INCOMPLETE' } }]);
    expect(dec.flush()).toEqual([]);
  });

  it('classifies a PAN as card_number and a bad 16-digit number as a check-digit error', () => {
    const dec = new HidPosDecoder();
    expect(dec.push(report(']C0', '6217996600000000015'))[0]).toMatchObject({ ok: true, credential: { type: 'card_number' } });
    expect(dec.push(report(']C0', '6217996600000016'))[0]).toMatchObject({ ok: false, error: { code: 'SCAN_CHECK_DIGIT' } });
  });
});
