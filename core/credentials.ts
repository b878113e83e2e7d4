/**
 * Credential parsing: what a terminal read → what the server can look up.
 * Pure and shared by server, terminal and drivers. Raw PAN/track text only ever lives in the returned
 * value for the length of one request; callers hash it and keep the last 4.
 */
import { luhnValid } from './luhn.ts';

export const CREDENTIAL_TYPES = ['card_track', 'card_number', 'member_no', 'qr'] as const;
export type CredentialType = (typeof CREDENTIAL_TYPES)[number];

export type ParsedCredential =
  | { kind: 'pan'; pan: string; last4: string; via: 'card_number' | 'card_track' }
  | { kind: 'member_no'; memberNo: string; via: 'member_no' | 'card_track' }
  | { kind: 'qr'; token: string };

export type CredentialError = { ok: false; code: 'VALIDATION_FAILED'; message: string };
export type CredentialResult = { ok: true; value: ParsedCredential } | CredentialError;

const fail = (message: string): CredentialError => ({ ok: false, code: 'VALIDATION_FAILED', message });

export function isMemberNo(s: string): boolean {
  return /^\d{10}$/.test(s) && luhnValid(s);
}

export function isPan(s: string): boolean {
  return /^\d{12,19}$/.test(s) && luhnValid(s);
}

/** ISO/IEC 7813 track 1 (format B): %B PAN ^ NAME ^ YYMM SSS discretionary ? */
export interface Track1 {
  pan: string;
  name: string;
  expiry: string;
  serviceCode: string;
}
/** ISO/IEC 7813 track 2: ; PAN = YYMM SSS discretionary ? */
export interface Track2 {
  pan: string;
  expiry: string;
  serviceCode: string;
}

export type TrackParse<T> = { ok: true; value: T } | { ok: false; message: string };

export function parseTrack1(t: string): TrackParse<Track1> {
  const m = /^%B(\d{1,19})\^([^^]{0,26})\^(\d{4})(\d{3})?([^?]*)\?.?$/.exec(t);
  if (!m) return { ok: false, message: 'track 1 is not %B<PAN>^<NAME>^<YYMM>…?' };
  return { ok: true, value: { pan: m[1]!, name: m[2]!.trim(), expiry: m[3]!, serviceCode: m[4] ?? '' } };
}

export function parseTrack2(t: string): TrackParse<Track2> {
  const m = /^;(\d{1,19})=(\d{4})?(\d{3})?(\d*)\?.?$/.exec(t);
  if (!m) return { ok: false, message: 'track 2 is not ;<PAN>=<YYMM>…?' };
  return { ok: true, value: { pan: m[1]!, expiry: m[2] ?? '', serviceCode: m[3] ?? '' } };
}

/** A swipe as keyboard-emulation readers type it: track 1 and/or track 2 and/or track 3, each sentinel-framed. */
export interface Swipe {
  track1?: string;
  track2?: string;
  track3?: string;
  errors: string[];
}

export function splitSwipe(text: string): Swipe {
  const s = text.replace(/[\r\n]+$/, '');
  const swipe: Swipe = { errors: [] };
  // %…? is track 1; ;…? is track 2, a second ;…? is track 3 (ISO 4909). "%E?" / ";E?" mean the reader could not read it.
  const re = /(%[^?]*\?|;[^?]*\?)/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(s))) {
    const tr = m[1]!;
    if (tr === '%E?') swipe.errors.push('track 1 unreadable');
    else if (tr === ';E?') swipe.errors.push(swipe.track2 === undefined ? 'track 2 unreadable' : 'track 3 unreadable');
    else if (tr.startsWith('%')) swipe.track1 = tr;
    else if (swipe.track2 === undefined) swipe.track2 = tr;
    else swipe.track3 = tr;
    consumed += tr.length;
  }
  if (consumed === 0) swipe.errors.push('no track sentinels (% or ;) found');
  return swipe;
}

/**
 * A card profile turns the PAN-position field of a track into a credential. Bank member-service cards
 * carry a Luhn-valid PAN; some union-issued cards carry the 10-digit member number there instead.
 */
export type CardProfile = (field: string) => ParsedCredential | undefined;

export const bankCardProfile: CardProfile = (field) =>
  isPan(field) ? { kind: 'pan', pan: field, last4: field.slice(-4), via: 'card_track' } : undefined;

export const unionMemberCardProfile: CardProfile = (field) =>
  isMemberNo(field) ? { kind: 'member_no', memberNo: field, via: 'card_track' } : undefined;

export const DEFAULT_CARD_PROFILES: readonly CardProfile[] = [unionMemberCardProfile, bankCardProfile];

export function credentialFromTracks(text: string, profiles: readonly CardProfile[] = DEFAULT_CARD_PROFILES): CredentialResult {
  const swipe = splitSwipe(text);
  // Track 2 is the one every reader and card has; track 1 is the fallback.
  const fields: string[] = [];
  if (swipe.track2) {
    const t2 = parseTrack2(swipe.track2);
    if (t2.ok) fields.push(t2.value.pan);
  }
  if (swipe.track1) {
    const t1 = parseTrack1(swipe.track1);
    if (t1.ok) fields.push(t1.value.pan);
  }
  for (const f of fields) {
    for (const p of profiles) {
      const c = p(f);
      if (c) return { ok: true, value: c };
    }
  }
  if (fields.length > 0) return fail('the card number on the stripe fails its check digit; swipe again');
  if (swipe.errors.length > 0) return fail(`bad swipe (${swipe.errors.join(', ')}); swipe again`);
  return fail('track data is not in ISO/IEC 7813 format; swipe again');
}

export function parseCredential(type: CredentialType, data: string, profiles?: readonly CardProfile[]): CredentialResult {
  switch (type) {
    case 'member_no':
      if (!/^\d{10}$/.test(data)) return fail('a member number is 10 digits');
      if (!luhnValid(data)) return fail('the member number fails its check digit');
      return { ok: true, value: { kind: 'member_no', memberNo: data, via: 'member_no' } };
    case 'card_number':
      if (!/^\d{12,19}$/.test(data)) return fail('a card number is 12 to 19 digits');
      if (!luhnValid(data)) return fail('the card number fails its check digit');
      return { ok: true, value: { kind: 'pan', pan: data, last4: data.slice(-4), via: 'card_number' } };
    case 'card_track':
      return credentialFromTracks(data, profiles);
    case 'qr':
      if (data.length === 0 || data.length > 512) return fail('a QR payload is 1 to 512 characters');
      return { ok: true, value: { kind: 'qr', token: data } };
  }
}
