import { PNG } from 'pngjs';
import { scanRgba, type JsQrOptions } from './jsqr.ts';
import { qrImageOutcome } from './qr-text.ts';
import { scanError, type ScanOutcome } from './scan-result.ts';

/** Decode one PNG camera frame (as `huika decode --as qr-image` does): always `{type:'qr'}` or an error. */
export function decodeQrPng(png: Uint8Array, options?: JsQrOptions): ScanOutcome {
  let img: PNG;
  try {
    img = PNG.sync.read(Buffer.from(png.buffer, png.byteOffset, png.byteLength));
  } catch (err) {
    return scanError('QR_NOT_FOUND', `not a readable PNG image (${(err as Error).message})`);
  }
  const rgba = new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  return qrImageOutcome(scanRgba(rgba, img.width, img.height, options));
}
