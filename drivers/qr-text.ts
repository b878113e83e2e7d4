import { classifyScan, MAX_QR_LENGTH } from './classify.ts';
import { parseAimId } from './aim.ts';
import type { QrText } from './qr-payload.ts';
import { scanError, type ScanOutcome } from './scan-result.ts';

const notText = (why: string) =>
  scanError('QR_NOT_TEXT', `二维码内容不是文字，请出示会员码 The QR code holds ${why}; show the member QR code`);

/** Text from a camera QR read. A member number in a QR counts as member_no; everything else is `qr`. */
export function classifyQrText(read: string | QrText): ScanOutcome {
  if (typeof read !== 'string' && 'notText' in read) return notText(read.notText);
  return classifyScan(typeof read === 'string' ? read : read.text, parseAimId(']Q1'));
}

/** `huika decode --as qr-image` and the bench: always type `qr`, whatever the payload looks like. */
export function qrImageOutcome(read: string | QrText | undefined): ScanOutcome {
  if (read === undefined) return scanError('QR_NOT_FOUND', 'no QR code found in the image');
  if (typeof read !== 'string' && 'notText' in read) return notText(read.notText);
  const text = typeof read === 'string' ? read : read.text;
  if (text.length === 0 || text.length > MAX_QR_LENGTH)
    return scanError('SCAN_TOO_LONG', `a member QR holds 1 to ${MAX_QR_LENGTH} characters`);
  return { ok: true, credential: { type: 'qr', data: text }, symbology: ']Q1' };
}
