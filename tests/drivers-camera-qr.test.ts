import { describe, expect, it, vi } from 'vitest';
import { decodeCapture } from '../cli/decode.ts';
import { QrFrameProcessor, downscaleFrame } from '../drivers/camera-qr.ts';
import { attachQrWorker, type QrWorkerReply, type WorkerScopeLike } from '../drivers/camera-qr-worker.ts';
import { frameToPng, renderQrFrame } from '../simulator/qr-frame.ts';

const TOKEN = 'HK1.5133000017.1732330000.sig';

describe('camera QR', () => {
  it('decodes a rendered, rotated frame and debounces the same code across frames', async () => {
    const frame = renderQrFrame(TOKEN, { rotationDeg: 20, moduleSize: 5 });
    const proc = new QrFrameProcessor({ debounceMs: 1000, scales: [1] });
    expect(await proc.processFrame(frame, 0)).toEqual({ ok: true, credential: { type: 'qr', data: TOKEN }, symbology: ']Q1' });
    expect(await proc.processFrame(frame, 100)).toBeUndefined();
    expect(await proc.processFrame(frame, 900)).toBeUndefined();
    // Still in view the whole time: the window slides with each sighting.
    expect(await proc.processFrame(frame, 1850)).toBeUndefined();
    expect(await proc.processFrame(frame, 3000)).toMatchObject({ ok: true });
  });

  it('finds nothing in an empty frame', async () => {
    const blank = { data: new Uint8ClampedArray(64 * 48 * 4).fill(200), width: 64, height: 48 };
    expect(await new QrFrameProcessor().processFrame(blank, 0)).toBeUndefined();
  });

  it('downscales a 1280×960 frame to the longest side asked for', () => {
    const f = downscaleFrame({ data: new Uint8ClampedArray(1280 * 960 * 4), width: 1280, height: 960 }, 640);
    expect([f.width, f.height, f.data.length]).toEqual([640, 480, 640 * 480 * 4]);
  });

  it('the worker module answers each posted frame by id', async () => {
    const replies: QrWorkerReply[] = [];
    const scope: WorkerScopeLike = { onmessage: null, postMessage: (r) => replies.push(r) };
    attachQrWorker(scope);
    const f = renderQrFrame(TOKEN);
    scope.onmessage?.({ data: { id: 7, width: f.width, height: f.height, data: f.data, at: 0 } });
    await vi.waitFor(() => expect(replies).toHaveLength(1));
    expect(replies).toEqual([{ id: 7, outcome: { ok: true, credential: { type: 'qr', data: TOKEN }, symbology: ']Q1' }, by: 'jsqr' }]);
  });

  it('qr-image always answers type qr, even for a member number', async () => {
    expect(await decodeCapture('qr-image', frameToPng(renderQrFrame('5133000017', { blur: 1 })))).toEqual([
      { ok: true, credential: { type: 'qr', data: '5133000017' }, symbology: ']Q1' },
    ]);
    expect(await decodeCapture('qr-image', new Uint8Array([1, 2, 3]))).toMatchObject([{ ok: false, error: { code: 'QR_NOT_FOUND' } }]);
  });

  it('passes jsQR its options on every call, so another caller cannot change them (jsQR 1.4.0 shares its defaults)', async () => {
    const m = (await import('jsqr')) as unknown as { default: { default?: unknown } };
    const raw = (m.default.default ?? m.default) as (d: Uint8ClampedArray, w: number, h: number, o?: object) => { data: string } | null;
    const { scanRgba } = await import('../drivers/jsqr.ts');
    const f = renderQrFrame('light-on-dark');
    const inverted = f.data.map((v, k) => (k % 4 === 3 ? v : 255 - v));
    expect(raw(inverted, f.width, f.height, { inversionAttempts: 'dontInvert' })).toBeNull();
    // The bug: a later call without options inherits dontInvert and misses a dark-mode code.
    expect(raw(inverted, f.width, f.height)).toBeNull();
    expect(scanRgba(inverted, f.width, f.height, {})).toBe('light-on-dark');
    // 'onlyInvert' crashes jsQR 1.4.0 (it scans an inverted image it never made); the wrapper avoids it.
    expect(scanRgba(inverted, f.width, f.height, { inversionAttempts: 'onlyInvert' })).toBe('light-on-dark');
    raw(f.data, f.width, f.height, { inversionAttempts: 'attemptBoth' });
  });
});
