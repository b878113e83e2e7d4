import type { CredentialType } from '../core/credentials.ts';

/** A credential as the terminal sends it to the server (CONTRACT.md, "Credentials"). */
export interface Credential {
  type: CredentialType;
  data: string;
}

export type ScanErrorCode =
  | 'SCAN_GARBLED' // bytes that no real scanner sends (bad length, broken report)
  | 'SCAN_INCOMPLETE' // a code cut off: no suffix before the timeout, or continuation never finished
  | 'SCAN_CHECK_DIGIT' // looks like a member or card number but fails its Luhn check
  | 'SCAN_NOT_CREDENTIAL' // a product barcode (EAN/UPC) or an empty scan
  | 'SCAN_TOO_LONG' // more than a QR credential may hold
  | 'SWIPE_GARBLED' // the stripe could not be read or is not ISO/IEC 7813
  | 'QR_NOT_FOUND' // no QR code in a camera frame
  | 'QR_NOT_TEXT' // a QR code was read but its bytes are text in none of the encodings we try
  | 'SCANNER_REPLY' // the scanner answered a menu command or sent a status report: not a scan
  | 'CAPTURE_MALFORMED'; // a capture file line that is not a valid report

/** A scanner's answer to a menu command, or a status report: kept apart from scans, never a credential. */
export interface ScannerReply {
  /** AIM identifier the scanner sent with it (`]Z6`, `]X0`…). */
  symbology: string;
  text: string;
}

/** What a driver tells the terminal about one read: errors are data, never thrown. */
export type ScanOutcome =
  | { ok: true; credential: Credential; symbology?: string | undefined }
  | { ok: false; error: { code: ScanErrorCode; message: string }; reply?: ScannerReply };

export const scanError = (code: ScanErrorCode, message: string): ScanOutcome => ({ ok: false, error: { code, message } });

/** A scanner reply as an outcome: an error to anything that only knows scans, so it can never become a credential. */
export const scannerReply = (reply: ScannerReply): ScanOutcome => ({
  ok: false,
  error: {
    code: 'SCANNER_REPLY',
    message: `扫描枪回复了设置命令，不是扫码 The scanner answered a command (${reply.symbology}); this is not a scan`,
  },
  reply,
});
