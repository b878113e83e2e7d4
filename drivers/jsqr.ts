import jsQRModule, { type Options as JsQrOptions, type QRCode } from 'jsqr';

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
export function scanRgba(rgba: Uint8ClampedArray, width: number, height: number, options: JsQrOptions = DEFAULT_JSQR_OPTIONS): string | undefined {
  let inversionAttempts = options.inversionAttempts ?? DEFAULT_JSQR_OPTIONS.inversionAttempts;
  // 'onlyInvert' throws in jsQR 1.4.0 (it never builds the inverted image); 'invertFirst' tries it first safely.
  if (inversionAttempts === 'onlyInvert') inversionAttempts = 'invertFirst';
  const code = jsQRFn(rgba, width, height, { inversionAttempts });
  return code ? code.data : undefined;
}
