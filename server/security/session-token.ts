/** Stateless portal session tokens: `st_<payload>.<hmac>`, so sign-ins cost no disk write. */
import { createHmac } from 'node:crypto';
import { safeEqual } from './hashing.ts';

const TTL_MS = 12 * 3600_000;

function mac(key: string, payload: string): string {
  return createHmac('sha256', Buffer.from(key, 'hex')).update(payload).digest('base64url');
}

export function issueSessionToken(key: string, userId: string, now = Date.now()): string {
  const payload = Buffer.from(JSON.stringify({ u: userId, e: now + TTL_MS })).toString('base64url');
  return `st_${payload}.${mac(key, payload)}`;
}

export function verifySessionToken(key: string, token: string, now = Date.now()): string | null {
  if (!token.startsWith('st_')) return null;
  const [payload, sig] = token.slice(3).split('.');
  if (!payload || !sig || !safeEqual(sig, mac(key, payload))) return null;
  try {
    const { u, e } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { u: string; e: number };
    return typeof u === 'string' && typeof e === 'number' && e > now ? u : null;
  } catch {
    return null;
  }
}
