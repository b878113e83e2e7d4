import { classifyScan, MAX_QR_LENGTH } from './classify.ts';
import { parseAimId } from './aim.ts';
import { scanError, type ScanOutcome } from './scan-result.ts';

/** Text from a camera QR read. A member number in a QR counts as member_no; everything else is `qr`. */
export function classifyQrText(text: string): ScanOutcome {
  return classifyScan(text, parseAimId(']Q1'));
}

/** `huika decode --as qr-image` and the bench: always type `qr`, whatever the payload looks like. */
export function qrImageOutcome(text: string | undefined): ScanOutcome {
  if (text === undefined) return scanError('QR_NOT_FOUND', 'no QR code found in the image');
  if (text.length === 0 || text.length > MAX_QR_LENGTH) return scanError('SCAN_TOO_LONG', `a member QR holds 1 to ${MAX_QR_LENGTH} characters`);
  return { ok: true, credential: { type: 'qr', data: text }, symbology: ']Q1' };
}
