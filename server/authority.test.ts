import { describe, expect, it } from 'vitest';
import type { Merchant, Offer, Org } from '../core/domain.ts';
import {
  authorityOf,
  broughtInBy,
  managesMerchant,
  managesUser,
  overseesMerchant,
  pairsTerminalAt,
  readsMerchantLive,
  readsRedemption,
  readsUnionSettings,
  setsUnionSettings,
  signsOffer,
  voidsRedemption,
  type Reference,
} from './authority.ts';

const orgs: Org[] = [
  { id: 'sc', name: '省', parentId: null, timeZone: 'Asia/Shanghai' },
  { id: 'gz', name: '州', parentId: 'sc', timeZone: 'Asia/Shanghai' },
  { id: 'kd', name: '市', parentId: 'gz', timeZone: 'Asia/Shanghai' },
  { id: 'ld', name: '县', parentId: 'gz', timeZone: 'Asia/Shanghai' },
];
const offer = (
  id: string,
  merchantId: string,
  orgId: string,
  status: Offer['status'] = 'active',
  createdAt = '2026-11-01T00:00:00.000Z',
): Offer => ({
  id,
  version: 1,
  kind: 'agreement',
  merchantId,
  orgId,
  title: id,
  rule: { kind: 'percent_off', bps: 500 },
  conditions: {},
  unionShareBps: 0,
  status,
  createdAt,
});
const merchants: Merchant[] = [
  { id: 'mm', name: '民贸', orgId: 'gz' },
  { id: 'kt', name: '茶馆', orgId: 'kd' },
  { id: 'old', name: '老商户' },
];
const ref: Reference = {
  orgs,
  merchants,
  offers: [
    offer('a-mm', 'mm', 'gz'),
    offer('a-old-2', 'old', 'ld', 'active', '2026-11-05T00:00:00.000Z'),
    offer('a-old-1', 'old', 'kd'),
    offer('a-kd-mm', 'mm', 'kd', 'ended', '2026-11-10T00:00:00.000Z'),
  ],
};
const admin = (orgId: string) => authorityOf({ kind: 'user', user: { id: `u-${orgId}`, role: 'admin', orgId, merchantId: null } }, ref);
const auditor = (orgId: string) =>
  authorityOf({ kind: 'user', user: { id: `a-${orgId}`, role: 'union_auditor', orgId, merchantId: null } }, ref);
const red = (merchantId: string, createdAt: string, storeId = 's-1') => ({ merchantId, storeId, createdAt });

describe('authority model', () => {
  it('falls back, for a merchant recorded before brought-in was kept, to the signer of its oldest offer', () => {
    expect(broughtInBy(ref, 'mm')).toBe('gz');
    expect(broughtInBy(ref, 'old')).toBe('kd');
    expect(broughtInBy(ref, 'nope')).toBeUndefined();
  });

  it('lets a union manage what its subtree brought in, never what it only signed with', () => {
    expect(managesMerchant(admin('gz'), 'mm')).toBe(true);
    expect(managesMerchant(admin('gz'), 'kt')).toBe(true); // brought in below it
    expect(managesMerchant(admin('kd'), 'mm')).toBe(false); // it signed there, org-gz brought it in
    expect(managesMerchant(admin('ld'), 'kt')).toBe(false);
    expect(managesMerchant(admin('sc'), 'kt')).toBe(true);
    expect(managesMerchant(auditor('gz'), 'mm')).toBe(false);
    expect(overseesMerchant(auditor('gz'), 'mm')).toBe(true);
    expect(signsOffer(admin('gz'), { merchantId: 'mm', orgId: 'kd' })).toBe(true);
    expect(signsOffer(admin('gz'), { merchantId: 'mm', orgId: 'sc' })).toBe(false);
    expect(signsOffer(admin('kd'), { merchantId: 'mm', orgId: 'kd' })).toBe(false);
    expect(managesUser(admin('kd'), { role: 'merchant_admin', orgId: null, merchantId: 'mm' })).toBe(false);
    expect(managesUser(admin('gz'), { role: 'merchant_admin', orgId: null, merchantId: 'mm' })).toBe(true);
    expect(managesUser(admin('gz'), { role: 'admin', orgId: 'sc', merchantId: null })).toBe(false);
    expect(pairsTerminalAt(admin('kd'), { merchantId: 'mm' })).toBe(false);
  });

  it('keeps only past redemptions, without live events, from an ended offer', () => {
    const kd = auditor('kd');
    expect(readsRedemption(kd, red('mm', '2026-11-09T23:59:59.000Z'))).toBe(true);
    expect(readsRedemption(kd, red('mm', '2026-11-10T00:00:00.000Z'))).toBe(false);
    expect(readsMerchantLive(kd, 'mm')).toBe(false);
    expect(readsMerchantLive(kd, 'kt')).toBe(true);
    expect(readsRedemption(auditor('ld'), red('mm', '2026-11-01T00:00:00.000Z'))).toBe(false);
    expect(readsRedemption(auditor('gz'), red('mm', '2027-01-01T00:00:00.000Z'))).toBe(true);
  });

  it('confines merchant admins and terminals to their own', () => {
    const mm = authorityOf({ kind: 'user', user: { id: 'u-mm', role: 'merchant_admin', orgId: null, merchantId: 'mm' } }, ref);
    expect(readsRedemption(mm, red('mm', '2026-11-01T00:00:00.000Z'))).toBe(true);
    expect(readsRedemption(mm, red('kt', '2026-11-01T00:00:00.000Z'))).toBe(false);
    expect(managesMerchant(mm, 'mm')).toBe(false); // names, stores and users are the union's
    expect(pairsTerminalAt(mm, { merchantId: 'mm' })).toBe(true);
    expect(voidsRedemption(mm, red('mm', ''))).toBe(true);
    const till = authorityOf({ kind: 'terminal', terminalId: 't-1', storeId: 's-1', merchantId: 'mm' }, ref);
    expect(readsRedemption(till, red('mm', '2026-11-01T00:00:00.000Z', 's-2'))).toBe(false);
    expect(voidsRedemption(till, red('mm', '', 's-1'))).toBe(true);
    expect(voidsRedemption(admin('sc'), red('mm', ''))).toBe(false);
  });

  it("lets a union's own auditors and admins set its anomaly thresholds, and the unions above read them", () => {
    expect(setsUnionSettings(auditor('gz'), 'gz')).toBe(true);
    expect(setsUnionSettings(admin('gz'), 'gz')).toBe(true);
    expect(setsUnionSettings(admin('sc'), 'gz')).toBe(false); // above: reads, does not set another union's
    expect(readsUnionSettings(admin('sc'), 'gz')).toBe(true);
    expect(setsUnionSettings(auditor('kd'), 'gz')).toBe(false);
    expect(readsUnionSettings(auditor('kd'), 'gz')).toBe(false); // below: neither
    const mm = authorityOf({ kind: 'user', user: { id: 'u-mm', role: 'merchant_admin', orgId: 'gz', merchantId: 'mm' } }, ref);
    expect(readsUnionSettings(mm, 'gz')).toBe(false);
    expect(setsUnionSettings(mm, 'gz')).toBe(false);
  });
});
