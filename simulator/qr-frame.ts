import QRCode from 'qrcode';
import { PNG } from 'pngjs';
import type { RgbaFrame } from '../drivers/camera-qr.ts';
import { seededRng, type Rng } from './rng.ts';

export interface QrFrameOptions {
  width?: number;
  height?: number;
  /** Pixels per QR module; a phone held at the till shows 4–6 at 640×480. Default 5. */
  moduleSize?: number;
  /** Rotation of the code in degrees (a phone is never held square). */
  rotationDeg?: number;
  /** Box-blur radius in pixels, three passes (≈ Gaussian): an out-of-focus camera. */
  blur?: number;
  /** 1 = black on white; 0.3 = a dim phone screen behind glare. */
  contrast?: number;
  /** Fraction of the code's width covered by a thumb from the bottom-right corner (0–1). */
  occlusion?: number;
  /** Standard deviation of sensor noise, in grey levels. */
  noise?: number;
  /** Offset of the code centre from the frame centre, in pixels. */
  offset?: [number, number];
  errorCorrectionLevel?: 'L' | 'M' | 'Q' | 'H';
  rng?: Rng;
}

/**
 * Renders `text` as a QR code into an RGBA camera frame, from the module matrix of `QRCode.create()`.
 * Grey levels are computed per pixel by mapping it back into the (rotated) code, then blurred and noised.
 */
export function renderQrFrame(text: string | QRCode.QRCodeSegment[], o: QrFrameOptions = {}): RgbaFrame {
  const width = o.width ?? 640;
  const height = o.height ?? 480;
  const m = o.moduleSize ?? 5;
  const rng = o.rng ?? seededRng(1);
  const qr = QRCode.create(text, { errorCorrectionLevel: o.errorCorrectionLevel ?? 'M' });
  const size = qr.modules.size;
  const quiet = 4; // the standard quiet zone; jsQR needs some white around the finder patterns
  const total = (size + 2 * quiet) * m;
  const bg = 235;
  const fg = bg - (o.contrast ?? 1) * (bg - 15);
  const theta = ((o.rotationDeg ?? 0) * Math.PI) / 180;
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const cx = width / 2 + (o.offset?.[0] ?? 0);
  const cy = height / 2 + (o.offset?.[1] ?? 0);
  const occ = (o.occlusion ?? 0) * total;
  let grey: Float32Array = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = x - cx;
      const dy = y - cy;
      // Back-rotate into code coordinates, origin at the code's top-left corner (quiet zone included).
      const u = cos * dx + sin * dy + total / 2;
      const v = -sin * dx + cos * dy + total / 2;
      let g = bg;
      if (u >= 0 && v >= 0 && u < total && v < total) {
        const col = Math.floor(u / m) - quiet;
        const row = Math.floor(v / m) - quiet;
        if (row >= 0 && col >= 0 && row < size && col < size && qr.modules.get(row, col)) g = fg;
        // A thumb over the bottom-right corner: skin tone reads as mid grey to a camera.
        if (occ > 0 && u > total - occ && v > total - occ) g = 150;
      }
      grey[y * width + x] = g;
    }
  }
  const r = Math.round(o.blur ?? 0);
  if (r > 0) for (let pass = 0; pass < 3; pass++) grey = boxBlur(grey, width, height, r);
  const data = new Uint8ClampedArray(width * height * 4);
  const sd = o.noise ?? 0;
  for (let i = 0; i < grey.length; i++) {
    // Box-Muller for Gaussian sensor noise.
    const n = sd > 0 ? sd * Math.sqrt(-2 * Math.log(rng() || 1e-9)) * Math.cos(2 * Math.PI * rng()) : 0;
    const g = grey[i]! + n;
    data[i * 4] = g;
    data[i * 4 + 1] = g;
    data[i * 4 + 2] = g;
    data[i * 4 + 3] = 255;
  }
  return { data, width, height };
}

function boxBlur(src: Float32Array, w: number, h: number, r: number): Float32Array {
  const tmp = new Float32Array(src.length);
  const out = new Float32Array(src.length);
  const k = 2 * r + 1;
  for (let y = 0; y < h; y++) {
    let acc = 0;
    for (let x = -r; x <= r; x++) acc += src[y * w + Math.min(w - 1, Math.max(0, x))]!;
    for (let x = 0; x < w; x++) {
      tmp[y * w + x] = acc / k;
      acc += src[y * w + Math.min(w - 1, x + r + 1)]! - src[y * w + Math.max(0, x - r)]!;
    }
  }
  for (let x = 0; x < w; x++) {
    let acc = 0;
    for (let y = -r; y <= r; y++) acc += tmp[Math.min(h - 1, Math.max(0, y)) * w + x]!;
    for (let y = 0; y < h; y++) {
      out[y * w + x] = acc / k;
      acc += tmp[Math.min(h - 1, y + r + 1) * w + x]! - tmp[Math.max(0, y - r) * w + x]!;
    }
  }
  return out;
}

/** A frame as a PNG file, as `huika decode --as qr-image` reads. */
export function frameToPng(frame: RgbaFrame): Buffer {
  const png = new PNG({ width: frame.width, height: frame.height });
  png.data = Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength);
  return PNG.sync.write(png);
}

/** The distortions the bench measures, each a range of parameters drawn per frame. */
export const QR_DISTORTIONS: Record<string, (rng: Rng) => QrFrameOptions> = {
  clean: () => ({}),
  rotation: (rng) => ({ rotationDeg: 10 + rng() * 35 }),
  blur: (rng) => ({ blur: 1 + Math.floor(rng() * 2) }),
  'low-contrast': (rng) => ({ contrast: 0.2 + rng() * 0.15, noise: 6 }),
  occlusion: (rng) => ({ occlusion: 0.1 + rng() * 0.08 }),
  noise: () => ({ noise: 25 }),
  combined: (rng) => ({ rotationDeg: rng() * 20, blur: 1, contrast: 0.6, noise: 4, occlusion: 0.05 }),
};
