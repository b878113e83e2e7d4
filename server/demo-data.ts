/**
 * The demo data of shared/CONTRACT.md, drawn from real programmes (甘孜州 member services: 民贸公司 9.5折,
 * 小龙坎 9折, 德克士 8折, hotel 9折 on weekdays, 9-yuan car wash and cinema, 满300减200).
 */
import type { Card, Member, Offer, Org, User } from '../core/domain.ts';
import { offlineHash } from '../core/offline-hash.ts';
import { hashPassword, panHash, sha256 } from './security/hashing.ts';
import type { Secrets } from './security/secrets.ts';
import type { ReferenceData } from './store/store.ts';

export const DEMO_PASSWORD = 'demo-pass';

/** The demo members (by member number): in demo mode each signs in on /m with demo-pass until it sets its own password. */
const DEMO_MEMBER_NOS = new Set(['5133000017', '5133000025', '5133000033', '5133000041', '5101000064']);
export const isDemoMember = (m: Pick<Member, 'memberNo'>) => DEMO_MEMBER_NOS.has(m.memberNo);

export async function demoData(secrets: Secrets, now: Date): Promise<ReferenceData> {
  const at = now.toISOString();
  const orgs: Org[] = [
    {
      id: 'org-sc',
      name: '四川省总工会',
      nameEn: 'Sichuan Provincial Federation of Trade Unions',
      parentId: null,
      timeZone: 'Asia/Shanghai',
    },
    {
      id: 'org-gz',
      name: '甘孜州总工会',
      nameEn: 'Garzê Prefecture Federation of Trade Unions',
      parentId: 'org-sc',
      timeZone: 'Asia/Shanghai',
    },
    { id: 'org-kd', name: '康定市总工会', nameEn: 'Kangding City Trade Union', parentId: 'org-gz', timeZone: 'Asia/Shanghai' },
    { id: 'org-ld', name: '泸定县总工会', nameEn: 'Luding County Trade Union', parentId: 'org-gz', timeZone: 'Asia/Shanghai' },
    { id: 'org-db', name: '丹巴县总工会', nameEn: 'Danba County Trade Union', parentId: 'org-gz', timeZone: 'Asia/Shanghai' },
    {
      id: 'org-sczz',
      name: '四川省直机关工会',
      nameEn: 'Sichuan Provincial Government Offices Trade Union',
      parentId: 'org-sc',
      timeZone: 'Asia/Shanghai',
    },
  ];
  const members: Member[] = [
    { id: 'mbr-1', memberNo: '5133000017', name: '张伟', orgId: 'org-kd', status: 'active' },
    { id: 'mbr-2', memberNo: '5133000025', name: '李娜', orgId: 'org-ld', status: 'active' },
    { id: 'mbr-3', memberNo: '5133000033', name: '王芳', orgId: 'org-db', status: 'active' },
    { id: 'mbr-4', memberNo: '5133000041', name: '刘洋', orgId: 'org-kd', status: 'suspended' },
    { id: 'mbr-5', memberNo: '5101000064', name: '陈静', orgId: 'org-sczz', status: 'active' },
  ];
  const card = (id: string, memberId: string, pan: string, status: Card['status']): Card => ({
    id,
    memberId,
    panHash: panHash(secrets.pan, pan),
    offlineHash: offlineHash(secrets.offline, 'pan', pan),
    last4: pan.slice(-4),
    status,
    updatedAt: at,
  });
  const cards: Card[] = [
    card('card-1', 'mbr-1', '6217996600000000015', 'activated'),
    card('card-2', 'mbr-2', '6217996600000000023', 'issued'),
    card('card-3', 'mbr-3', '6217996600000000031', 'lost'),
  ];
  // Who brought each merchant in (server/authority.ts): the union that signed its first agreement.
  const merchants = [
    { id: 'm-minmao', name: '民贸公司', nameEn: 'Minmao Department Store', orgId: 'org-gz', openingHours: { from: '09:00', to: '22:00' } },
    { id: 'm-xlk', name: '小龙坎老火锅', nameEn: 'Xiaolongkan Hotpot', orgId: 'org-gz', openingHours: { from: '11:00', to: '02:00' } },
    { id: 'm-dicos', name: '德克士', nameEn: 'Dicos', orgId: 'org-gz' },
    { id: 'm-hotel', name: '精品酒店', nameEn: 'Boutique Hotel', orgId: 'org-gz', openingHours: { from: '00:00', to: '00:00' } },
    { id: 'm-carwash', name: '洗车行', nameEn: 'Car Wash', orgId: 'org-sc' },
    { id: 'm-cinema', name: '影城', nameEn: 'Cinema', orgId: 'org-sc' },
  ];
  const stores = [
    { id: 's-minmao-1', merchantId: 'm-minmao', name: '民贸公司 康定店', nameEn: 'Minmao Kangding' },
    { id: 's-minmao-2', merchantId: 'm-minmao', name: '民贸公司 泸定店', nameEn: 'Minmao Luding' },
    { id: 's-xlk-1', merchantId: 'm-xlk', name: '小龙坎 康定店', nameEn: 'Xiaolongkan Kangding' },
    { id: 's-dicos-1', merchantId: 'm-dicos', name: '德克士 康定店', nameEn: 'Dicos Kangding' },
    { id: 's-hotel-1', merchantId: 'm-hotel', name: '精品酒店 康定', nameEn: 'Boutique Hotel Kangding' },
    { id: 's-carwash-1', merchantId: 'm-carwash', name: '洗车行 康定', nameEn: 'Car Wash Kangding' },
    { id: 's-cinema-1', merchantId: 'm-cinema', name: '影城 康定', nameEn: 'Cinema Kangding' },
  ];
  const terminals = stores.map((s) => {
    const id = `t-${s.id.slice(2)}`;
    return { id, storeId: s.id, pairingCodeHash: sha256(`PAIR-${id.toUpperCase()}`), tokenHash: null, enrolledAt: null, lastSeenAt: null };
  });
  const offer = (o: Omit<Offer, 'version' | 'status' | 'createdAt' | 'conditions'> & Partial<Pick<Offer, 'conditions'>>): Offer => ({
    version: 1,
    status: 'active',
    createdAt: at,
    conditions: {},
    ...o,
  });
  const offers: Offer[] = [
    offer({
      id: 'a-minmao',
      kind: 'agreement',
      merchantId: 'm-minmao',
      orgId: 'org-gz',
      title: '会员9.5折',
      titleEn: '5% off for members',
      rule: { kind: 'percent_off', bps: 500 },
      unionShareBps: 0,
    }),
    offer({
      id: 'a-xlk',
      kind: 'agreement',
      merchantId: 'm-xlk',
      orgId: 'org-gz',
      title: '会员9折',
      titleEn: '10% off for members',
      rule: { kind: 'percent_off', bps: 1000 },
      unionShareBps: 0,
    }),
    offer({
      id: 'a-dicos',
      kind: 'agreement',
      merchantId: 'm-dicos',
      orgId: 'org-gz',
      title: '会员8折',
      titleEn: '20% off for members',
      rule: { kind: 'percent_off', bps: 2000 },
      unionShareBps: 0,
    }),
    offer({
      id: 'a-hotel',
      kind: 'agreement',
      merchantId: 'm-hotel',
      orgId: 'org-gz',
      title: '周一至周五住宿9折',
      titleEn: '10% off Monday to Friday',
      rule: { kind: 'percent_off', bps: 1000 },
      conditions: { weekdays: [1, 2, 3, 4, 5] },
      unionShareBps: 0,
    }),
    offer({
      id: 'a-carwash',
      kind: 'agreement',
      merchantId: 'm-carwash',
      orgId: 'org-sc',
      title: '会员洗车9元',
      titleEn: 'Car wash for ¥9',
      rule: { kind: 'fixed_price', sku: 'carwash', priceFen: 900 },
      unionShareBps: 0,
    }),
    offer({
      id: 'a-cinema',
      kind: 'agreement',
      merchantId: 'm-cinema',
      orgId: 'org-sc',
      title: '会员观影9元',
      titleEn: 'Cinema ticket for ¥9',
      rule: { kind: 'fixed_price', sku: 'movie-ticket', priceFen: 900 },
      unionShareBps: 0,
    }),
    offer({
      id: 'c-wuyi',
      kind: 'campaign',
      merchantId: 'm-minmao',
      orgId: 'org-gz',
      title: '工会五一满300减200',
      titleEn: 'Union May Day: ¥200 off ¥300',
      rule: { kind: 'threshold', thresholdFen: 30000, reductionFen: 20000, repeat: false },
      conditions: { limits: { perDay: 1 } },
      unionShareBps: 10000,
      budgetFen: 40_000_000,
    }),
    offer({
      id: 'c-spring',
      kind: 'campaign',
      merchantId: 'm-dicos',
      orgId: 'org-gz',
      title: '工会春季满300减100',
      titleEn: 'Union spring: ¥100 off ¥300',
      rule: { kind: 'threshold', thresholdFen: 30000, reductionFen: 10000, repeat: false },
      unionShareBps: 10000,
      budgetFen: 100_000,
    }),
  ];
  const pw = await hashPassword(DEMO_PASSWORD);
  const user = (id: string, displayName: string, role: User['role'], orgId: string | null, merchantId: string | null): User => ({
    id: `u-${id}`,
    username: id,
    displayName,
    role,
    orgId,
    merchantId,
    passwordHash: pw,
    demoOnly: true,
  });
  const users: User[] = [
    user('admin', '系统管理员', 'admin', 'org-sc', null),
    user('gz-auditor', '甘孜州审计', 'union_auditor', 'org-gz', null),
    user('kd-auditor', '康定市审计', 'union_auditor', 'org-kd', null),
    user('minmao-admin', '民贸公司管理员', 'merchant_admin', null, 'm-minmao'),
    user('xlk-admin', '小龙坎管理员', 'merchant_admin', null, 'm-xlk'),
  ];
  return { orgs, members, cards, merchants, stores, terminals, offers, users };
}
