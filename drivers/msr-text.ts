import type { CardProfile } from '../core/credentials.ts';
import { scanError, type ScanOutcome } from './scan-result.ts';
import { swipeToCredential } from './swipe.ts';

/** One line as a keyboard-emulation reader types it (`%…?;…?` then CR) → card_track or SWIPE_GARBLED. */
export function decodeMsrLine(line: string, profiles?: readonly CardProfile[]): ScanOutcome {
  const s = line.replace(/[\r\n]+$/, '');
  if (s.trim() === '') return scanError('SWIPE_GARBLED', 'the reader sent an empty swipe; swipe again');
  return swipeToCredential(s, profiles);
}
