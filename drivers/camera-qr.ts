/**
 * Camera QR decoding for the terminal and the cashier page. Browser-safe: no node imports, so the page can
 * run `processFrame` in a Web Worker (see camera-qr-worker.ts) on frames grabbed from getUserMedia.
 */
import { scanRgba, DEFAULT_JSQR_OPTIONS, type JsQrOptions } from './jsqr.ts';
import { classifyQrText } from './qr-text.ts';
import type { ScanOutcome } from './scan-result.ts';

export interface RgbaFrame {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

/** Nearest-neighbour downscale so the longer side is at most `maxSide`: jsQR's cost grows with pixels, not modules. */
export function downscaleFrame(frame: RgbaFrame, maxSide: number): RgbaFrame {
  const scale = Math.min(1, maxSide / Math.max(frame.width, frame.height));
  if (scale === 1) return frame;
  const width = Math.max(1, Math.round(frame.width * scale));
  const height = Math.max(1, Math.round(frame.height * scale));
  const data = new Uint8ClampedArray(width * height * 4);
  // Read whole pixels at once; copy first if the buffer is not 4-byte aligned (Node's pooled Buffers may not be).
  const aligned = frame.data.byteOffset % 4 === 0 ? frame.data : frame.data.slice();
  const src = new Uint32Array(aligned.buffer, aligned.byteOffset, frame.width * frame.height);
  const dst = new Uint32Array(data.buffer);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(frame.height - 1, Math.floor(y / scale)) * frame.width;
    for (let x = 0; x < width; x++) dst[y * width + x] = src[sy + Math.min(frame.width - 1, Math.floor(x / scale))]!;
  }
  return { data, width, height };
}

export interface QrCameraOptions {
  /** Longest side fed to jsQR; 640 keeps a phone-held code readable at ~15 fps on a till PC. Default 640. */
  maxSide?: number;
  /** The same code seen again within this long is the same presentation, not a new scan. Default 3000 ms. */
  debounceMs?: number;
  jsqr?: JsQrOptions;
}

/**
 * Stateful frame processor: decodes each frame and reports a code once per presentation.
 * A code counts as presented again only after it has been absent for `debounceMs`.
 */
export class QrFrameProcessor {
  private last: { text: string; seenAt: number } | undefined;
  private readonly maxSide: number;
  private readonly debounceMs: number;
  private readonly jsqr: JsQrOptions;

  constructor(opts: QrCameraOptions = {}) {
    this.maxSide = opts.maxSide ?? 640;
    this.debounceMs = opts.debounceMs ?? 3000;
    this.jsqr = { ...DEFAULT_JSQR_OPTIONS, ...opts.jsqr };
  }

  /** Returns a scan outcome for a newly presented code, or undefined (no code, or the same code still shown). */
  processFrame(frame: RgbaFrame, nowMs: number): ScanOutcome | undefined {
    const f = downscaleFrame(frame, this.maxSide);
    const text = scanRgba(f.data, f.width, f.height, this.jsqr);
    if (text === undefined) return undefined;
    const repeat = this.last !== undefined && this.last.text === text && nowMs - this.last.seenAt < this.debounceMs;
    this.last = { text, seenAt: nowMs };
    return repeat ? undefined : classifyQrText(text);
  }
}
