/**
 * The camera scanner's worker: decoding off the page's main thread, so the till stays responsive.
 * zxing-wasm first (docs/BENCHMARKS.md, "Real QR photos": it reads more photos and spends ~4 ms on a frame
 * with no code, against jsQR's 25–450 ms), its .wasm served by the terminal itself; jsQR alone until it
 * has loaded, or if it cannot.
 */
import { attachQrWorker, type WorkerScopeLike } from '../../drivers/camera-qr-worker.ts';
import { loadZxingQr } from '../../drivers/zxing-qr.ts';

const zxing = loadZxingQr({ wasmUrl: '/assets/zxing_reader.wasm' }).catch(() => undefined);
attachQrWorker(self as unknown as WorkerScopeLike, { maxSide: 640, debounceMs: 3000, zxing });
