/**
 * Portal session tokens: `st_<payload>.<hmac>`, signed so a sign-in costs no disk write, and revocable on
 * the server: the payload carries a session id (sign-out records it as ended in the store) and the user's
 * token version (a password change bumps it, ending every older token). A token never lives longer than
 * MAX_SESSION_SECONDS, whatever its payload claims.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { safeEqual } from './hashing.ts';

/** The longest a portal session may last: one working day and a night. */
export const MAX_SESSION_SECONDS = 24 * 3600;
export const DEFAULT_SESSION_SECONDS = 12 * 3600;

export interface SessionClaims {
  /** user id */
  u: string;
  /** session id */
  s: string;
  /** the user's token version when it was issued */
  v: number;
  /** issued and expires, ms */
  i: number;
  e: number;
}

function mac(key: string, payload: string): string {
  return createHmac('sha256', Buffer.from(key, 'hex')).update(payload).digest('base64url');
}

/** Issues a token for at most MAX_SESSION_SECONDS (a longer lifetime asked for is clamped). */
export function issueSessionToken(
  key: string,
  userId: string,
  tokenVersion: number,
  now = Date.now(),
  lifetimeSeconds = DEFAULT_SESSION_SECONDS,
): { token: string; claims: SessionClaims } {
  const life = Math.min(Math.max(1, lifetimeSeconds), MAX_SESSION_SECONDS) * 1000;
  const claims: SessionClaims = { u: userId, s: randomBytes(12).toString('base64url'), v: tokenVersion, i: now, e: now + life };
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return { token: `st_${payload}.${mac(key, payload)}`, claims };
}

/** The claims of a well-signed, unexpired token whose lifetime is within the maximum; null otherwise. */
export function verifySessionToken(key: string, token: string, now = Date.now()): SessionClaims | null {
  if (!token.startsWith('st_') || token.length > 1024) return null;
  const [payload, sig, extra] = token.slice(3).split('.');
  if (!payload || !sig || extra !== undefined || !safeEqual(sig, mac(key, payload))) return null;
  let c: Partial<SessionClaims>;
  try {
    c = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<SessionClaims>;
  } catch {
    return null;
  }
  if (
    !c ||
    typeof c !== 'object' ||
    typeof c.u !== 'string' ||
    typeof c.s !== 'string' ||
    typeof c.v !== 'number' ||
    typeof c.i !== 'number' ||
    typeof c.e !== 'number'
  )
    return null;
  const maxMs = MAX_SESSION_SECONDS * 1000;
  // A lifetime beyond the maximum is refused even when signed: a leaked or mis-issued key cannot mint a 10-year pass.
  if (c.e <= now || c.e - c.i > maxMs || c.e > now + maxMs || c.i > now + 60_000) return null;
  return c as SessionClaims;
}
