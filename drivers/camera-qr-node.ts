import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PNG } from 'pngjs';
import { readQrImage } from './qr-image-decode.ts';
import { qrImageOutcome } from './qr-text.ts';
import type { RgbaFrame } from './rgba-frame.ts';
import { scanError, type ScanOutcome } from './scan-result.ts';
import { loadZxingQr, type ZxingQrReader } from './zxing-qr.ts';

let zxing: Promise<ZxingQrReader | undefined> | undefined;

/** zxing-wasm with its .wasm read from node_modules (offline); undefined if it cannot load, and jsQR carries on alone. */
export function nodeZxingQr(): Promise<ZxingQrReader | undefined> {
  zxing ??= (async () => {
    const file = createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm');
    const b = readFileSync(file);
    return loadZxingQr({ wasmBinary: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer });
  })().catch(() => undefined);
  return zxing;
}

export function pngToFrame(png: Uint8Array): RgbaFrame | { error: string } {
  try {
    const img = PNG.sync.read(Buffer.from(png.buffer, png.byteOffset, png.byteLength));
    return { data: new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.byteLength), width: img.width, height: img.height };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** Decode one PNG image (as `huika decode --as qr-image` does): always `{type:'qr'}` or an error. */
export async function decodeQrPng(png: Uint8Array): Promise<ScanOutcome> {
  const frame = pngToFrame(png);
  if ('error' in frame) return scanError('QR_NOT_FOUND', `not a readable PNG image (${frame.error})`);
  const r = await readQrImage(frame, { zxing: await nodeZxingQr() });
  return qrImageOutcome(r?.read);
}
