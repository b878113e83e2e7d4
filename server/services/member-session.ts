/**
 * Member sign-in and member tokens. A token is `mt_<payload>.<hmac>` under the session key, with a
 * purpose prefix so it can never pass for a portal token; it names the member and the device, and is
 * refused once the device is signed out or revoked (a password reset revokes every device).
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Member } from '../../core/domain.ts';
import { AppError } from '../../core/errors.ts';
import type { AppContext } from '../context.ts';
import { hashPassword, safeEqual, sha256, verifyPassword } from '../security/hashing.ts';
import { newDeviceId, unwrapDeviceKey, wrapDeviceKey } from '../security/member-code.ts';
import type { MemberDevice } from '../store/member-store.ts';

const TTL_MS = 30 * 24 * 3600_000;
/** A member may have this many phones signed in; a new sign-in beyond it signs out the oldest. */
export const DEVICES_PER_MEMBER = 3;

const mac = (key: string, payload: string) => createHmac('sha256', Buffer.from(key, 'hex')).update(`member:${payload}`).digest('base64url');

export function issueMemberToken(key: string, memberId: string, deviceId: string, mustChange: boolean, nowMs: number): string {
  const payload = Buffer.from(JSON.stringify({ m: memberId, d: deviceId, c: mustChange ? 1 : 0, e: nowMs + TTL_MS })).toString('base64url');
  return `mt_${payload}.${mac(key, payload)}`;
}

export function readMemberToken(
  key: string,
  token: string,
  nowMs: number,
): { memberId: string; deviceId: string; mustChange: boolean } | undefined {
  if (!token.startsWith('mt_')) return undefined;
  const [payload, sig] = token.slice(3).split('.');
  if (!payload || !sig || !safeEqual(sig, mac(key, payload))) return undefined;
  try {
    const p = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { m: unknown; d: unknown; c: unknown; e: unknown };
    if (typeof p.m !== 'string' || typeof p.d !== 'string' || typeof p.e !== 'number' || p.e <= nowMs) return undefined;
    return { memberId: p.m, deviceId: p.d, mustChange: p.c === 1 };
  } catch {
    return undefined;
  }
}

export interface MemberActor {
  member: Member;
  device: MemberDevice;
  mustChange: boolean;
}

/** The member behind a token, or 401; suspended members are 403 MEMBER_SUSPENDED. */
export async function memberOf(ctx: AppContext, token: string | undefined): Promise<MemberActor> {
  const t = token ? readMemberToken(ctx.secrets.session, token, ctx.now().getTime()) : undefined;
  const device = t ? await ctx.store.memberSide.device(t.deviceId) : undefined;
  const member = t && device && !device.revokedAt && device.memberId === t.memberId ? await ctx.store.member(t.memberId) : undefined;
  if (!t || !device || !member) throw new AppError('UNAUTHENTICATED', '请重新登录 Please sign in again.');
  if (member.status === 'suspended') throw new AppError('MEMBER_SUSPENDED');
  // A password chosen after this token was issued with an activation code lifts the restriction on the next sign-in only.
  return { member, device, mustChange: t.mustChange };
}

/** The password every demo member has while the server runs with --demo (CONTRACT.md). */
const DEMO_PASSWORD = 'demo-pass';
let demoHash: Promise<string> | undefined;
/** A hash to check against when the member is unknown, so an unknown number costs the same scrypt as a known one. */
let dummyHash: Promise<string> | undefined;

export type PasswordVerdict = { ok: true; mustChange: boolean } | { ok: false };

/** Checks a member's password (or activation code) in about constant time whatever the outcome. */
export async function checkMemberPassword(
  ctx: AppContext,
  member: Member | undefined,
  password: string,
  isDemoMember: (m: Member) => boolean,
): Promise<PasswordVerdict> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  const cred = member ? await ctx.store.memberSide.credential(member.id) : undefined;
  if (cred?.passwordHash)
    return (await verifyPassword(password, cred.passwordHash)) && member ? { ok: true, mustChange: false } : { ok: false };
  if (member && !cred && ctx.demo && isDemoMember(member)) {
    demoHash ??= hashPassword(DEMO_PASSWORD);
    return (await verifyPassword(password, await demoHash)) ? { ok: true, mustChange: false } : { ok: false };
  }
  const a = cred?.activationHash;
  // A first password from the import file: scrypt like any password, and changed at the first sign-in.
  if (member && a?.startsWith('scrypt$')) return (await verifyPassword(password, a)) ? { ok: true, mustChange: true } : { ok: false };
  // Activation codes are high-entropy and single-purpose: a keyed hash is enough; the scrypt below evens the time.
  await verifyPassword(password, await dummyHash);
  if (member && a && activationMatches(ctx.secrets.pan, member.id, password, a)) return { ok: true, mustChange: true };
  return { ok: false };
}

/**
 * The stored form of an activation code: HMAC-SHA256 under a server key with the member id mixed in, so a
 * copied member-side file alone neither reveals a code nor lets one guess be tried against every member.
 * (Codes issued before this were a bare sha256, still accepted.)
 */
export function activationHashOf(key: string, memberId: string, code: string): string {
  return `hmac$${createHmac('sha256', Buffer.from(key, 'hex'))
    .update(`activation:${memberId}:${normaliseCode(code)}`)
    .digest('hex')}`;
}

function activationMatches(key: string, memberId: string, given: string, stored: string): boolean {
  if (stored.startsWith('hmac$')) return safeEqual(activationHashOf(key, memberId, given), stored);
  return safeEqual(sha256(normaliseCode(given)), stored);
}

/** Activation codes are handed out on paper: spaces and dashes and case do not matter. */
export const normaliseCode = (s: string) => s.replace(/[\s-]/g, '').toUpperCase();

/** A fresh activation code: 10 characters of base32 without look-alikes, shown as XXXXX-XXXXX. */
export function newActivationCode(): string {
  const A = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
  const b = randomBytes(10);
  let s = '';
  for (let i = 0; i < 10; i++) s += A[b[i]! % A.length];
  return `${s.slice(0, 5)}-${s.slice(5)}`;
}

/** Registers the phone's device key (or one the server keeps, for API clients), wrapped. */
export async function registerDevice(ctx: AppContext, memberId: string, deviceKey: Buffer | undefined): Promise<MemberDevice> {
  const key = deviceKey ?? randomBytes(32);
  for (let attempt = 0; attempt < 5; attempt++) {
    const id = newDeviceId();
    const device: MemberDevice = {
      id,
      memberId,
      keyWrapped: wrapDeviceKey(ctx.secrets, id, key),
      createdAt: ctx.now().toISOString(),
      revokedAt: null,
    };
    const r = await ctx.store.memberSide.addDevice(device, DEVICES_PER_MEMBER);
    if (r.kind === 'ok') return device;
  }
  throw new Error('could not find a free device id');
}

/** The device key of an active device, or undefined (unknown, revoked, or its member suspended). */
export async function activeDeviceKey(ctx: AppContext, deviceId: string): Promise<{ key: Buffer; device: MemberDevice } | undefined> {
  const device = await ctx.store.memberSide.device(deviceId);
  if (!device || device.revokedAt) return undefined;
  const key = unwrapDeviceKey(ctx.secrets, device.id, device.keyWrapped);
  return key ? { key, device } : undefined;
}
