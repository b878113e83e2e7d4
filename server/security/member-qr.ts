/**
 * Member QR tokens: `HK1.<kid>.<ref>.<issued, base36 s>.<nonce>.<mac>` (about 50 bytes: QR version 4).
 * `ref` is the member number enciphered digit by digit under a keystream of the QR key, the issue time and
 * the nonce, so the token carries no member number in clear (DESIGN.md) and two tokens of one member differ.
 * Signed with HMAC-SHA256 (truncated to 96 bits, plenty for a 60-second life), valid for 60 s, and
 * accepted for one redemption only (the nonce is recorded with the redemption).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { isMemberNo } from '../../core/credentials.ts';
import { safeEqual } from './hashing.ts';
import type { Secrets } from './secrets.ts';

export const QR_TTL_SECONDS = 60;
const CLOCK_SKEW_SECONDS = 5;

function mac(keyHex: string, body: string): string {
  return createHmac('sha256', Buffer.from(keyHex, 'hex')).update(body).digest('base64url').slice(0, 16);
}

/** Adds (sign 1) or takes away (sign -1) a keystream digit from each digit: a one-time pad over 0–9. */
function pad(keyHex: string, digits: string, issued36: string, nonce: string, sign: 1 | -1): string {
  const ks = createHmac('sha256', Buffer.from(keyHex, 'hex')).update(`ref|${issued36}|${nonce}`).digest();
  let out = '';
  // Two keystream bytes per digit: 65536 mod 10 leaves a bias of 1 in 6553, nothing to learn from.
  for (let i = 0; i < digits.length; i++) out += String((Number(digits[i]) + sign * (ks.readUInt16BE(i * 2) % 10) + 10) % 10);
  return out;
}

export function issueMemberQr(secrets: Secrets, memberNo: string, now = Date.now()): string {
  const kid = secrets.qrCurrent;
  const key = secrets.qr[kid]!;
  const issued36 = Math.floor(now / 1000).toString(36);
  const nonce = randomBytes(6).toString('base64url');
  const body = `HK1.${kid}.${pad(key, memberNo, issued36, nonce, 1)}.${issued36}.${nonce}`;
  return `${body}.${mac(key, body)}`;
}

export type QrCheck =
  | { ok: true; memberNo: string; nonce: string; expiresAt: number }
  | { ok: false; code: 'QR_INVALID' | 'QR_EXPIRED'; detail: string };

export function verifyMemberQr(secrets: Secrets, token: string, now = Date.now()): QrCheck {
  const parts = token.split('.');
  if (parts.length !== 6 || parts[0] !== 'HK1') return { ok: false, code: 'QR_INVALID', detail: 'not a Huika member code' };
  const [, kid, ref, issued36, nonce, sig] = parts as [string, string, string, string, string, string];
  // Own keys only: a key id such as `__proto__` names Object.prototype, not a key (it gave 500s).
  const key = Object.hasOwn(secrets.qr, kid) ? secrets.qr[kid] : undefined;
  if (typeof key !== 'string') return { ok: false, code: 'QR_INVALID', detail: 'unknown key id' };
  if (!safeEqual(sig, mac(key, parts.slice(0, 5).join('.')))) return { ok: false, code: 'QR_INVALID', detail: 'bad signature' };
  const memberNo = /^\d{10}$/.test(ref) ? pad(key, ref, issued36, nonce, -1) : '';
  if (!isMemberNo(memberNo) || !/^[0-9a-z]{1,8}$/.test(issued36) || !/^[A-Za-z0-9_-]{8}$/.test(nonce)) {
    return { ok: false, code: 'QR_INVALID', detail: 'malformed fields' };
  }
  const issued = parseInt(issued36, 36);
  const nowS = Math.floor(now / 1000);
  if (issued > nowS + CLOCK_SKEW_SECONDS) return { ok: false, code: 'QR_INVALID', detail: 'issued in the future' };
  if (nowS > issued + QR_TTL_SECONDS) return { ok: false, code: 'QR_EXPIRED', detail: `issued ${nowS - issued} s ago` };
  return { ok: true, memberNo, nonce: `${kid}.${nonce}`, expiresAt: (issued + QR_TTL_SECONDS) * 1000 };
}
