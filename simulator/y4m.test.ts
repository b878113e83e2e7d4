import { describe, expect, it } from 'vitest';
import { scanRgba, DEFAULT_JSQR_OPTIONS } from '../drivers/jsqr.ts';
import { renderQrFrame } from './qr-frame.ts';
import { rgbaToI420, y4mVideo } from './y4m.ts';

describe('y4m', () => {
  it('writes the YUV4MPEG2 header and one I420 frame of w*h*3/2 bytes per frame', () => {
    const f = renderQrFrame('HK1.k1.5133000017.abc.nonce123.signature1234567');
    const v = y4mVideo([f, f], 5);
    const header = 'YUV4MPEG2 W640 H480 F5:1 Ip A1:1 C420jpeg\n';
    expect(v.subarray(0, header.length).toString()).toBe(header);
    expect(v.length).toBe(header.length + 2 * (6 + (640 * 480 * 3) / 2));
    expect(v.subarray(header.length, header.length + 6).toString()).toBe('FRAME\n');
  });

  it('keeps the luma of a QR frame decodable (the Y plane alone is what a camera gives jsQR)', () => {
    const text = 'HK1.k1.5133000017.abc.nonce123.signature1234567';
    const f = renderQrFrame(text);
    const yuv = rgbaToI420(f);
    const grey = new Uint8ClampedArray(640 * 480 * 4);
    for (let i = 0; i < 640 * 480; i++) grey.set([yuv[i]!, yuv[i]!, yuv[i]!, 255], i * 4);
    expect(scanRgba(grey, 640, 480, DEFAULT_JSQR_OPTIONS)).toBe(text);
    // White stays white and black stays black in Y.
    expect(Math.max(...yuv.subarray(0, 640))).toBeGreaterThan(200);
  });
});
