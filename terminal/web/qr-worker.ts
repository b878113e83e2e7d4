/** The camera scanner's worker: jsQR off the page's main thread, so the till stays responsive. */
import { attachQrWorker, type WorkerScopeLike } from '../../drivers/camera-qr-worker.ts';

attachQrWorker(self as unknown as WorkerScopeLike, { maxSide: 480, debounceMs: 3000 });
