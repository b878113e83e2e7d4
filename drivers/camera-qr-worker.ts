/**
 * Worker side of the cashier page's camera scanner. Browser-safe. The page posts downscaled frames
 * (`{id, width, height, data}` with `data` transferred) and gets `{id, outcome}` back; wire it with
 * `attachQrWorker(self)` in the worker entry file.
 */
import { QrFrameProcessor, type QrCameraOptions } from './camera-qr.ts';
import type { ScanOutcome } from './scan-result.ts';

export interface QrWorkerRequest {
  id: number;
  width: number;
  height: number;
  data: Uint8ClampedArray;
  /** Capture time (performance.now() on the page), used for debouncing. */
  at: number;
}

export interface QrWorkerReply {
  id: number;
  /** Undefined when the frame had no new code. */
  outcome: ScanOutcome | undefined;
  /** The decoder that ran last on this frame: zxing-wasm once its .wasm has loaded, jsQR otherwise. */
  by?: 'zxing-wasm' | 'jsqr' | undefined;
}

/** The part of a worker's global scope we use, so this file type-checks without the WebWorker lib. */
export interface WorkerScopeLike {
  onmessage: ((ev: { data: QrWorkerRequest }) => void) | null;
  postMessage(reply: QrWorkerReply): void;
}

export function attachQrWorker(scope: WorkerScopeLike, opts?: QrCameraOptions): QrFrameProcessor {
  const proc = new QrFrameProcessor(opts);
  scope.onmessage = (ev) => {
    const { id, width, height, data, at } = ev.data;
    // The page posts the next frame only after this reply, so frames never queue behind a slow one.
    void proc.processFrame({ data, width, height }, at).then(
      (outcome) => scope.postMessage({ id, outcome, by: proc.lastBy }),
      () => scope.postMessage({ id, outcome: undefined }),
    );
  };
  return proc;
}
