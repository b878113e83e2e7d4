import { isMemberNo } from '../core/credentials.ts';
import { maskMemberNo, maskPan } from '../core/mask.ts';

/** Union cards may carry the member number where a bank card has its PAN: mask each as what it is. */
const maskField = (f: string) => (isMemberNo(f) ? maskMemberNo(f) : maskPan(f));
import type { Credential } from './scan-result.ts';

/** Masks the PAN inside track text: `;621799…0015=…?` keeps first 6 and last 4, and drops discretionary data. */
export function maskTrack(track: string): string {
  const masked = track
    .replace(
      /^(%B)(\d{1,19})(\^[^^]*\^)(.*)(\?.?)$/,
      (_m, s, pan: string, name: string, rest: string, end: string) => s + maskField(pan) + name + '*'.repeat(rest.length) + end,
    )
    .replace(
      /^(;)(\d{1,19})(=)(.*)(\?.?)$/,
      (_m, s, pan: string, eq: string, rest: string, end: string) => s + maskField(pan) + eq + '*'.repeat(rest.length) + end,
    );
  // Not a shape we know: hide every digit rather than risk showing a PAN.
  return masked === track ? track.replace(/\d/g, '*') : masked;
}

/** What a log line or the decode command may show: card numbers and tracks masked, the rest as read. */
export function maskCredential(c: Credential): Credential {
  if (c.type === 'card_number') return { type: c.type, data: maskPan(c.data) };
  if (c.type === 'card_track') return { type: c.type, data: maskTrack(c.data) };
  return c;
}
