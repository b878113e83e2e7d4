/**
 * The living member code (`HK2…`), shown as a QR code on the member's phone. Pure: the HMAC is passed in,
 * so the phone (a small JS HMAC, no secure context needed), the server and an offline terminal (node:crypto)
 * share this one definition.
 *
 * Text: `HK2` + base32 (RFC 4648, upper case, no padding) of 23 bytes:
 *   device id (5) | time step (4, big-endian, unix seconds / 30) | online MAC (8) | offline MAC (6)
 * 40 characters, all in QR's alphanumeric set: QR version 3 at level M (29×29 modules).
 *
 * The phone holds a device key K it generated at sign-in; the server keeps K wrapped (AES-GCM) and never
 * sends it anywhere. Each MAC is HMAC-SHA256 over `HK2 | device id | step` under a key derived from K:
 * - online MAC under HMAC(K, "huika-member-code-online"): only the phone and the server can make it;
 * - offline MAC under HMAC(K, "huika-member-code-offline"): this derived key is what a terminal's signed
 *   snapshot carries, so a stolen terminal can make codes other offline terminals accept, never ones the
 *   server accepts.
 * No member number or name is in it: the device id is 40 random bits, meaningless without the server's
 * (or a snapshot's) table. A code is good from 30 s before its step (a phone clock ahead) until the end of
 * the next step: at most 60 s; the server accepts each (device, step) once.
 */

export const CODE_PREFIX = 'HK2';
export const STEP_SECONDS = 30;
const DEVICE_BYTES = 5;
const BODY_BYTES = DEVICE_BYTES + 4;
const ONLINE_MAC = 8;
const OFFLINE_MAC = 6;
const TOTAL = BODY_BYTES + ONLINE_MAC + OFFLINE_MAC;
export const MEMBER_CODE_LENGTH = CODE_PREFIX.length + Math.ceil((TOTAL * 8) / 5);

export type Hmac = (key: Uint8Array, message: Uint8Array) => Uint8Array;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const enc = new TextEncoder();

export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

export function unbase32(text: string): Uint8Array | undefined {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of text) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) return undefined;
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
    value &= (1 << bits) - 1;
  }
  return Uint8Array.from(out);
}

/** The two keys a device key is split into (see above). */
export function derivedKeys(hmac: Hmac, deviceKey: Uint8Array): { online: Uint8Array; offline: Uint8Array } {
  return {
    online: hmac(deviceKey, enc.encode('huika-member-code-online')),
    offline: hmac(deviceKey, enc.encode('huika-member-code-offline')),
  };
}

export const stepOf = (ms: number) => Math.floor(ms / 1000 / STEP_SECONDS);
/** The last instant a code of this step is accepted (exclusive). */
export const expiresAtOf = (step: number) => (step + 2) * STEP_SECONDS * 1000;

function body(deviceId: Uint8Array, step: number): Uint8Array {
  const b = new Uint8Array(CODE_PREFIX.length + BODY_BYTES);
  b.set(enc.encode(CODE_PREFIX), 0);
  b.set(deviceId, CODE_PREFIX.length);
  new DataView(b.buffer).setUint32(CODE_PREFIX.length + DEVICE_BYTES, step >>> 0);
  return b;
}

export function deviceIdText(deviceId: Uint8Array): string {
  return base32(deviceId);
}

/** Makes the code of a step (phone and server both). Keys are the derived ones. */
export function makeMemberCode(hmac: Hmac, keys: { online: Uint8Array; offline: Uint8Array }, deviceId: Uint8Array, step: number): string {
  const b = body(deviceId, step);
  const out = new Uint8Array(TOTAL);
  out.set(b.subarray(CODE_PREFIX.length), 0);
  out.set(hmac(keys.online, b).subarray(0, ONLINE_MAC), BODY_BYTES);
  out.set(hmac(keys.offline, b).subarray(0, OFFLINE_MAC), BODY_BYTES + ONLINE_MAC);
  return CODE_PREFIX + base32(out);
}

export interface ParsedMemberCode {
  /** base32 of the 5-byte device id (8 characters): the key of the device table. */
  deviceId: string;
  step: number;
  /** What the MACs cover. */
  signed: Uint8Array;
  onlineMac: Uint8Array;
  offlineMac: Uint8Array;
}

export const looksLikeMemberCode = (text: string) => text.startsWith(CODE_PREFIX) && text.length === MEMBER_CODE_LENGTH;

export function parseMemberCode(text: string): ParsedMemberCode | undefined {
  if (!looksLikeMemberCode(text)) return undefined;
  const raw = unbase32(text.slice(CODE_PREFIX.length));
  if (!raw || raw.length !== TOTAL) return undefined;
  const deviceId = raw.subarray(0, DEVICE_BYTES);
  const step = new DataView(raw.buffer, raw.byteOffset).getUint32(DEVICE_BYTES);
  return {
    deviceId: base32(deviceId),
    step,
    signed: body(deviceId, step),
    onlineMac: raw.subarray(BODY_BYTES, BODY_BYTES + ONLINE_MAC),
    offlineMac: raw.subarray(BODY_BYTES + ONLINE_MAC),
  };
}

/** Constant-time comparison of a MAC with the first bytes of an HMAC output. */
export function macMatches(expected: Uint8Array, got: Uint8Array): boolean {
  if (got.length === 0 || expected.length < got.length) return false;
  let diff = 0;
  for (let i = 0; i < got.length; i++) diff |= expected[i]! ^ got[i]!;
  return diff === 0;
}

export type MemberCodeTime = { ok: true; expiresAt: number } | { ok: false; code: 'QR_INVALID' | 'QR_EXPIRED'; detail: string };

/** Whether a code's step is acceptable now: one step ahead (a fast phone clock) to one step behind. */
export function checkStep(step: number, nowMs: number): MemberCodeTime {
  const now = stepOf(nowMs);
  if (step > now + 1) return { ok: false, code: 'QR_INVALID', detail: 'made for a time still to come' };
  if (step < now - 1) return { ok: false, code: 'QR_EXPIRED', detail: `made ${(now - step) * STEP_SECONDS} s ago` };
  return { ok: true, expiresAt: expiresAtOf(step) };
}

/** The nonce under which a code is recorded with its redemption: one redemption per device and step. */
export const memberCodeNonce = (c: Pick<ParsedMemberCode, 'deviceId' | 'step'>) => `m2.${c.deviceId}.${c.step}`;
