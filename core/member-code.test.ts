import { createHash, createHmac, randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { hmacSha256, sha256 } from '../server/portal/member/hmac-sha256.ts';
import {
  base32,
  checkStep,
  derivedKeys,
  expiresAtOf,
  macMatches,
  makeMemberCode,
  MEMBER_CODE_LENGTH,
  memberCodeNonce,
  parseMemberCode,
  stepOf,
  unbase32,
  type Hmac,
} from './member-code.ts';

const nodeHmac: Hmac = (k, m) => createHmac('sha256', k).update(m).digest();

describe('living member code', () => {
  it("the phone's plain-JS SHA-256 and HMAC agree with node:crypto on every length around the block size", () => {
    for (let n = 0; n < 200; n += 7) {
      const data = randomBytes(n);
      expect(Buffer.from(sha256(data)).toString('hex')).toBe(createHash('sha256').update(data).digest('hex'));
      const key = randomBytes(n % 80);
      expect(Buffer.from(hmacSha256(key, data)).toString('hex')).toBe(createHmac('sha256', key).update(data).digest('hex'));
    }
  });

  it('round-trips base32', () => {
    for (let n = 0; n < 30; n++) {
      const b = randomBytes(n);
      expect(Buffer.from(unbase32(base32(b))!).equals(b)).toBe(true);
    }
    expect(unbase32('A1')).toBeUndefined();
  });

  it('is 40 alphanumeric characters, QR version 3 at level M, with no member number in it, and the phone and server make the same code', () => {
    const key = randomBytes(32);
    const id = randomBytes(5);
    const step = stepOf(Date.parse('2026-11-25T04:00:10Z'));
    const phone = makeMemberCode(hmacSha256, derivedKeys(hmacSha256, key), id, step);
    const server = makeMemberCode(nodeHmac, derivedKeys(nodeHmac, key), id, step);
    expect(phone).toBe(server);
    expect(phone).toHaveLength(MEMBER_CODE_LENGTH);
    expect(MEMBER_CODE_LENGTH).toBe(40);
    expect(phone).toMatch(/^HK2[A-Z2-7]+$/);
    const qr = QRCode.create(phone, { errorCorrectionLevel: 'M' });
    expect(qr.version).toBeLessThanOrEqual(6);
    expect(qr.version).toBe(3);
    const p = parseMemberCode(phone)!;
    expect(p.deviceId).toBe(base32(id));
    expect(p.step).toBe(step);
    expect(memberCodeNonce(p)).toBe(`m2.${base32(id)}.${step}`);
  });

  it('verifies only under the right key, and a changed character breaks it', () => {
    const key = randomBytes(32);
    const keys = derivedKeys(nodeHmac, key);
    const code = makeMemberCode(nodeHmac, keys, randomBytes(5), 1000);
    const p = parseMemberCode(code)!;
    expect(macMatches(nodeHmac(keys.online, p.signed), p.onlineMac)).toBe(true);
    expect(macMatches(nodeHmac(keys.offline, p.signed), p.offlineMac)).toBe(true);
    // the offline key never makes the online MAC
    expect(macMatches(nodeHmac(keys.offline, p.signed), p.onlineMac)).toBe(false);
    const other = derivedKeys(nodeHmac, randomBytes(32));
    expect(macMatches(nodeHmac(other.online, p.signed), p.onlineMac)).toBe(false);
    const flipped = code.slice(0, 20) + (code[20] === 'A' ? 'B' : 'A') + code.slice(21);
    const q = parseMemberCode(flipped)!;
    expect(macMatches(nodeHmac(keys.online, q.signed), q.onlineMac)).toBe(false);
    expect(parseMemberCode(code.slice(0, -1))).toBeUndefined();
    expect(parseMemberCode(code.toLowerCase())).toBeUndefined();
  });

  it('lives from one step before its own until the end of the next: at most 60 s after its step starts', () => {
    const t0 = Date.parse('2026-11-25T04:00:00Z');
    const s = stepOf(t0);
    expect(checkStep(s, t0)).toEqual({ ok: true, expiresAt: expiresAtOf(s) });
    expect(expiresAtOf(s) - s * 30_000).toBe(60_000);
    expect(checkStep(s, t0 + 59_999).ok).toBe(true);
    expect(checkStep(s, t0 + 60_000)).toMatchObject({ ok: false, code: 'QR_EXPIRED' });
    expect(checkStep(s + 1, t0).ok).toBe(true); // a phone clock a little ahead
    expect(checkStep(s + 2, t0)).toMatchObject({ ok: false, code: 'QR_INVALID' });
  });
});
