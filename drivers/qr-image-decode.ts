/**
 * One still image → QR text, as `huika decode --as qr-image` and the bench read photos. Browser-safe.
 * Order, from the real-photo bench (docs/BENCHMARKS.md): zxing-wasm first (it reads most photos and gives
 * up on an empty one in a few ms), then jsQR at full size, then jsQR on area-averaged copies at a few
 * smaller scales (jsQR's finder search fails on some photos at one scale and not at another).
 */
import { readJsqr, DEFAULT_JSQR_OPTIONS } from './jsqr.ts';
import type { QrText } from './qr-payload.ts';
import { areaDownscale, type RgbaFrame } from './rgba-frame.ts';
import type { ZxingQrReader } from './zxing-qr.ts';

/** Scales jsQR retries at after full size; bounded so a photo with no code costs at most ~2.5 full jsQR runs. */
export const JSQR_RETRY_SCALES: readonly number[] = [0.8, 0.65, 0.5, 0.4];
/** Below this many pixels on the shorter side a downscaled copy cannot hold a readable code. */
const MIN_SIDE = 100;

export type QrImageRead = { read: QrText; by: 'zxing-wasm' | 'jsqr'; scale: number };

export interface QrImageDecoders {
  zxing?: ZxingQrReader | undefined;
  scales?: readonly number[];
}

export async function readQrImage(frame: RgbaFrame, d: QrImageDecoders = {}): Promise<QrImageRead | undefined> {
  if (d.zxing) {
    const read = await d.zxing(frame);
    if (read) return { read, by: 'zxing-wasm', scale: 1 };
  }
  for (const scale of [1, ...(d.scales ?? JSQR_RETRY_SCALES)]) {
    if (Math.min(frame.width, frame.height) * scale < MIN_SIDE) break;
    const f = areaDownscale(frame, scale);
    const read = readJsqr(f.data, f.width, f.height, DEFAULT_JSQR_OPTIONS);
    if (read) return { read, by: 'jsqr', scale };
  }
  return undefined;
}
