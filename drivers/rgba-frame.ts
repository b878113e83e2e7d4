/** One camera frame or image, 4 bytes a pixel (RGBA), as a canvas's getImageData or pngjs gives it. */
export interface RgbaFrame {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

/**
 * Area-average downscale by `scale` (≤ 1): each output pixel is the mean of the source pixels it covers.
 * Nearest-neighbour drops whole rows and columns, which breaks thin QR modules; averaging keeps their
 * edges as grey that the binarizer still splits.
 */
export function areaDownscale(frame: RgbaFrame, scale: number): RgbaFrame {
  if (!(scale < 1) || scale <= 0) return frame;
  const { width: sw, height: sh, data: src } = frame;
  const width = Math.max(1, Math.round(sw * scale));
  const height = Math.max(1, Math.round(sh * scale));
  const data = new Uint8ClampedArray(width * height * 4);
  const fx = sw / width;
  const fy = sh / height;
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor(y * fy);
    const y1 = Math.max(y0 + 1, Math.min(sh, Math.floor((y + 1) * fy)));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor(x * fx);
      const x1 = Math.max(x0 + 1, Math.min(sw, Math.floor((x + 1) * fx)));
      let r = 0;
      let g = 0;
      let b = 0;
      for (let yy = y0; yy < y1; yy++) {
        let i = (yy * sw + x0) * 4;
        for (let xx = x0; xx < x1; xx++, i += 4) {
          r += src[i]!;
          g += src[i + 1]!;
          b += src[i + 2]!;
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const o = (y * width + x) * 4;
      data[o] = r / n;
      data[o + 1] = g / n;
      data[o + 2] = b / n;
      data[o + 3] = 255;
    }
  }
  return { data, width, height };
}

/** The scale that brings the longer side down to `maxSide` (1 when it is already that small). */
export const scaleToFit = (frame: { width: number; height: number }, maxSide: number): number =>
  Math.min(1, maxSide / Math.max(frame.width, frame.height, 1));
