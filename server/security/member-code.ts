/**
 * The server's side of living member codes (core/member-code.ts): device keys kept wrapped, codes
 * verified (the online MAC) or made (GET /member/qr), and the offline keys snapshots carry.
 *
 * A device key is wrapped with AES-256-GCM under a key derived from the data directory's PAN-hash key
 * (which never rotates: stored card hashes depend on it), so member-side.json alone reveals no key.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import {
  base32,
  checkStep,
  derivedKeys,
  makeMemberCode,
  macMatches,
  memberCodeNonce,
  parseMemberCode,
  stepOf,
  unbase32,
  type Hmac,
} from '../../core/member-code.ts';
import type { Secrets } from './secrets.ts';

export const nodeHmac: Hmac = (key, message) => createHmac('sha256', key).update(message).digest();

const wrapKeyCache = new WeakMap<Secrets, Buffer>();
function wrapKey(secrets: Secrets): Buffer {
  let k = wrapKeyCache.get(secrets);
  if (!k) {
    k = createHmac('sha256', Buffer.from(secrets.pan, 'hex')).update('huika member device key wrap v1').digest();
    wrapKeyCache.set(secrets, k);
  }
  return k;
}

/** `v1.<iv>.<ciphertext+tag>`, base64url; the device id is bound in as associated data. */
export function wrapDeviceKey(secrets: Secrets, deviceId: string, key: Uint8Array): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', wrapKey(secrets), iv);
  c.setAAD(Buffer.from(deviceId));
  const body = Buffer.concat([c.update(key), c.final(), c.getAuthTag()]);
  return `v1.${iv.toString('base64url')}.${body.toString('base64url')}`;
}

export function unwrapDeviceKey(secrets: Secrets, deviceId: string, wrapped: string): Buffer | undefined {
  const [v, iv, body] = wrapped.split('.');
  if (v !== 'v1' || !iv || !body) return undefined;
  try {
    const raw = Buffer.from(body, 'base64url');
    const d = createDecipheriv('aes-256-gcm', wrapKey(secrets), Buffer.from(iv, 'base64url'));
    d.setAAD(Buffer.from(deviceId));
    d.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([d.update(raw.subarray(0, raw.length - 16)), d.final()]);
  } catch {
    return undefined;
  }
}

/** A fresh device id: 5 random bytes in base32 (8 characters). */
export const newDeviceId = (): string => base32(randomBytes(5));

export type DeviceKeys = { online: Uint8Array; offline: Uint8Array };
export const keysOf = (deviceKey: Uint8Array): DeviceKeys => derivedKeys(nodeHmac, deviceKey);

/** The code a device shows at `nowMs` (what GET /member/qr answers for the session's device). */
export function codeFor(deviceId: string, deviceKey: Uint8Array, nowMs: number): string {
  return makeMemberCode(nodeHmac, keysOf(deviceKey), unbase32(deviceId)!, stepOf(nowMs));
}

export type MemberCodeCheck =
  | { ok: true; deviceId: string; nonce: string; expiresAt: number }
  | { ok: false; code: 'QR_INVALID' | 'QR_EXPIRED'; detail: string };

/**
 * Checks a code's form, time and online MAC. `keyOf` finds the active device's key (undefined for an
 * unknown or revoked device). Replay is the caller's: the nonce is recorded with the redemption.
 */
export async function verifyMemberCode(
  text: string,
  nowMs: number,
  keyOf: (deviceId: string) => Promise<Uint8Array | undefined>,
): Promise<MemberCodeCheck> {
  const c = parseMemberCode(text);
  if (!c) return { ok: false, code: 'QR_INVALID', detail: 'not a Huika member code' };
  const key = await keyOf(c.deviceId);
  if (!key) return { ok: false, code: 'QR_INVALID', detail: 'unknown or signed-out device' };
  if (!macMatches(nodeHmac(keysOf(key).online, c.signed), c.onlineMac)) return { ok: false, code: 'QR_INVALID', detail: 'bad signature' };
  const t = checkStep(c.step, nowMs);
  if (!t.ok) return t;
  return { ok: true, deviceId: c.deviceId, nonce: memberCodeNonce(c), expiresAt: t.expiresAt };
}
