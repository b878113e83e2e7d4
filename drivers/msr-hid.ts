import { DEFAULT_CARD_PROFILES, type CardProfile } from '../core/credentials.ts';
import { scanError, type ScanOutcome } from './scan-result.ts';
import { swipeToCredential } from './swipe.ts';

/**
 * MagTek USB HID swipe reader input report (MagTek 99875206), one report per swipe, no report ID:
 *   0–2  track 1/2/3 decode status (0 = decoded, non-zero = error)
 *   3–5  track 1/2/3 data length (bytes used in the field below)
 *   6    card encode type (0 ISO/ABA, 1 AAMVA, 3 blank, 4 other, 5 undetermined, 6 none)
 *   7–116    track 1 data (110 bytes, ASCII, sentinels included, zero padded)
 *   117–226  track 2 data (110 bytes)
 *   227–336  track 3 data (110 bytes)
 */
export const MAGTEK_TRACK_FIELD = 110;
export const MAGTEK_REPORT_LENGTH = 7 + 3 * MAGTEK_TRACK_FIELD;
export const MAGTEK_VENDOR_ID = 0x0801;
const TRACK_OFFSET = 7;

export interface MagtekTrack {
  status: number;
  text: string;
}

export interface MagtekSwipe {
  encodeType: number;
  tracks: [MagtekTrack, MagtekTrack, MagtekTrack];
}

export function parseMagtekReport(report: Uint8Array): MagtekSwipe | { error: string } {
  if (report.length < MAGTEK_REPORT_LENGTH) return { error: `a swipe report is ${MAGTEK_REPORT_LENGTH} bytes, got ${report.length}` };
  const track = (i: number): MagtekTrack | { error: string } => {
    const len = report[3 + i]!;
    if (len > MAGTEK_TRACK_FIELD) return { error: `track ${i + 1} claims ${len} bytes, its field holds ${MAGTEK_TRACK_FIELD}` };
    const start = TRACK_OFFSET + i * MAGTEK_TRACK_FIELD;
    const bytes = report.subarray(start, start + len);
    return { status: report[i]!, text: String.fromCharCode(...bytes) };
  };
  const tracks = [track(0), track(1), track(2)];
  for (const t of tracks) if ('error' in t) return t;
  return { encodeType: report[6]!, tracks: tracks as MagtekSwipe['tracks'] };
}

/** One MagTek report → card_track, or SWIPE_GARBLED naming which tracks failed. Raw tracks stay in the result only. */
export function decodeMagtekReport(report: Uint8Array, profiles: readonly CardProfile[] = DEFAULT_CARD_PROFILES): ScanOutcome {
  const swipe = parseMagtekReport(report);
  if ('error' in swipe) return scanError('SWIPE_GARBLED', `${swipe.error}; swipe again`);
  const [t1, t2] = swipe.tracks;
  const bad: string[] = [];
  let text = '';
  if (t1.status === 0 && t1.text.length > 0) text += withSentinels(t1.text, '%');
  else if (t1.status !== 0) bad.push('track 1');
  if (t2.status === 0 && t2.text.length > 0) text += withSentinels(t2.text, ';');
  else if (t2.status !== 0) bad.push('track 2');
  if (text === '') {
    const why = bad.length > 0 ? `${bad.join(' and ')} could not be read` : 'the card has no data on tracks 1 and 2';
    return scanError('SWIPE_GARBLED', `${why}; swipe again, steadily`);
  }
  return swipeToCredential(text, profiles);
}

// Readers configured to strip sentinels send bare track text; put them back so one parser serves all readers.
function withSentinels(t: string, start: '%' | ';'): string {
  let s = t.startsWith(start) ? t : start + t;
  if (!/\?.?$/.test(s)) s += '?';
  return s;
}
