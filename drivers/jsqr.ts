import jsQRModule, { type Options as JsQrOptions, type QRCode } from 'jsqr';
import { segmentsToText, type QrSegment, type QrText } from './qr-payload.ts';

// jsqr is a UMD bundle: Node's ESM loader hands over module.exports, bundlers may hand over `.default`.
const jsQRFn = ((jsQRModule as unknown as { default?: unknown }).default ?? jsQRModule) as unknown as (
  data: Uint8ClampedArray,
  width: number,
  height: number,
  options: JsQrOptions,
) => QRCode | null;

export type { JsQrOptions };

/** Phones in dark mode show light-on-dark codes, so try both polarities unless told otherwise. */
export const DEFAULT_JSQR_OPTIONS: Readonly<Required<JsQrOptions>> = { inversionAttempts: 'attemptBoth' };

/**
 * jsQR with its options always spelled out: jsQR 1.4.0 copies a call's options into its shared defaults,
 * so one call that omits them would inherit whatever the previous caller chose.
 */
export function scanRgba(
  rgba: Uint8ClampedArray,
  width: number,
  height: number,
  options: JsQrOptions = DEFAULT_JSQR_OPTIONS,
): string | undefined {
  const r = readJsqr(rgba, width, height, options);
  return r && 'text' in r ? r.text : undefined;
}

/**
 * jsQR's read of a frame as text (or why it is not text), undefined when it finds no code. jsQR decodes
 * byte segments only as UTF-8 and leaves `data` empty otherwise, so the text is rebuilt from its chunks.
 */
export function readJsqr(
  rgba: Uint8ClampedArray,
  width: number,
  height: number,
  options: JsQrOptions = DEFAULT_JSQR_OPTIONS,
): QrText | undefined {
  let inversionAttempts = options.inversionAttempts ?? DEFAULT_JSQR_OPTIONS.inversionAttempts;
  // 'onlyInvert' throws in jsQR 1.4.0 (it never builds the inverted image); 'invertFirst' tries it first safely.
  if (inversionAttempts === 'onlyInvert') inversionAttempts = 'invertFirst';
  let code: QRCode | null;
  try {
    code = jsQRFn(rgba, width, height, { inversionAttempts });
  } catch {
    return undefined; // jsQR throws on a few degenerate frames (tiny or odd-sized); that frame has no code we can read
  }
  return code ? jsqrText(code) : undefined;
}

function jsqrText(code: QRCode): QrText {
  const segments: QrSegment[] = [];
  let eci: number | undefined;
  for (const c of code.chunks) {
    if (c.type === 'eci') eci = 'assignmentNumber' in c && c.assignmentNumber >= 0 ? c.assignmentNumber : undefined;
    // Kanji mode is Shift_JIS by definition, and jsQR maps it right; byte mode is what needs a charset.
    else if (c.type === 'byte' && 'bytes' in c) segments.push({ bytes: Uint8Array.from(c.bytes), eci });
    else if ('text' in c) segments.push({ text: c.text });
  }
  return segmentsToText(segments);
}

/** jsQR as Huika called it before issue 10 (full size, its own `data`, empty for non-UTF-8 bytes): the bench's baseline. */
export function scanRgbaRaw(frame: { data: Uint8ClampedArray; width: number; height: number }): string | undefined {
  try {
    return jsQRFn(frame.data, frame.width, frame.height, { inversionAttempts: 'attemptBoth' })?.data;
  } catch {
    return undefined;
  }
}
