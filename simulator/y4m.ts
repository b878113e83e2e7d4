/**
 * Y4M (YUV4MPEG2) video, the format Chromium's fake camera plays with --use-file-for-fake-video-capture:
 * a text header, then per frame `FRAME\n` and the I420 planes (Y full size, U and V a quarter each).
 */
import type { RgbaFrame } from '../drivers/camera-qr.ts';

export function rgbaToI420(f: RgbaFrame): Uint8Array {
  const { width: w, height: h, data } = f;
  const out = new Uint8Array(w * h + 2 * (w / 2) * (h / 2));
  const uOff = w * h;
  const vOff = uOff + (w / 2) * (h / 2);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      // BT.601 full range, as Chromium expects for C420jpeg.
      out[y * w + x] = Math.round(0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!);
    }
  }
  for (let y = 0; y < h / 2; y++) {
    for (let x = 0; x < w / 2; x++) {
      const i = (2 * y * w + 2 * x) * 4;
      const r = data[i]!;
      const g = data[i + 1]!;
      const b = data[i + 2]!;
      out[uOff + y * (w / 2) + x] = Math.max(0, Math.min(255, Math.round(128 - 0.168736 * r - 0.331264 * g + 0.5 * b)));
      out[vOff + y * (w / 2) + x] = Math.max(0, Math.min(255, Math.round(128 + 0.5 * r - 0.418688 * g - 0.081312 * b)));
    }
  }
  return out;
}

/** A whole Y4M file of `frames` (even width and height), at `fps` frames a second. */
export function y4mVideo(frames: readonly RgbaFrame[], fps = 10): Buffer {
  const first = frames[0];
  if (!first || first.width % 2 || first.height % 2) throw new Error('y4m needs at least one frame with even width and height');
  const header = Buffer.from(`YUV4MPEG2 W${first.width} H${first.height} F${fps}:1 Ip A1:1 C420jpeg\n`);
  const parts: Buffer[] = [header];
  for (const f of frames) {
    parts.push(Buffer.from('FRAME\n'), Buffer.from(rgbaToI420(f)));
  }
  return Buffer.concat(parts);
}
