/** Camera QR round trip: qrcode → rendered 640×480 frame with a distortion → jsQR. Measured, never asserted. */
import { performance } from 'node:perf_hooks';
import { scanRgba, DEFAULT_JSQR_OPTIONS } from '../drivers/jsqr.ts';
import { randomMemberNo } from '../simulator/card-data.ts';
import { QR_DISTORTIONS, renderQrFrame } from '../simulator/qr-frame.ts';
import { between, seededRng } from '../simulator/rng.ts';

export async function benchQrCamera(opts: {
  frames: number;
  onProgress?: (done: number, total: number) => void;
}): Promise<Array<{ distortion: string; decodeRate: number; fps: number }>> {
  const names = Object.keys(QR_DISTORTIONS);
  const total = names.length * opts.frames;
  const rng = seededRng(2024);
  const results: Array<{ distortion: string; decodeRate: number; fps: number }> = [];
  let done = 0;
  // Warm the JIT first so the first distortion measured is not charged for compiling jsQR.
  for (let i = 0; i < 3; i++) {
    const f = renderQrFrame(`warm-up-${i}`, { rng });
    scanRgba(f.data, f.width, f.height, DEFAULT_JSQR_OPTIONS);
  }
  for (const name of names) {
    let ok = 0;
    let decodeMs = 0;
    for (let i = 0; i < opts.frames; i++) {
      // A member QR as the server might sign it: member number, time, signature (~70 characters).
      const payload = `HK1.${randomMemberNo(rng)}.${1732330000 + i}.${Math.floor(rng() * 2 ** 52).toString(36)}${Math.floor(rng() * 2 ** 52).toString(36)}`;
      const frame = renderQrFrame(payload, {
        ...QR_DISTORTIONS[name]!(rng),
        moduleSize: between(rng, 4, 6),
        offset: [between(rng, -120, 120), between(rng, -60, 60)],
        rng,
      });
      const t0 = performance.now();
      const text = scanRgba(frame.data, frame.width, frame.height, DEFAULT_JSQR_OPTIONS);
      decodeMs += performance.now() - t0;
      if (text === payload) ok++;
      opts.onProgress?.(++done, total);
      // Yield now and then so a progress bar can repaint.
      if (i % 10 === 9) await new Promise<void>((r) => setImmediate(r));
    }
    results.push({ distortion: name, decodeRate: ok / opts.frames, fps: opts.frames / (decodeMs / 1000) });
  }
  return results;
}
