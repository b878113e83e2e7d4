/**
 * zxing-wasm (ZXing-C++ in WebAssembly) as a QR reader. Browser-safe: the caller says where the .wasm is
 * (bytes read from node_modules in Node, a local URL in the browser) so nothing is ever fetched from a CDN,
 * which is zxing-wasm's default.
 */
import { prepareZXingModule, readBarcodes, type ReaderOptions } from 'zxing-wasm/reader';
import { eciProtocolSegments, segmentsToText, type QrText } from './qr-payload.ts';
import type { RgbaFrame } from './rgba-frame.ts';

export type ZxingWasmSource = { wasmBinary: ArrayBuffer } | { wasmUrl: string };

/** Reads one frame; undefined when zxing finds no QR code. */
export type ZxingQrReader = (frame: RgbaFrame) => Promise<QrText | undefined>;

const OPTIONS: ReaderOptions = {
  formats: ['QRCode'],
  tryHarder: true,
  tryInvert: true,
  tryRotate: true,
  tryDownscale: true,
  maxNumberOfSymbols: 1,
};

/** Instantiates the module once and returns a reader; rejects when the .wasm cannot be loaded. */
export async function loadZxingQr(source: ZxingWasmSource): Promise<ZxingQrReader> {
  const overrides =
    'wasmBinary' in source
      ? { wasmBinary: source.wasmBinary }
      : { locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? source.wasmUrl : prefix + path) };
  await prepareZXingModule({ overrides, fireImmediately: true });
  return async (frame) => {
    const image = { data: frame.data, width: frame.width, height: frame.height, colorSpace: 'srgb' } as unknown as ImageData;
    let results: Awaited<ReturnType<typeof readBarcodes>>;
    try {
      results = await readBarcodes(image, OPTIONS);
    } catch {
      return undefined;
    }
    const r = results.find((x) => x.isValid);
    if (!r) return undefined;
    // Our own charset order, not zxing's guess (it does not know GB18030): raw bytes, split at declared ECIs.
    return segmentsToText(r.hasECI ? eciProtocolSegments(r.bytesECI) : [{ bytes: r.bytes }]);
  };
}
