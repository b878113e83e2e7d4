import { describe, expect, it } from 'vitest';
import { decodeCapture } from '../cli/decode.ts';
import { QrFrameProcessor } from '../drivers/camera-qr.ts';
import { nodeZxingQr } from '../drivers/camera-qr-node.ts';
import { readJsqr } from '../drivers/jsqr.ts';
import { bytesToText, eciProtocolSegments, segmentsToText } from '../drivers/qr-payload.ts';
import { frameToPng, renderQrFrame } from '../simulator/qr-frame.ts';

// Bytes as each standard's code table gives them (GB 2312, JIS X 0208 in Shift_JIS, ISO-8859-2), not produced
// by the decoder under test. The first assertion of each checks the table against the platform's TextDecoder.
const GB = { text: '惠卡会员中文', bytes: Uint8Array.of(0xbb, 0xdd, 0xbf, 0xa8, 0xbb, 0xe1, 0xd4, 0xb1, 0xd6, 0xd0, 0xce, 0xc4) };
const SJIS = { text: '会員カード', bytes: Uint8Array.of(0x89, 0xef, 0x88, 0xf5, 0x83, 0x4a, 0x81, 0x5b, 0x83, 0x68) };
const SJIS_HALFWIDTH = { text: 'ﾃﾞｻﾞｲﾝQR', bytes: Uint8Array.of(0xc3, 0xde, 0xbb, 0xde, 0xb2, 0xdd, 0x51, 0x52) };
const LATIN2 = { text: 'Łódź', bytes: Uint8Array.of(0xa3, 0xf3, 0x64, 0xbc) };
const BINARY = Uint8Array.of(0x00, 0x9f, 0x01, 0xff, 0xfe, 0x80, 0x02);

const bytesFrame = (bytes: Uint8Array) => renderQrFrame([{ mode: 'byte', data: bytes }], { moduleSize: 6 });

describe('QR text: UTF-8, then the declared ECI, then GB18030 or Shift_JIS', () => {
  it('the byte tables are what the standards say', () => {
    expect(new TextDecoder('gb18030').decode(GB.bytes)).toBe(GB.text);
    expect(new TextDecoder('shift_jis').decode(SJIS.bytes)).toBe(SJIS.text);
    expect(new TextDecoder('shift_jis').decode(SJIS_HALFWIDTH.bytes)).toBe(SJIS_HALFWIDTH.text);
    expect(new TextDecoder('iso-8859-2').decode(LATIN2.bytes)).toBe(LATIN2.text);
  });

  it('UTF-8 first', () => {
    expect(bytesToText(new TextEncoder().encode('惠卡 HK1.会员'))).toBe('惠卡 HK1.会员');
  });

  it('GB18030 for Chinese generators, Shift_JIS for Japanese text, full- or half-width', () => {
    expect(bytesToText(GB.bytes)).toBe(GB.text);
    expect(bytesToText(SJIS.bytes)).toBe(SJIS.text);
    expect(bytesToText(SJIS_HALFWIDTH.bytes)).toBe(SJIS_HALFWIDTH.text);
  });

  it('the ECI the code declares, when the bytes are not UTF-8', () => {
    expect(bytesToText(LATIN2.bytes, 4)).toBe(LATIN2.text);
    // zxing's ECI protocol form: \000004 switches to ISO-8859-2, \\ is one backslash.
    const proto = Uint8Array.of(...new TextEncoder().encode('a\\\\b\\000004'), ...LATIN2.bytes);
    expect(eciProtocolSegments(proto)).toEqual([
      { bytes: new TextEncoder().encode('a\\b'), eci: undefined },
      { bytes: LATIN2.bytes, eci: 4 },
    ]);
    expect(segmentsToText(eciProtocolSegments(proto))).toEqual({ text: 'a\\bŁódź' });
  });

  it('bytes that are text in none of them are not text', () => {
    expect(bytesToText(BINARY)).toBeUndefined();
    expect(segmentsToText([{ text: 'ab' }, { bytes: BINARY }])).toMatchObject({ notText: expect.stringContaining('7 bytes') });
  });

  it('jsQR and zxing-wasm give the same text for a GB18030 code, and huika decode prints it', async () => {
    const f = bytesFrame(GB.bytes);
    expect(readJsqr(f.data, f.width, f.height)).toEqual({ text: GB.text });
    const zxing = await nodeZxingQr();
    expect(zxing).toBeDefined();
    expect(await zxing!(f)).toEqual({ text: GB.text });
    expect(await decodeCapture('qr-image', frameToPng(f))).toEqual([
      { ok: true, credential: { type: 'qr', data: GB.text }, symbology: ']Q1' },
    ]);
  });

  it('a Shift_JIS code reads in the camera path too', async () => {
    const proc = new QrFrameProcessor({ scales: [1] });
    expect(await proc.processFrame(bytesFrame(SJIS.bytes), 0)).toEqual({
      ok: true,
      credential: { type: 'qr', data: SJIS.text },
      symbology: ']Q1',
    });
  });

  it('a code that is not text gets QR_NOT_TEXT, not "too long" or "empty"', async () => {
    const [o] = await decodeCapture('qr-image', frameToPng(bytesFrame(BINARY)));
    expect(o).toMatchObject({ ok: false, error: { code: 'QR_NOT_TEXT' } });
    const cam = await new QrFrameProcessor({ scales: [1] }).processFrame(bytesFrame(BINARY), 0);
    expect(cam).toMatchObject({ ok: false, error: { code: 'QR_NOT_TEXT' } });
  });
});
