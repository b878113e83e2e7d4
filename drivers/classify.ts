import { isMemberNo, isPan, type CardProfile } from '../core/credentials.ts';
import { isProductSymbology, isQrSymbology, type AimId } from './aim.ts';
import { scanError, type ScanOutcome } from './scan-result.ts';
import { looksLikeTracks, swipeToCredential } from './swipe.ts';

export const MAX_QR_LENGTH = 512;

/**
 * What a scanned string is, in this order (docs/DRIVERS.md, "Classification"):
 * 1. EAN/UPC symbology → not a credential (a product was scanned by mistake);
 * 2. digits only: 10 and Luhn-valid → member_no; 12–19 and Luhn-valid → card_number;
 *    10 or 12–19 digits failing Luhn from a 1D code or keyboard → SCAN_CHECK_DIGIT (a misread, scan again);
 * 3. `%…?` / `;…?` → card_track (or SWIPE_GARBLED);
 * 4. anything else, 1–512 characters → qr.
 */
export function classifyScan(text: string, aim?: AimId, profiles?: readonly CardProfile[]): ScanOutcome {
  const symbology = aim?.id;
  if (text.length === 0) return scanError('SCAN_NOT_CREDENTIAL', 'the scan was empty; scan again');
  if (isProductSymbology(aim)) return scanError('SCAN_NOT_CREDENTIAL', 'that is a product barcode, not a member card or QR code');
  if (/^\d+$/.test(text)) {
    if (isMemberNo(text)) return { ok: true, credential: { type: 'member_no', data: text }, symbology };
    if (isPan(text)) return { ok: true, credential: { type: 'card_number', data: text }, symbology };
    const lengthLikeId = text.length === 10 || (text.length >= 12 && text.length <= 19);
    // A QR code has its own error correction, so a digit string from it is what was encoded: pass it on.
    if (lengthLikeId && !isQrSymbology(aim)) {
      return scanError('SCAN_CHECK_DIGIT', `a ${text.length}-digit number failed its check digit; scan again`);
    }
  }
  if (looksLikeTracks(text)) {
    const out = swipeToCredential(text, profiles);
    return out.ok ? { ...out, symbology } : out;
  }
  if (text.length > MAX_QR_LENGTH)
    return scanError('SCAN_TOO_LONG', `the code holds ${text.length} characters; a member QR holds at most ${MAX_QR_LENGTH}`);
  return { ok: true, credential: { type: 'qr', data: text }, symbology };
}
