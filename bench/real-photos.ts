/**
 * Real photos of QR codes (../shared/fixtures/real: the zxing and jsQR test sets, answers from their own
 * .txt / output.json), read by each decoder alone and by Huika's two paths. Measured, never asserted.
 * "No code" frames are the same photos with the code painted over in grey, so they keep the photo's texture
 * (what costs jsQR time) without anything to find.
 */
import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { readBarcodes } from 'zxing-wasm/reader';
import { decodeCapture } from '../cli/decode.ts';
import { QrFrameProcessor } from '../drivers/camera-qr.ts';
import { nodeZxingQr, pngToFrame } from '../drivers/camera-qr-node.ts';
import type { RgbaFrame } from '../drivers/rgba-frame.ts';
import { scanRgbaRaw } from '../drivers/jsqr.ts';
import { percentile } from './percentiles.ts';

const ROOT = new URL('../../shared/fixtures/real/', import.meta.url);

interface PhotoCase {
  id: string;
  file: string;
  /** What the code holds (the manifest's `content`), and what Huika must answer (a text, or an error code). */
  content: string;
  expect: { type: string; data: string } | { error: string };
}

type Verdict = 'right' | 'wrong' | 'none';
interface Column {
  name: string;
  right: number;
  wrong: number;
  ms: number[];
  noCodeMs: number[];
}

/** A camera holds a code in view for a while: the camera path gets this many frames of each photo, 15 fps apart. */
const CAMERA_FRAMES = 15;
const FRAME_MS = 1000 / 15;

export interface RealPhotoResult {
  photos: number;
  noCodeFrames: number;
  columns: Array<{ name: string; right: number; wrong: number; msMean: number; msP50: number; noCodeMean: number; noCodeP50: number }>;
  workerBundleKiB: { js: number; wasm: number };
}

/** A camera stream: one long-lived processor and a virtual clock, frames every FRAME_MS or when the worker is free. */
class CameraStream {
  private now = 0;
  private readonly proc: QrFrameProcessor;
  constructor(zxing: Awaited<ReturnType<typeof nodeZxingQr>>) {
    this.proc = new QrFrameProcessor({ zxing, now: () => this.now, debounceMs: 0 });
  }
  /** Shows `frame` for up to CAMERA_FRAMES frames; the text (or `\0CODE`) of the first read, if any. */
  async show(frame: RgbaFrame, into: number[]): Promise<string | undefined> {
    for (let i = 0; i < CAMERA_FRAMES; i++) {
      const t0 = performance.now();
      const o = await this.proc.processFrame(frame, this.now);
      const spent = performance.now() - t0;
      into.push(spent);
      this.now += Math.max(FRAME_MS, spent);
      if (o) return o.ok ? o.credential.data : `\u0000${o.error.code}`;
    }
    return undefined;
  }
}

/** The code's box from zxing (or nothing, when zxing cannot find it), padded, painted mid-grey. */
async function withoutCode(frame: RgbaFrame): Promise<RgbaFrame | undefined> {
  const [r] = await readBarcodes(
    { data: frame.data, width: frame.width, height: frame.height, colorSpace: 'srgb' } as unknown as ImageData,
    { formats: ['QRCode'], maxNumberOfSymbols: 1 },
  );
  if (!r) return undefined;
  const p = r.position;
  const xs = [p.topLeft.x, p.topRight.x, p.bottomLeft.x, p.bottomRight.x];
  const ys = [p.topLeft.y, p.topRight.y, p.bottomLeft.y, p.bottomRight.y];
  const pad = 0.3 * Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
  const data = frame.data.slice();
  for (let y = Math.max(0, Math.floor(Math.min(...ys) - pad)); y < Math.min(frame.height, Math.max(...ys) + pad); y++) {
    for (let x = Math.max(0, Math.floor(Math.min(...xs) - pad)); x < Math.min(frame.width, Math.max(...xs) + pad); x++) {
      const i = (y * frame.width + x) * 4;
      data[i] = data[i + 1] = data[i + 2] = 128;
    }
  }
  return { data, width: frame.width, height: frame.height };
}

export async function benchRealPhotos(
  opts: { onProgress?: (done: number, total: number) => void } = {},
): Promise<RealPhotoResult | { skipped: string }> {
  const manifest = new URL('manifest.json', ROOT);
  if (!existsSync(manifest)) return { skipped: `${fileURLToPath(ROOT)} is not there` };
  const cases = (
    JSON.parse(readFileSync(manifest, 'utf8')) as { cases: Array<PhotoCase & { kind: string; expect: PhotoCase['expect'][] }> }
  ).cases
    .filter((c) => c.kind === 'qr-image')
    .map((c) => ({ id: c.id, file: c.file, content: c.content, expect: c.expect[0]! }));
  const zxing = await nodeZxingQr();
  if (!zxing) return { skipped: 'zxing-wasm did not load' };
  const col = (name: string): Column => ({ name, right: 0, wrong: 0, ms: [], noCodeMs: [] });
  const bare = col('bare jsQR 1.4.0 (full size, its `data`)');
  const zx = col('zxing-wasm alone (tryHarder)');
  const cli = col('Huika CLI path (`huika decode --as qr-image`)');
  const cam = col('Huika camera path: the cashier worker (zxing-wasm, then jsQR on ≤640 px within its time share)');
  const camJs = col('Huika camera path, jsQR only (the worker before its .wasm has loaded)');
  const score = (c: Column, v: Verdict) => (v === 'right' ? c.right++ : v === 'wrong' ? c.wrong++ : 0);
  const textVerdict = (got: string | undefined, want: string): Verdict =>
    got === undefined || got === '' ? 'none' : got === want ? 'right' : 'wrong';
  const huikaVerdict = (got: string | undefined, c: PhotoCase): Verdict => {
    if (got === undefined) return 'none';
    if ('error' in c.expect) return got === `\u0000${c.expect.error}` ? 'right' : got.startsWith('\u0000') ? 'none' : 'wrong';
    return got === c.expect.data ? 'right' : got.startsWith('\u0000') ? 'none' : 'wrong';
  };
  // Warm the JIT and the wasm once, so the first photo is not charged for compiling.
  const warm = pngToFrame(readFileSync(new URL(cases[0]!.file, ROOT)));
  if (!('error' in warm))
    for (let i = 0; i < 2; i++) {
      scanRgbaRaw(warm);
      await zxing(warm);
    }
  let done = 0;
  let noCode = 0;
  const camStream = new CameraStream(zxing);
  const camJsStream = new CameraStream(undefined);
  const blanks: RgbaFrame[] = [];
  for (const c of cases) {
    const png = readFileSync(new URL(c.file, ROOT));
    const frame = pngToFrame(png);
    if ('error' in frame) continue;
    let t = performance.now();
    const b = scanRgbaRaw(frame);
    bare.ms.push(performance.now() - t);
    score(bare, textVerdict(b, c.content));
    t = performance.now();
    const z = await zxing(frame);
    zx.ms.push(performance.now() - t);
    score(zx, textVerdict(z && 'text' in z ? z.text : undefined, c.content));
    t = performance.now();
    const [o] = await decodeCapture('qr-image', png);
    cli.ms.push(performance.now() - t);
    score(cli, huikaVerdict(o!.ok ? o!.credential.data : `\u0000${o!.error.code}`, c));
    // The camera path classifies like a scan (a member number stays member_no); compare the text it carries.
    score(cam, huikaVerdict(await camStream.show(frame, cam.ms), c));
    score(camJs, huikaVerdict(await camJsStream.show(frame, camJs.ms), c));

    const blank = await withoutCode(frame);
    if (blank && scanRgbaRaw(blank) === undefined && (await zxing(blank)) === undefined) {
      noCode++;
      t = performance.now();
      scanRgbaRaw(blank);
      bare.noCodeMs.push(performance.now() - t);
      t = performance.now();
      await zxing(blank);
      zx.noCodeMs.push(performance.now() - t);
      const blankPng = (await import('pngjs')).PNG.sync.write({
        width: blank.width,
        height: blank.height,
        data: Buffer.from(blank.data.buffer, blank.data.byteOffset, blank.data.byteLength),
      } as never);
      t = performance.now();
      await decodeCapture('qr-image', blankPng);
      cli.noCodeMs.push(performance.now() - t);
      blanks.push(blank);
    }
    opts.onProgress?.(++done, cases.length);
  }
  // The camera with nothing in front of it: the no-code frames one after another, as a quiet till sees them.
  const quiet = new CameraStream(zxing);
  const quietJs = new CameraStream(undefined);
  for (const b of blanks) {
    await quiet.show(b, cam.noCodeMs);
    await quietJs.show(b, camJs.noCodeMs);
  }
  const mean = (a: number[]) => (a.length ? a.reduce((x, y) => x + y, 0) / a.length : NaN);
  const p50 = (a: number[]) =>
    a.length
      ? percentile(
          [...a].sort((x, y) => x - y),
          50,
        )
      : NaN;
  const { bundle } = await import('../web/bundle.ts');
  const worker = await bundle(new URL('../terminal/web/qr-worker.ts', import.meta.url));
  const wasmBytes = readFileSync(fileURLToPath(import.meta.resolve('zxing-wasm/reader/zxing_reader.wasm'))).byteLength;
  return {
    photos: cases.length,
    noCodeFrames: noCode,
    columns: [bare, zx, cli, cam, camJs].map((c) => ({
      name: c.name,
      right: c.right,
      wrong: c.wrong,
      msMean: mean(c.ms),
      msP50: p50(c.ms),
      noCodeMean: mean(c.noCodeMs),
      noCodeP50: p50(c.noCodeMs),
    })),
    workerBundleKiB: { js: Buffer.byteLength(worker) / 1024, wasm: wasmBytes / 1024 },
  };
}

/** The markdown table `npm run bench` prints and docs/BENCHMARKS.md records. */
export function realPhotoTable(r: RealPhotoResult | { skipped: string }): string[] {
  if ('skipped' in r) return ['', `Real QR photos: skipped (${r.skipped}).`];
  const f = (n: number) => (Number.isNaN(n) ? '—' : n.toFixed(1));
  return [
    '',
    `| real QR photos (${r.photos}, ../shared/fixtures/real) | read right | wrong text | ms a frame, mean | p50 | ms on a frame with no code (${r.noCodeFrames}), mean | p50 |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.columns.map(
      (c) => `| ${c.name} | ${c.right} | ${c.wrong} | ${f(c.msMean)} | ${f(c.msP50)} | ${f(c.noCodeMean)} | ${f(c.noCodeP50)} |`,
    ),
    '',
    `Camera rows: one stream, each photo held up for at most ${CAMERA_FRAMES} frames at 15 fps, then the no-code frames one after another; ms are per frame. Cashier worker download: ${r.workerBundleKiB.js.toFixed(0)} KiB of script (jsQR and zxing-wasm's loader) + ${r.workerBundleKiB.wasm.toFixed(0)} KiB of .wasm, once, from the terminal.`,
  ];
}
