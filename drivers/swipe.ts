import { credentialFromTracks, splitSwipe, DEFAULT_CARD_PROFILES, type CardProfile } from '../core/credentials.ts';
import { scanError, type ScanOutcome } from './scan-result.ts';

/** Does this text look like stripe data (starts with a track sentinel and closes one)? */
export function looksLikeTracks(text: string): boolean {
  return /^[%;][^?]*\?/.test(text);
}

/**
 * One swipe's text (`%…?;…?`, CR/LF already or not yet removed) → a `card_track` credential holding the
 * single track the card profile accepted, or SWIPE_GARBLED with a reason the cashier can act on.
 */
export function swipeToCredential(text: string, profiles: readonly CardProfile[] = DEFAULT_CARD_PROFILES): ScanOutcome {
  const swipe = splitSwipe(text);
  // Track 2 first: every card carries it and every reader reads it; track 1 is the fallback.
  for (const track of [swipe.track2, swipe.track1]) {
    if (track === undefined) continue;
    if (credentialFromTracks(track, profiles).ok) return { ok: true, credential: { type: 'card_track', data: track } };
  }
  const whole = credentialFromTracks(text, profiles);
  const reason = whole.ok ? 'no track the card profile accepts' : whole.message;
  return scanError('SWIPE_GARBLED', `could not read the card: ${reason}`);
}
