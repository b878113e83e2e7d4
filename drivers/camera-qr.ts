/**
 * Camera QR decoding for the terminal and the cashier page. Browser-safe: no node imports, so the page can
 * run `processFrame` in a Web Worker (see camera-qr-worker.ts) on frames grabbed from getUserMedia.
 */
import { readJsqr, DEFAULT_JSQR_OPTIONS, type JsQrOptions } from './jsqr.ts';
import type { QrText } from './qr-payload.ts';
import { classifyQrText } from './qr-text.ts';
import { areaDownscale, scaleToFit, type RgbaFrame } from './rgba-frame.ts';
import type { ScanOutcome } from './scan-result.ts';
import type { ZxingQrReader } from './zxing-qr.ts';

export type { RgbaFrame };

/** Area-average downscale so the longer side is at most `maxSide`: jsQR's cost grows with pixels, not modules. */
export function downscaleFrame(frame: RgbaFrame, maxSide: number): RgbaFrame {
  return areaDownscale(frame, scaleToFit(frame, maxSide));
}

export interface QrCameraOptions {
  /** Longest side jsQR decodes; 640 keeps a phone-held code readable at ~15 fps on a till PC. Default 640. */
  maxSide?: number;
  /** Longest side zxing-wasm decodes: it downscales internally and stays cheap, and small codes need the pixels. Default 1280. */
  zxingMaxSide?: number;
  /** The same code seen again within this long is the same presentation, not a new scan. Default 3000 ms. */
  debounceMs?: number;
  jsqr?: JsQrOptions;
  /** zxing-wasm, tried first on every frame; a promise while its .wasm loads (jsQR alone until then, or if it fails). */
  zxing?: ZxingQrReader | Promise<ZxingQrReader | undefined> | undefined;
  /** Scales (of the downscaled frame) jsQR cycles through, one a frame. Default 1, 0.75, 0.5. */
  scales?: readonly number[];
  /** With zxing present, the share of worker time jsQR may take: after a jsQR run of t ms it rests t·(1/share − 1) ms. Default 0.1. */
  jsqrShare?: number;
  /** When the frame is seen, for the duty cycle's rest (default performance.now; the bench passes a virtual stream clock). */
  now?: () => number;
}

/**
 * Stateful frame processor: decodes each frame and reports a code once per presentation.
 * A code counts as presented again only after it has been absent for `debounceMs`.
 *
 * Cost is bounded per frame, so a hard frame never stalls the next ones: zxing-wasm (a few ms, even on a
 * frame with no code) runs on every frame; jsQR (25–450 ms on a textured frame with no code) runs once
 * per frame at most, at the next scale in `scales`, and, when zxing is there, only within its share of time.
 */
export class QrFrameProcessor {
  private last: { text: string; seenAt: number } | undefined;
  private readonly maxSide: number;
  private readonly zxingMaxSide: number;
  private readonly debounceMs: number;
  private readonly jsqr: JsQrOptions;
  private readonly scales: readonly number[];
  private readonly share: number;
  private readonly clock: () => number;
  private zxing: ZxingQrReader | undefined;
  private turn = 0;
  /** Which decoder gave the last read (for the worker's reply and the bench). */
  lastBy: 'zxing-wasm' | 'jsqr' | undefined;
  private jsqrRestUntil = -Infinity;

  constructor(opts: QrCameraOptions = {}) {
    this.maxSide = opts.maxSide ?? 640;
    this.zxingMaxSide = opts.zxingMaxSide ?? 1280;
    this.debounceMs = opts.debounceMs ?? 3000;
    this.jsqr = { ...DEFAULT_JSQR_OPTIONS, ...opts.jsqr };
    this.scales = opts.scales ?? [1, 0.75, 0.5];
    this.share = Math.min(1, Math.max(0.01, opts.jsqrShare ?? 0.1));
    this.clock = opts.now ?? (() => performance.now());
    const z = opts.zxing;
    if (typeof z === 'function') this.zxing = z;
    else if (z)
      void z.then(
        (r) => (this.zxing = r),
        () => undefined,
      );
  }

  /** Returns a scan outcome for a newly presented code, or undefined (no code, or the same code still shown). */
  async processFrame(frame: RgbaFrame, nowMs: number): Promise<ScanOutcome | undefined> {
    const read = await this.read(frame);
    if (read === undefined) return undefined;
    const key = 'text' in read ? read.text : `\u0000${read.notText}`;
    const repeat = this.last !== undefined && this.last.text === key && nowMs - this.last.seenAt < this.debounceMs;
    this.last = { text: key, seenAt: nowMs };
    return repeat ? undefined : classifyQrText(read);
  }

  private async read(frame: RgbaFrame): Promise<QrText | undefined> {
    if (this.zxing) {
      const r = await this.zxing(downscaleFrame(frame, this.zxingMaxSide));
      this.lastBy = 'zxing-wasm';
      if (r) return r;
      if (this.clock() < this.jsqrRestUntil) return undefined;
    }
    const scale = this.scales[this.turn++ % this.scales.length] ?? 1;
    const g = areaDownscale(frame, scaleToFit(frame, this.maxSide) * scale);
    // jsQR's cost is always measured on the real clock; `clock` only says when the rest is over.
    const t0 = performance.now();
    const r = readJsqr(g.data, g.width, g.height, this.jsqr);
    this.lastBy = 'jsqr';
    const spent = performance.now() - t0;
    this.jsqrRestUntil = this.clock() + spent * (1 / this.share - 1);
    return r;
  }
}
