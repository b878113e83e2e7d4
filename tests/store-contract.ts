/**
 * The storage contract every HuikaStore backend must pass (server/store/store.ts). The embedded store
 * runs it in tests/store-contract-embedded.test.ts; a PostgreSQL backend reuses it unchanged.
 *
 * Each test opens a fresh, empty store through `open` and seeds the small fixture below, so a backend
 * only has to give an empty store and a cleanup.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Offer } from '../core/domain.ts';
import type { Line, Redemption } from '../core/wire.ts';
import type { Statement } from '../core/wire-portal.ts';
import type { UsageCount } from '../core/rules/usage-count.ts';
import type { HuikaStore, RedemptionDraft, ReferenceData } from '../server/store/store.ts';
import type { Feedback } from '../server/store/member-store.ts';

export type OpenStore = () => Promise<{ store: HuikaStore; cleanup: () => Promise<void> }>;

const AT = '2026-11-25T04:00:00.000Z'; // Wednesday noon in Shanghai
const hex64 = (c: string) => c.repeat(64);
export const PAN_HASH = { active: hex64('a'), lost: hex64('b') };

const offer = (o: Partial<Offer> & Pick<Offer, 'id' | 'kind' | 'merchantId' | 'rule'>): Offer => ({
  version: 1,
  orgId: 'org-gz',
  title: o.id,
  conditions: {},
  unionShareBps: o.kind === 'campaign' ? 10000 : 0,
  status: 'active',
  createdAt: AT,
  ...o,
});

/** Two unions, three members, two merchants (three stores), an agreement, a limited agreement and a 100,000-fen campaign. */
export function referenceFixture(): ReferenceData {
  return {
    orgs: [
      { id: 'org-gz', name: '甘孜州总工会', parentId: null, timeZone: 'Asia/Shanghai' },
      { id: 'org-kd', name: '康定市总工会', parentId: 'org-gz', timeZone: 'Asia/Shanghai' },
    ],
    members: [
      { id: 'mbr-1', memberNo: '5133000017', name: '张伟', orgId: 'org-kd', status: 'active' },
      { id: 'mbr-2', memberNo: '5133000025', name: '李娜', orgId: 'org-gz', status: 'active' },
      { id: 'mbr-3', memberNo: '5133000033', name: '王芳', orgId: 'org-kd', status: 'suspended' },
    ],
    cards: [
      { id: 'card-1', memberId: 'mbr-1', panHash: PAN_HASH.active, last4: '0015', status: 'activated', updatedAt: AT },
      { id: 'card-2', memberId: 'mbr-2', panHash: PAN_HASH.lost, last4: '0023', status: 'lost', updatedAt: AT },
    ],
    merchants: [
      { id: 'm-a', name: '民贸公司' },
      { id: 'm-b', name: '德克士' },
    ],
    stores: [
      { id: 's-a-1', merchantId: 'm-a', name: 'A1' },
      { id: 's-a-2', merchantId: 'm-a', name: 'A2' },
      { id: 's-b-1', merchantId: 'm-b', name: 'B1' },
    ],
    terminals: [
      { id: 't-a-1', storeId: 's-a-1', pairingCodeHash: hex64('1'), tokenHash: null, enrolledAt: null, lastSeenAt: null },
      { id: 't-a-2', storeId: 's-a-2', pairingCodeHash: hex64('2'), tokenHash: null, enrolledAt: null, lastSeenAt: null },
      { id: 't-b-1', storeId: 's-b-1', pairingCodeHash: hex64('3'), tokenHash: null, enrolledAt: null, lastSeenAt: null },
    ],
    offers: [
      offer({ id: 'a-a', kind: 'agreement', merchantId: 'm-a', rule: { kind: 'percent_off', bps: 500 } }),
      offer({
        id: 'a-b',
        kind: 'agreement',
        merchantId: 'm-b',
        rule: { kind: 'percent_off', bps: 2000 },
        conditions: { limits: { perDay: 1 } },
      }),
      offer({ id: 'a-old', kind: 'agreement', merchantId: 'm-b', rule: { kind: 'percent_off', bps: 100 }, status: 'ended' }),
      offer({
        id: 'c-b',
        kind: 'campaign',
        merchantId: 'm-b',
        rule: { kind: 'threshold', thresholdFen: 30000, reductionFen: 3000, repeat: false },
        budgetFen: 100_000,
      }),
    ],
    users: [
      {
        id: 'u-a',
        username: 'a-admin',
        displayName: 'A admin',
        role: 'merchant_admin',
        orgId: null,
        merchantId: 'm-a',
        passwordHash: 'scrypt$16384$x$y',
        demoOnly: false,
      },
    ],
  };
}

let draftCounter = 0;

/** A merchant-funded line of agreement `a-a` (5% off). */
export const agreementLine = (amountFen: number, o: Partial<Line> = {}): Line => {
  const discountFen = Math.floor((amountFen * 500) / 10000);
  return { agreementId: 'a-a', agreementVersion: 1, title: 'a-a', discountFen, funding: { merchantFen: discountFen, unionFen: 0 }, ...o };
};
/** A union-funded line of campaign `c-b`. */
export const campaignLine = (unionFen = 3000): Line => ({
  agreementId: 'c-b',
  agreementVersion: 1,
  title: 'c-b',
  discountFen: unionFen,
  funding: { merchantFen: 0, unionFen, campaignId: 'c-b' },
});

/** A valid draft at merchant m-a, store s-a-1, member mbr-1; any field can be overridden. */
export function draft(o: Partial<RedemptionDraft> = {}): RedemptionDraft {
  const n = ++draftCounter;
  const lines = o.lines ?? [agreementLine(o.amountFen ?? 10000)];
  const amountFen = o.amountFen ?? 10000;
  const discountFen = lines.reduce((s, l) => s + l.discountFen, 0);
  return {
    idempotencyKey: `contract-key-${n}`,
    quoteId: `q-${n}`,
    memberId: 'mbr-1',
    memberOrgId: 'org-kd',
    merchantId: 'm-a',
    storeId: 's-a-1',
    terminalId: 't-a-1',
    memberNoMasked: '513300****17',
    credentialType: 'card_number',
    cardLast4: '0015',
    amountFen,
    discountFen,
    payableFen: amountFen - discountFen,
    lines,
    createdAt: AT,
    offline: false,
    ...o,
  };
}

/** A draft at merchant m-b with one campaign line of `unionFen`. */
export const campaignDraft = (o: Partial<RedemptionDraft> = {}, unionFen = 3000) =>
  draft({ merchantId: 'm-b', storeId: 's-b-1', terminalId: 't-b-1', amountFen: 40000, lines: [campaignLine(unionFen)], ...o });

const noLimit = () => null;

async function created(store: HuikaStore, d: RedemptionDraft): Promise<Redemption> {
  const r = await store.commitRedemption(d, noLimit);
  if (r.kind !== 'created') throw new Error(`expected created, got ${JSON.stringify(r)}`);
  return r.redemption;
}

async function listAll(store: HuikaStore, f: Omit<Parameters<HuikaStore['listRedemptions']>[0], 'limit' | 'beforeSeq'>, limit: number) {
  const pages: Redemption[][] = [];
  let beforeSeq: number | undefined;
  for (let guard = 0; guard < 1000; guard++) {
    const page = await store.listRedemptions({ ...f, limit, ...(beforeSeq !== undefined ? { beforeSeq } : {}) });
    pages.push(page.items);
    if (page.nextBeforeSeq === undefined) return pages;
    beforeSeq = page.nextBeforeSeq;
  }
  throw new Error('paging never ended');
}

export function storeContract(name: string, open: OpenStore): void {
  describe(`HuikaStore contract: ${name}`, () => {
    let store: HuikaStore;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await open());
      expect(await store.isEmpty()).toBe(true);
      await store.seed(referenceFixture());
    });
    afterEach(async () => {
      await cleanup();
    });

    describe('reference data', () => {
      it('is no longer empty once seeded and refuses a second seed', async () => {
        expect(await store.isEmpty()).toBe(false);
        await expect(store.seed(referenceFixture())).rejects.toThrow();
        expect((await store.orgs()).map((o) => o.id).sort()).toEqual(['org-gz', 'org-kd']);
      });

      it('finds members by number and id, cards by PAN hash and id', async () => {
        expect((await store.memberByNo('5133000017'))?.id).toBe('mbr-1');
        expect(await store.memberByNo('5133000099')).toBeUndefined();
        expect((await store.member('mbr-3'))?.status).toBe('suspended');
        expect(await store.cardByPanHash(PAN_HASH.active)).toMatchObject({ id: 'card-1', memberId: 'mbr-1', last4: '0015' });
        expect(await store.cardByPanHash(hex64('c'))).toBeUndefined();
        expect((await store.card('card-2'))?.status).toBe('lost');
        expect((await store.merchant('m-b'))?.name).toBe('德克士');
        expect((await store.merchants()).length).toBe(2);
        expect((await store.shop('s-a-2'))?.merchantId).toBe('m-a');
        expect((await store.terminal('t-b-1'))?.storeId).toBe('s-b-1');
        expect((await store.userByUsername('a-admin'))?.id).toBe('u-a');
        expect((await store.user('u-a'))?.merchantId).toBe('m-a');
        expect(await store.userByUsername('nobody')).toBeUndefined();
      });

      it('pages the admin card list by cursor, most recently changed first (ties by id), with its members, scope and filters kept', async () => {
        const by = { userId: 'u-x', username: 'x', at: new Date('2026-11-26T02:00:00.000Z') };
        for (const [id, memberId, last4, h] of [
          ['card-3', 'mbr-3', '0033', 'd'],
          ['card-4', 'mbr-1', '0041', 'e'],
        ] as const) {
          expect((await store.admin.issueCard({ id, memberId, panHash: hex64(h), last4, status: 'issued' }, by)).kind).toBe('ok');
        }
        const orgIds = new Set(['org-gz', 'org-kd']);
        const ids = (p: { items: { card: { id: string } }[] }) => p.items.map((x) => x.card.id);
        const first = await store.admin.cards({ orgIds, limit: 3 });
        expect(ids(first)).toEqual(['card-4', 'card-3', 'card-2']);
        expect(first.total).toBe(4);
        expect(first.items[0]!.member).toMatchObject({ id: 'mbr-1', memberNo: '5133000017', orgId: 'org-kd' });
        expect(first.nextCursor).toBeDefined();
        const second = await store.admin.cards({ orgIds, limit: 3, after: first.nextCursor! });
        expect(ids(second)).toEqual(['card-1']);
        expect(second.nextCursor).toBeUndefined();
        expect(second.total).toBeUndefined(); // counted on the first page only
        // A card changed between pages moves to the front; the next page neither repeats nor skips the others.
        const a = await store.admin.cards({ orgIds, limit: 2 });
        expect(ids(a)).toEqual(['card-4', 'card-3']);
        const later = { ...by, at: new Date('2026-11-27T02:00:00.000Z') };
        expect((await store.admin.setCardStatus('card-2', 'frozen', later, () => true)).kind).toBe('ok');
        expect(ids(await store.admin.cards({ orgIds, limit: 2, after: a.nextCursor! }))).toEqual(['card-1']);
        // Scope: only the members of these unions; filters: status and last 4, with the cursor.
        expect(ids(await store.admin.cards({ orgIds: new Set(['org-kd']), limit: 10 }))).toEqual(['card-4', 'card-3', 'card-1']);
        expect(
          ids(
            await store.admin.cards({
              orgIds,
              status: 'issued',
              limit: 1,
              after: (await store.admin.cards({ orgIds, status: 'issued', limit: 1 })).nextCursor!,
            }),
          ),
        ).toEqual(['card-3']);
        expect(ids(await store.admin.cards({ orgIds, status: 'frozen', limit: 10 }))).toEqual(['card-2']);
        expect(ids(await store.admin.cards({ orgIds, last4: '0033', limit: 10 }))).toEqual(['card-3']);
        expect(await store.admin.cards({ orgIds: new Set(['org-nope']), limit: 10 })).toEqual({ items: [], total: 0 });
      });

      it("keeps a store's region and gives a region's offline roster: no names, cards with an offline hash only", async () => {
        const by = { userId: 'u-x', username: 'x', at: new Date(AT) };
        const s = (await store.shop('s-a-2'))!;
        expect((await store.admin.saveShop({ ...s, regionOrgId: 'org-kd' }, by, 'update')).kind).toBe('ok');
        expect((await store.shop('s-a-2'))?.regionOrgId).toBe('org-kd');
        expect((await store.shops()).find((x) => x.id === 's-a-2')?.regionOrgId).toBe('org-kd');
        expect((await store.shop('s-a-1'))?.regionOrgId).toBeUndefined();
        const issued = await store.admin.issueCard(
          { id: 'card-3', memberId: 'mbr-3', panHash: hex64('d'), offlineHash: hex64('e'), last4: '0033', status: 'issued' },
          by,
        );
        expect(issued.kind).toBe('ok');

        const kd = await store.offlineRoster(new Set(['org-kd']));
        expect(kd.members).toEqual([
          { id: 'mbr-1', memberNo: '5133000017', orgId: 'org-kd', status: 'active' },
          { id: 'mbr-3', memberNo: '5133000033', orgId: 'org-kd', status: 'suspended' },
        ]);
        // card-1 has no offline hash (issued before offline support): it cannot be recognised offline, so it is left out.
        expect(kd.cards).toEqual([{ id: 'card-3', memberId: 'mbr-3', offlineHash: hex64('e'), status: 'issued', last4: '0033' }]);
        const gz = await store.offlineRoster(new Set(['org-gz']));
        expect(gz.members.map((m) => m.id)).toEqual(['mbr-2']);
        expect(gz.cards).toEqual([]);
        expect(await store.offlineRoster(new Set())).toEqual({ members: [], cards: [] });
      });

      it('pages the admin member list by cursor in member-number order, every member once, filters kept', async () => {
        const orgIds = new Set(['org-gz', 'org-kd']);
        const seen: string[] = [];
        let after: string | undefined;
        for (let guard = 0; guard < 10; guard++) {
          const page = await store.admin.members({ orgIds, limit: 2, offset: 0, ...(after ? { after } : {}) });
          expect(page.total).toBe(3);
          seen.push(...page.items.map((m) => m.memberNo));
          if (!page.nextCursor) break;
          expect(page.nextCursor).toBe(page.items[page.items.length - 1]!.memberNo);
          after = page.nextCursor;
        }
        expect(seen).toEqual(['5133000017', '5133000025', '5133000033']);
        const kd = await store.admin.members({ orgIds, orgId: 'org-kd', after: '5133000017', limit: 5, offset: 0 });
        expect(kd.items.map((m) => m.id)).toEqual(['mbr-3']);
        expect(kd.nextCursor).toBeUndefined();
        const active = await store.admin.members({ orgIds, status: 'active', after: '5133000017', limit: 5, offset: 0 });
        expect(active.items.map((m) => m.id)).toEqual(['mbr-2']);
      });

      it("keeps each union's settings apart, replaces them whole with an audit entry, and refuses an unknown union", async () => {
        const by = { userId: 'u-x', username: 'gz-auditor', at: new Date(AT) };
        expect(await store.admin.unionSettings('org-gz')).toBeUndefined();
        const first = {
          orgId: 'org-gz',
          anomaly: { burstCount: 2, burstMinutes: 30, volumeFactor: 4, volumeMin: 10 },
          updatedAt: AT,
          updatedBy: 'gz-auditor',
        };
        expect(await store.admin.saveUnionSettings(first, by)).toEqual({ kind: 'ok', value: first });
        const second = { ...first, anomaly: { ...first.anomaly, burstCount: 5 }, updatedAt: '2026-11-25T05:00:00.000Z' };
        expect((await store.admin.saveUnionSettings(second, by)).kind).toBe('ok');
        expect(await store.admin.unionSettings('org-gz')).toEqual(second);
        expect(await store.admin.unionSettings('org-kd')).toBeUndefined();
        const nope = await store.admin.saveUnionSettings({ ...first, orgId: 'org-nope' }, by);
        expect(nope.kind).toBe('refused');
        expect(await store.admin.unionSettings('org-nope')).toBeUndefined();
        const trail = await store.admin.auditTrail({ entity: 'union_settings', limit: 10 });
        expect(trail.items.map((e) => [e.action, e.id, e.orgIds])).toEqual([
          ['union_settings.update', 'org-gz', ['org-gz']],
          ['union_settings.update', 'org-gz', ['org-gz']],
        ]);
        expect(trail.items[0]).toMatchObject({ before: first, after: second });
      });

      it('changes a card status and finds the card by hash with the new status', async () => {
        const later = new Date('2026-11-26T00:00:00Z');
        expect((await store.setCardStatus('card-1', 'lost', later))?.status).toBe('lost');
        expect(await store.cardByPanHash(PAN_HASH.active)).toMatchObject({ status: 'lost', updatedAt: later.toISOString() });
        expect(await store.setCardStatus('card-nope', 'lost', later)).toBeUndefined();
      });

      it('lists only the current version of active offers and keeps every old version', async () => {
        expect((await store.activeOffers('m-b')).map((o) => o.id).sort()).toEqual(['a-b', 'c-b']);
        const a1 = (await store.activeOffers('m-a'))[0]!;
        await store.saveOffer({ ...a1, version: 2, rule: { kind: 'percent_off', bps: 800 }, createdAt: '2026-11-26T00:00:00.000Z' });
        const active = await store.activeOffers('m-a');
        expect(active).toHaveLength(1);
        expect(active[0]).toMatchObject({ id: 'a-a', version: 2, rule: { kind: 'percent_off', bps: 800 } });
        expect(await store.offerVersion('a-a', 1)).toMatchObject({ version: 1, rule: { kind: 'percent_off', bps: 500 } });
        expect(await store.offerVersion('a-a', 2)).toMatchObject({ version: 2 });
        expect(await store.offerVersion('a-a', 3)).toBeUndefined();
        // offers(): current versions, ended ones included.
        const all = await store.offers();
        expect(all.filter((o) => o.id === 'a-a').map((o) => o.version)).toEqual([2]);
        expect(all.find((o) => o.id === 'a-old')?.status).toBe('ended');
        // Ending an offer (a new version) removes it from the active list.
        await store.saveOffer({ ...active[0]!, version: 3, status: 'ended' });
        expect(await store.activeOffers('m-a')).toEqual([]);
      });

      it('refuses to save a version that is not the next one and changes nothing', async () => {
        const a1 = (await store.offerVersion('a-a', 1))!;
        await expect(store.saveOffer({ ...a1, version: 3, title: 'skipped' })).rejects.toThrow();
        await expect(store.saveOffer({ ...a1, version: 1, title: 'rewritten' })).rejects.toThrow();
        expect((await store.offerVersion('a-a', 1))?.title).toBe('a-a');
        expect(await store.offerVersion('a-a', 3)).toBeUndefined();
        expect((await store.activeOffers('m-a'))[0]?.version).toBe(1);
        // A new offer starts at version 1, not 2.
        await expect(store.saveOffer({ ...a1, id: 'a-new', version: 2 })).rejects.toThrow();
        await store.saveOffer({ ...a1, id: 'a-new', version: 1 });
        expect((await store.activeOffers('m-a')).map((o) => o.id).sort()).toEqual(['a-a', 'a-new']);
      });
    });

    describe('terminals', () => {
      it('enrolls with a pairing code once', async () => {
        const now = new Date('2026-11-25T05:00:00.000Z');
        const t = await store.enrollTerminal(hex64('1'), hex64('d'), now);
        expect(t).toMatchObject({ id: 't-a-1', tokenHash: hex64('d'), pairingCodeHash: null, enrolledAt: now.toISOString() });
        expect((await store.terminalByTokenHash(hex64('d')))?.id).toBe('t-a-1');
        expect(await store.enrollTerminal(hex64('1'), hex64('e'), now)).toBeUndefined();
        expect(await store.terminalByTokenHash(hex64('e'))).toBeUndefined();
        expect((await store.terminalByTokenHash(hex64('d')))?.id).toBe('t-a-1');
        expect(await store.enrollTerminal(hex64('9'), hex64('f'), now)).toBeUndefined();
      });
    });

    describe('portal sessions', () => {
      it('remembers a revoked session, and only that one; revoking twice is harmless', async () => {
        expect(await store.sessionRevoked('sess-a')).toBe(false);
        await store.revokeSession('sess-a', new Date('2026-11-25T12:00:00.000Z'));
        await store.revokeSession('sess-a', new Date('2026-11-25T12:00:00.000Z'));
        await store.revokeSession('sess-b', new Date('2026-11-25T13:00:00.000Z'));
        expect(await store.sessionRevoked('sess-a')).toBe(true);
        expect(await store.sessionRevoked('sess-b')).toBe(true);
        expect(await store.sessionRevoked('sess-c')).toBe(false);
      });
    });

    describe('redemptions', () => {
      it('creates a redemption with the chain fields, then replays it by key', async () => {
        const d = draft({ idempotencyKey: 'key-replay-1', quoteId: 'q-replay' });
        const first = await store.commitRedemption(d, noLimit);
        expect(first.kind).toBe('created');
        if (first.kind !== 'created') return;
        const r = first.redemption;
        expect(r).toMatchObject({
          idempotencyKey: 'key-replay-1',
          status: 'committed',
          merchantId: 'm-a',
          amountFen: 10000,
          discountFen: 500,
          payableFen: 9500,
        });
        expect(r.id).toEqual(expect.any(String));
        expect(r.hash).toMatch(/^[0-9a-f]{64}$/);
        expect(r.prevHash).toMatch(/^[0-9a-f]{64}$/);
        // Internal fields never leave the store on the public record.
        expect(r).not.toHaveProperty('quoteId');
        expect(r).not.toHaveProperty('memberId');

        const again = await store.commitRedemption({ ...d }, noLimit);
        expect(again).toEqual({ kind: 'replayed', redemption: r });
        const conflict = await store.commitRedemption({ ...d, quoteId: 'q-other' }, noLimit);
        expect(conflict).toMatchObject({ kind: 'refused', code: 'IDEMPOTENCY_CONFLICT' });

        expect(await store.redemption(r.id)).toEqual(r);
        expect(await store.redemptionByKey('key-replay-1')).toEqual({ ...r, quoteId: 'q-replay' });
        expect(await store.redemptionByKey('key-unknown')).toBeUndefined();
        expect(await store.redemption('rd-nope')).toBeUndefined();
        const { items } = await store.listRedemptions({ limit: 50 });
        expect(items.map((x) => x.id)).toEqual([r.id]);
      });

      it('records one redemption when the same key is committed concurrently', async () => {
        const d = draft({ idempotencyKey: 'key-race' });
        const results = await Promise.all(Array.from({ length: 10 }, () => store.commitRedemption({ ...d }, noLimit)));
        expect(results.filter((r) => r.kind === 'created')).toHaveLength(1);
        expect(results.filter((r) => r.kind === 'replayed')).toHaveLength(9);
        const ids = new Set(results.map((r) => (r.kind === 'refused' ? 'refused' : r.redemption.id)));
        expect(ids.size).toBe(1);
        expect((await store.listRedemptions({ limit: 50 })).items).toHaveLength(1);
      });

      it('numbers receipts 1, 2, 3 … without gaps: voids, refusals and replays take no number', async () => {
        const a = await created(store, draft());
        const b = await created(store, draft());
        expect((await store.voidRedemption(a.id, 'wrong amount', 'user:u', new Date(AT))).kind).toBe('voided');
        const refused = await store.commitRedemption(campaignDraft({}, 10_000_000), noLimit);
        expect(refused).toMatchObject({ kind: 'refused', code: 'BUDGET_EXHAUSTED' });
        const c = await created(store, draft());
        expect((await store.commitRedemption(draft({ idempotencyKey: c.idempotencyKey, quoteId: 'q-x' }), noLimit)).kind).toBe('refused');
        expect((await store.voidRedemption(c.id, 'test', 'user:u', new Date(AT))).kind).toBe('voided');
        // Concurrent commits still take consecutive numbers, each once.
        const many = await Promise.all(Array.from({ length: 8 }, () => created(store, draft())));
        expect([a, b, c].map((r) => r.receiptNo)).toEqual([1, 2, 3]);
        expect(many.map((r) => r.receiptNo).sort((x, y) => x! - y!)).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
        // The ledger has gaps in seq (the voids took entries), the receipts none.
        expect(c.seq - b.seq).toBe(2);
        const all = (await store.listRedemptions({ limit: 50 })).items;
        expect(all.map((r) => r.receiptNo)).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
        expect(all.find((r) => r.id === a.id)).toMatchObject({ receiptNo: 1, status: 'voided' });
        expect(await store.redemption(c.id)).toMatchObject({ receiptNo: 3, status: 'voided' });
        expect(await store.redemptionByKey(b.idempotencyKey)).toMatchObject({ receiptNo: 2 });
        // Found by number, alone or with other filters.
        expect((await store.listRedemptions({ receiptNo: 2, limit: 5 })).items.map((r) => r.id)).toEqual([b.id]);
        expect((await store.listRedemptions({ receiptNo: 1, status: 'voided', limit: 5 })).items.map((r) => r.id)).toEqual([a.id]);
        expect((await store.listRedemptions({ receiptNo: 1, status: 'committed', limit: 5 })).items).toEqual([]);
        expect((await store.listRedemptions({ receiptNo: 12, limit: 5 })).items).toEqual([]);
        expect((await store.verifyLedger()).ok).toBe(true);
      });

      it('chains each record to the one before', async () => {
        const a = await created(store, draft());
        const b = await created(store, draft());
        expect(b.prevHash).toBe(a.hash);
        expect(b.seq).toBeGreaterThan(a.seq);
      });

      it('refuses a second redemption with the same QR nonce', async () => {
        expect(await store.qrNonceUsed('nonce-1')).toBe(false);
        await created(store, draft({ credentialType: 'qr', qrNonce: 'nonce-1' }));
        expect(await store.qrNonceUsed('nonce-1')).toBe(true);
        const again = await store.commitRedemption(draft({ credentialType: 'qr', qrNonce: 'nonce-1' }), noLimit);
        expect(again).toMatchObject({ kind: 'refused', code: 'QR_REPLAYED' });
        expect(await store.qrNonceUsed('nonce-2')).toBe(false);
        expect((await store.listRedemptions({ limit: 50 })).items).toHaveLength(1);
      });

      it('asks limitCheck with the uses so far and refuses with LIMIT_REACHED when it answers', async () => {
        const seen: Array<{ id: string; version: number; used: UsageCount }> = [];
        const perDayOne = (o: Offer, used: UsageCount) => {
          seen.push({ id: o.id, version: o.version, used: { ...used } });
          return used.day >= 1 ? '1 a day' : null;
        };
        const line: Line = {
          agreementId: 'a-b',
          agreementVersion: 1,
          title: 'a-b',
          discountFen: 2000,
          funding: { merchantFen: 2000, unionFen: 0 },
        };
        const d = () => draft({ merchantId: 'm-b', storeId: 's-b-1', terminalId: 't-b-1', lines: [line] });
        const first = await store.commitRedemption(d(), perDayOne);
        expect(first.kind).toBe('created');
        expect(seen[0]).toEqual({ id: 'a-b', version: 1, used: { day: 0, month: 0, total: 0 } });
        const second = await store.commitRedemption(d(), perDayOne);
        expect(second).toMatchObject({ kind: 'refused', code: 'LIMIT_REACHED' });
        expect(seen[1]).toEqual({ id: 'a-b', version: 1, used: { day: 1, month: 1, total: 1 } });
        // Another member is not limited by mbr-1's use.
        expect((await store.commitRedemption({ ...d(), memberId: 'mbr-2', memberOrgId: 'org-gz' }, perDayOne)).kind).toBe('created');
        expect((await store.usage('mbr-1', ['a-b', 'a-a'], new Date(AT))).get('a-b')).toEqual({ day: 1, month: 1, total: 1 });
        // a-a has no limits in any version: it is not counted.
        expect((await store.usage('mbr-1', ['a-b', 'a-a'], new Date(AT))).get('a-a')).toEqual({ day: 0, month: 0, total: 0 });
        expect((await store.listRedemptions({ limit: 50 })).items).toHaveLength(2);
      });

      it('counts uses per local day and month of the union (Asia/Shanghai) and in total, whatever the UTC date', async () => {
        const line: Line = {
          agreementId: 'a-b',
          agreementVersion: 1,
          title: 'a-b',
          discountFen: 2000,
          funding: { merchantFen: 2000, unionFen: 0 },
        };
        const at = (createdAt: string) => draft({ merchantId: 'm-b', storeId: 's-b-1', terminalId: 't-b-1', lines: [line], createdAt });
        const ids: string[] = [];
        // 24 Nov 23:30 and 25 Nov 00:30 in Shanghai (both 24 Nov in UTC), 25 Nov noon, 31 Oct noon.
        for (const c of ['2026-11-24T15:30:00.000Z', '2026-11-24T16:30:00.000Z', AT, '2026-10-31T04:00:00.000Z'])
          ids.push((await created(store, at(c))).id);
        const usage = async (iso: string) => (await store.usage('mbr-1', ['a-b'], new Date(iso))).get('a-b');
        expect(await usage(AT)).toEqual({ day: 2, month: 3, total: 4 });
        expect(await usage('2026-11-24T12:00:00.000Z')).toEqual({ day: 1, month: 3, total: 4 });
        expect(await usage('2026-10-31T15:59:00.000Z')).toEqual({ day: 1, month: 1, total: 4 });
        expect(await usage('2026-12-01T04:00:00.000Z')).toEqual({ day: 0, month: 0, total: 4 });
        // limitCheck sees the counts of the draft's own local day.
        let seen: UsageCount | undefined;
        const r = await store.commitRedemption(at('2026-11-25T15:00:00.000Z'), (_o, used) => ((seen = { ...used }), null));
        expect(r.kind).toBe('created');
        expect(seen).toEqual({ day: 2, month: 3, total: 4 });
        expect(await usage(AT)).toEqual({ day: 3, month: 4, total: 5 });
        // A void takes its use back from its own day, month and the total.
        await store.voidRedemption(ids[1]!, 'refund', 'user:u-a', new Date('2026-11-25T06:00:00.000Z'));
        expect(await usage(AT)).toEqual({ day: 2, month: 3, total: 4 });
        expect(await usage('2026-11-24T12:00:00.000Z')).toEqual({ day: 1, month: 3, total: 4 });
        await store.voidRedemption(ids[2]!, 'refund', 'user:u-a', new Date('2026-11-25T06:00:00.000Z'));
        expect(await usage(AT)).toEqual({ day: 1, month: 2, total: 3 });
        // Another member's and another offer's counts are their own.
        expect((await store.usage('mbr-2', ['a-b'], new Date(AT))).get('a-b')).toEqual({ day: 0, month: 0, total: 0 });
      });

      it('counts an offer that gains limits in a new version from all its past uses', async () => {
        await created(store, draft());
        await created(store, draft({ createdAt: '2026-11-20T04:00:00.000Z' }));
        const a1 = (await store.offerVersion('a-a', 1))!;
        await store.saveOffer({ ...a1, version: 2, conditions: { limits: { perDay: 1 } } });
        expect((await store.usage('mbr-1', ['a-a'], new Date(AT))).get('a-a')).toEqual({ day: 1, month: 2, total: 2 });
        const refused = await store.commitRedemption(draft({ lines: [agreementLine(10000, { agreementVersion: 2 })] }), (_o, used) =>
          used.day >= 1 ? '1 a day' : null,
        );
        expect(refused).toMatchObject({ kind: 'refused', code: 'LIMIT_REACHED' });
      });

      it('never grants more union money than the budget under 50 concurrent commits', async () => {
        expect(await store.remainingBudget('c-b')).toBe(100_000);
        const results = await Promise.all(Array.from({ length: 50 }, () => store.commitRedemption(campaignDraft(), noLimit)));
        const createdN = results.filter((r) => r.kind === 'created').length;
        const refused = results.filter((r) => r.kind === 'refused');
        expect(createdN).toBe(33);
        expect(refused).toHaveLength(17);
        expect(refused.every((r) => r.kind === 'refused' && r.code === 'BUDGET_EXHAUSTED')).toBe(true);
        expect(await store.remainingBudget('c-b')).toBe(1_000);
        const rows = await store.settlement(new Set(['c-b']));
        expect(rows).toEqual([{ merchantId: 'm-b', campaignId: 'c-b', count: 33, unionFen: 99_000 }]);
        // A draft that fits the remainder still goes through; one fen more does not.
        expect((await store.commitRedemption(campaignDraft({}, 1_001), noLimit)).kind).toBe('refused');
        expect((await store.commitRedemption(campaignDraft({}, 1_000), noLimit)).kind).toBe('created');
        expect(await store.remainingBudget('c-b')).toBe(0);
      });

      it('void gives back budget and usage; a second void is ALREADY_VOIDED', async () => {
        const usedLine: Line = {
          agreementId: 'a-b',
          agreementVersion: 1,
          title: 'a-b',
          discountFen: 100,
          funding: { merchantFen: 100, unionFen: 0 },
        };
        const r = await created(store, campaignDraft({ lines: [usedLine, campaignLine(3000)] }));
        expect(await store.remainingBudget('c-b')).toBe(97_000);
        expect((await store.usage('mbr-1', ['a-b'], new Date(AT))).get('a-b')).toEqual({ day: 1, month: 1, total: 1 });

        const at = new Date('2026-11-25T06:00:00.000Z');
        const v = await store.voidRedemption(r.id, 'customer returned the goods', 'terminal:t-b-1', at);
        expect(v.kind).toBe('voided');
        if (v.kind !== 'voided') return;
        expect(v.redemption).toMatchObject({
          id: r.id,
          status: 'voided',
          voidedAt: at.toISOString(),
          voidReason: 'customer returned the goods',
        });
        expect(await store.remainingBudget('c-b')).toBe(100_000);
        expect((await store.usage('mbr-1', ['a-b'], new Date(AT))).get('a-b')).toEqual({ day: 0, month: 0, total: 0 });
        expect((await store.redemption(r.id))?.status).toBe('voided');
        expect((await store.redemptionByKey(r.idempotencyKey))?.status).toBe('voided');

        const twice = await store.voidRedemption(r.id, 'again', 'terminal:t-b-1', at);
        expect(twice).toMatchObject({ kind: 'refused', code: 'ALREADY_VOIDED' });
        expect(await store.remainingBudget('c-b')).toBe(100_000);
        expect(await store.voidRedemption('rd-nope', 'x', 'terminal:t-b-1', at)).toMatchObject({ kind: 'refused', code: 'NOT_FOUND' });

        // Concurrent voids of one redemption: exactly one wins, the budget comes back once.
        const r2 = await created(store, campaignDraft());
        const both = await Promise.all([1, 2, 3].map(() => store.voidRedemption(r2.id, 'race', 'user:u-a', at)));
        expect(both.filter((x) => x.kind === 'voided')).toHaveLength(1);
        expect(await store.remainingBudget('c-b')).toBe(100_000);
      });

      it('lists newest first, filters, and pages with beforeSeq over every record exactly once', async () => {
        const hour = (h: number) => new Date(Date.parse('2026-11-25T00:00:00.000Z') + h * 3_600_000).toISOString();
        const made: Redemption[] = [];
        for (let i = 0; i < 23; i++) {
          const atB = i % 3 === 0;
          const o: Partial<RedemptionDraft> = {
            createdAt: hour(i),
            ...(!atB && i % 4 === 1 ? { storeId: 's-a-2', terminalId: 't-a-2' } : {}),
            ...(i % 5 === 2 ? { memberId: 'mbr-2', memberOrgId: 'org-gz' } : {}),
          };
          made.push(await created(store, atB ? campaignDraft(o, 100) : draft(o)));
        }
        const voided = [made[4]!, made[9]!, made[15]!];
        for (const r of voided) await store.voidRedemption(r.id, 'test', 'user:u-a', new Date(hour(30)));
        const newestFirst = [...made].reverse().map((r) => r.id);

        const all = await store.listRedemptions({ limit: 500 });
        expect(all.items.map((r) => r.id)).toEqual(newestFirst);
        expect(all.nextBeforeSeq).toBeUndefined();
        const seqs = all.items.map((r) => r.seq);
        expect([...seqs].sort((a, b) => b - a)).toEqual(seqs);

        // Paging: every record exactly once, in order, whatever the page size.
        for (const size of [1, 5, 7, 23, 24]) {
          const pages = await listAll(store, {}, size);
          expect(pages.flat().map((r) => r.id)).toEqual(newestFirst);
          expect(pages.every((p) => p.length <= size)).toBe(true);
        }

        const ids = (xs: Redemption[]) => xs.map((r) => r.id);
        const expectFilter = async (f: Parameters<typeof listAll>[1], keep: (r: Redemption, i: number) => boolean) => {
          const want = made
            .map((r, i) => [r, i] as const)
            .filter(([r, i]) => keep(r, i))
            .map(([r]) => r.id)
            .reverse();
          expect(want.length).toBeGreaterThan(0);
          expect(ids((await listAll(store, f, 500))[0]!)).toEqual(want);
          expect(ids((await listAll(store, f, 2)).flat())).toEqual(want); // filtered paging too
        };
        await expectFilter({ merchantIds: new Set(['m-b']) }, (_r, i) => i % 3 === 0);
        await expectFilter({ merchantIds: new Set(['m-a', 'm-b']) }, () => true);
        await expectFilter({ storeId: 's-a-2' }, (_r, i) => i % 3 !== 0 && i % 4 === 1);
        await expectFilter({ terminalId: 't-b-1' }, (_r, i) => i % 3 === 0);
        await expectFilter({ memberOrgIds: new Set(['org-gz']) }, (_r, i) => i % 5 === 2);
        await expectFilter({ status: 'voided' }, (_r, i) => [4, 9, 15].includes(i));
        await expectFilter({ status: 'committed' }, (_r, i) => ![4, 9, 15].includes(i));
        await expectFilter({ fromMs: Date.parse(hour(5)), toMs: Date.parse(hour(10)) }, (_r, i) => i >= 5 && i < 10);
        await expectFilter(
          { merchantIds: new Set(['m-a']), status: 'committed', fromMs: Date.parse(hour(10)) },
          (_r, i) => i % 3 !== 0 && i >= 10 && i !== 15,
        );
        expect((await store.listRedemptions({ merchantIds: new Set(), limit: 50 })).items).toEqual([]);
        expect((await store.listRedemptions({ storeId: 's-none', limit: 50 })).items).toEqual([]);
        // Listed records carry the current status.
        expect(
          all.items
            .filter((r) => r.status === 'voided')
            .map((r) => r.id)
            .sort(),
        ).toEqual(voided.map((r) => r.id).sort());
      });

      it('settles committed campaign lines only, by merchant and campaign, within the period', async () => {
        const d = (createdAt: string, unionFen: number) => campaignDraft({ createdAt }, unionFen);
        await created(store, d('2026-11-01T00:00:00.000Z', 3000));
        const b = await created(store, d('2026-11-02T00:00:00.000Z', 2000));
        await created(store, d('2026-11-03T00:00:00.000Z', 1500));
        await created(store, d('2026-12-01T00:00:00.000Z', 700));
        await created(store, draft({ createdAt: '2026-11-02T00:00:00.000Z' })); // merchant-funded only
        await store.voidRedemption(b.id, 'refund', 'user:u-a', new Date('2026-11-04T00:00:00.000Z'));

        expect(await store.settlement(new Set(['c-b']))).toEqual([{ merchantId: 'm-b', campaignId: 'c-b', count: 3, unionFen: 5200 }]);
        expect(
          await store.settlement(new Set(['c-b']), Date.parse('2026-11-01T00:00:00.000Z'), Date.parse('2026-12-01T00:00:00.000Z')),
        ).toEqual([{ merchantId: 'm-b', campaignId: 'c-b', count: 2, unionFen: 4500 }]);
        expect(await store.settlement(new Set(['c-other']))).toEqual([]);
        expect(await store.settlement(new Set(['a-a']))).toEqual([]);
      });

      it('verifies its own ledger', async () => {
        expect(await store.verifyLedger()).toMatchObject({ ok: true, checked: 0 });
        const r = await created(store, campaignDraft());
        await created(store, draft());
        await store.voidRedemption(r.id, 'x', 'user:u-a', new Date());
        const check = await store.verifyLedger();
        expect(check.ok).toBe(true);
        expect(check.checked).toBeGreaterThanOrEqual(2);
        expect(check.brokenAt).toBeUndefined();
        expect(store.writeFailure()).toBeUndefined();
      });

      it('tells its ledger head and the hash of any earlier entry, so an auditor can check the ledger extends a head seen before', async () => {
        expect(await store.ledgerHead()).toEqual({ seq: 0, hash: '0'.repeat(64) });
        expect(await store.ledgerHashAt(0)).toBe('0'.repeat(64));
        expect(await store.ledgerHashAt(1)).toBeUndefined();
        const a = await created(store, campaignDraft());
        await store.voidRedemption(a.id, 'x', 'user:u-a', new Date());
        const b = await created(store, draft());
        const head = await store.ledgerHead();
        expect(head).toEqual({ seq: 3, hash: b.hash });
        expect(await store.ledgerHashAt(1)).toBe(a.hash);
        expect(await store.ledgerHashAt(3)).toBe(b.hash);
        const voidHash = await store.ledgerHashAt(2); // a void entry: found by walking the chain
        expect(voidHash).toMatch(/^[0-9a-f]{64}$/);
        expect(b.prevHash).toBe(voidHash);
        expect(await store.ledgerHashAt(4)).toBeUndefined();
        expect(await store.ledgerHashAt(-1)).toBeUndefined();
      });

      // Union money of any offer kind: an agreement the union co-funds draws on its own budget (issue 8).
      const coFundedLine = (unionFen: number): Line => ({
        agreementId: 'a-u',
        agreementVersion: 1,
        title: 'a-u',
        discountFen: unionFen * 2,
        funding: { merchantFen: unionFen, unionFen },
      });
      async function saveCoFunded(budgetFen: number) {
        const a = (await store.offerVersion('a-a', 1))!;
        await store.saveOffer({ ...a, id: 'a-u', title: 'a-u', unionShareBps: 5000, budgetFen });
      }

      it('draws every union-funded line on its own offer’s budget, agreements too, and settles it by that offer', async () => {
        await saveCoFunded(1000);
        expect(await store.remainingBudget('a-u')).toBe(1000);
        const first = await created(store, draft({ lines: [coFundedLine(400)] }));
        // One redemption with a co-funded agreement line and a campaign line draws on both budgets.
        const both = await created(store, campaignDraft({ lines: [coFundedLine(400), campaignLine(3000)] }));
        expect(await store.remainingBudget('a-u')).toBe(200);
        expect(await store.remainingBudget('c-b')).toBe(97_000);
        const over = await store.commitRedemption(draft({ lines: [coFundedLine(201)] }), noLimit);
        expect(over).toMatchObject({ kind: 'refused', code: 'BUDGET_EXHAUSTED' });
        expect((await store.listRedemptions({ limit: 50 })).items).toHaveLength(2);
        expect(await store.settlement(new Set(['a-u']))).toEqual([
          { merchantId: 'm-a', campaignId: 'a-u', count: 1, unionFen: 400 },
          { merchantId: 'm-b', campaignId: 'a-u', count: 1, unionFen: 400 },
        ]);
        expect(await store.settlement(new Set(['a-u', 'c-b']))).toEqual(
          expect.arrayContaining([{ merchantId: 'm-b', campaignId: 'c-b', count: 1, unionFen: 3000 }]),
        );
        // A void gives back to every budget it drew on.
        await store.voidRedemption(both.id, 'refund', 'user:u-a', new Date(AT));
        expect(await store.remainingBudget('a-u')).toBe(600);
        expect(await store.remainingBudget('c-b')).toBe(100_000);
        expect(await store.settlement(new Set(['a-u']))).toEqual([{ merchantId: 'm-a', campaignId: 'a-u', count: 1, unionFen: 400 }]);
        expect(first.lines[0]!.funding.unionFen).toBe(400);
      });

      it('never exceeds a co-funded agreement’s budget under 30 concurrent commits', async () => {
        await saveCoFunded(1000);
        const results = await Promise.all(
          Array.from({ length: 30 }, () => store.commitRedemption(draft({ lines: [coFundedLine(300)] }), noLimit)),
        );
        expect(results.filter((r) => r.kind === 'created')).toHaveLength(3);
        expect(await store.remainingBudget('a-u')).toBe(100);
      });

      it('grants no union money from an offer without a budget, and records nothing', async () => {
        const r = await store.commitRedemption(
          draft({ lines: [agreementLine(10000, { funding: { merchantFen: 0, unionFen: 500 } })] }),
          noLimit,
        );
        expect(r).toMatchObject({ kind: 'refused', code: 'BUDGET_EXHAUSTED' });
        expect((await store.listRedemptions({ limit: 50 })).items).toEqual([]);
      });
    });

    describe('settlement statements', () => {
      const statementDraft = (from: string, to: string, o: Partial<Statement> = {}): Omit<Statement, 'id'> => ({
        orgId: 'org-gz',
        from,
        to,
        timeZone: 'Asia/Shanghai',
        status: 'draft',
        rows: [],
        totalUnionFen: 0,
        redemptionIds: [],
        adjustments: [],
        adjustmentFen: 0,
        createdAt: AT,
        createdBy: 'drafter',
        ...o,
      });
      const adjustment = (redemptionId: string) => ({
        redemptionId,
        statementId: 'st-x',
        merchantId: 'm-b',
        campaignId: 'c-b',
        unionFen: 3000,
        voidedAt: AT,
      });

      it('refuses a draft overlapping a statement of the same union that is not cancelled, atomically', async () => {
        const a = await store.createStatement(statementDraft('2026-11-01', '2026-11-15'));
        expect(a.kind).toBe('created');
        if (a.kind !== 'created') return;
        expect(await store.createStatement(statementDraft('2026-11-15', '2026-11-30'))).toMatchObject({
          kind: 'refused',
          code: 'STATEMENT_OVERLAP',
        });
        // Another union's statement may cover the same days.
        expect((await store.createStatement(statementDraft('2026-11-01', '2026-11-15', { orgId: 'org-kd' }))).kind).toBe('created');
        // Concurrent drafts of overlapping days: exactly one is recorded.
        const race = await Promise.all([1, 2, 3].map(() => store.createStatement(statementDraft('2026-12-01', '2026-12-31'))));
        expect(race.filter((r) => r.kind === 'created')).toHaveLength(1);
        // Cancelled statements do not count.
        expect((await store.advanceStatement(a.statement.id, 'cancelled', 'drafter', new Date(AT))).kind).toBe('advanced');
        expect((await store.createStatement(statementDraft('2026-11-10', '2026-11-20'))).kind).toBe('created');
        expect((await store.statements(new Set(['org-gz']))).map((s) => s.status).sort()).toEqual(['cancelled', 'draft', 'draft']);
      });

      it('refuses a second live statement carrying the same adjustment, and keeps the adjustments it records', async () => {
        const a = await store.createStatement(
          statementDraft('2026-11-01', '2026-11-15', { adjustments: [adjustment('rd-0000000001')], adjustmentFen: 3000 }),
        );
        expect(a.kind).toBe('created');
        if (a.kind !== 'created') return;
        expect((await store.statement(a.statement.id))?.adjustments).toEqual([adjustment('rd-0000000001')]);
        expect(
          await store.createStatement(statementDraft('2026-12-01', '2026-12-15', { adjustments: [adjustment('rd-0000000001')] })),
        ).toMatchObject({ kind: 'refused', code: 'STATEMENT_OVERLAP' });
        await store.advanceStatement(a.statement.id, 'cancelled', 'drafter', new Date(AT));
        expect(
          (await store.createStatement(statementDraft('2026-12-01', '2026-12-15', { adjustments: [adjustment('rd-0000000001')] }))).kind,
        ).toBe('created');
      });
    });

    describe('member side', () => {
      const AT2 = '2026-11-25T05:00:00.000Z';
      const fb = (o: Partial<Feedback> = {}): Feedback => ({
        id: `fb-${++draftCounter}`,
        redemptionId: `rd-${draftCounter}`,
        memberId: 'mbr-1',
        memberOrgId: 'org-kd',
        merchantId: 'm-a',
        storeId: 's-a-1',
        redemptionAt: AT,
        rating: 4,
        honoured: true,
        createdAt: AT2,
        ...o,
      });

      it('keeps credentials per member and replaces them whole; a reset revokes every device and leaves no hash in the trail', async () => {
        const m = store.memberSide;
        expect(await m.credential('mbr-1')).toBeUndefined();
        await m.putCredentials([
          { memberId: 'mbr-1', passwordHash: 'scrypt$x', activationHash: null, updatedAt: AT },
          { memberId: 'mbr-2', passwordHash: null, activationHash: 'a'.repeat(64), updatedAt: AT },
        ]);
        expect(await m.credential('mbr-1')).toEqual({ memberId: 'mbr-1', passwordHash: 'scrypt$x', activationHash: null, updatedAt: AT });
        expect((await m.credential('mbr-2'))?.activationHash).toBe('a'.repeat(64));
        await m.putCredentials([{ memberId: 'mbr-1', passwordHash: 'scrypt$y', activationHash: null, updatedAt: AT2 }]);
        expect((await m.credential('mbr-1'))?.passwordHash).toBe('scrypt$y');
        expect(await m.addDevice({ id: 'DEVAAAAA', memberId: 'mbr-1', keyWrapped: 'v1.x.y', createdAt: AT, revokedAt: null }, 3)).toEqual({
          kind: 'ok',
        });
        await m.resetCredential(
          { memberId: 'mbr-1', passwordHash: null, activationHash: 'b'.repeat(64), updatedAt: AT2 },
          { userId: 'u-a', username: 'admin-a', at: new Date(AT2) },
          'org-kd',
        );
        expect(await m.credential('mbr-1')).toMatchObject({ passwordHash: null, activationHash: 'b'.repeat(64) });
        expect((await m.device('DEVAAAAA'))?.revokedAt).not.toBeNull();
        const trail = await store.admin.auditTrail({ limit: 10 });
        const entry = trail.items.find((e) => e.action === 'member.password-reset');
        expect(entry).toMatchObject({ entity: 'member', id: 'mbr-1', by: { username: 'admin-a' } });
        expect(JSON.stringify(entry)).not.toContain('b'.repeat(64));
      });

      it('registers devices once per id, keeps the newest `keep` active, revokes on request, and lists active ones', async () => {
        const m = store.memberSide;
        const dev = (id: string, at: string, memberId = 'mbr-1') => ({
          id,
          memberId,
          keyWrapped: `v1.${id}.k`,
          createdAt: at,
          revokedAt: null,
        });
        expect(await m.addDevice(dev('D1AAAAAA', '2026-11-25T01:00:00.000Z'), 2)).toEqual({ kind: 'ok' });
        expect(await m.addDevice(dev('D1AAAAAA', '2026-11-25T01:00:01.000Z', 'mbr-2'), 2)).toEqual({ kind: 'refused', code: 'CONFLICT' });
        await m.addDevice(dev('D2AAAAAA', '2026-11-25T02:00:00.000Z'), 2);
        await m.addDevice(dev('D3AAAAAA', '2026-11-25T03:00:00.000Z'), 2);
        await m.addDevice(dev('D4AAAAAA', '2026-11-25T03:00:00.000Z', 'mbr-2'), 2);
        expect((await m.device('D1AAAAAA'))?.revokedAt).toBe('2026-11-25T03:00:00.000Z');
        expect((await m.device('D2AAAAAA'))?.revokedAt).toBeNull();
        expect((await m.device('D2AAAAAA'))?.keyWrapped).toBe('v1.D2AAAAAA.k');
        expect((await m.activeDevicesOf(new Set(['mbr-1']))).map((d) => d.id).sort()).toEqual(['D2AAAAAA', 'D3AAAAAA']);
        await m.revokeDevice('D2AAAAAA', new Date(AT2));
        expect((await m.device('D2AAAAAA'))?.revokedAt).toBe(AT2);
        expect((await m.activeDevicesOf(new Set(['mbr-1', 'mbr-2']))).map((d) => d.id).sort()).toEqual(['D3AAAAAA', 'D4AAAAAA']);
        expect(await m.device('NOSUCHID')).toBeUndefined();
      });

      it('takes one feedback per redemption, even when two arrive at once, and filters what it lists', async () => {
        const m = store.memberSide;
        const a = fb({ redemptionId: 'rd-100' });
        const [r1, r2] = await Promise.all([m.addFeedback(a), m.addFeedback({ ...a, id: 'fb-other', rating: 1 })]);
        expect([r1.kind, r2.kind].sort()).toEqual(['created', 'exists']);
        const kept = (r1.kind === 'created' ? r1 : r2).feedback;
        expect((await m.addFeedback({ ...a, id: 'fb-third' })).kind).toBe('exists');
        await m.addFeedback(
          fb({
            redemptionId: 'rd-101',
            memberId: 'mbr-2',
            memberOrgId: 'org-gz',
            merchantId: 'm-b',
            storeId: 's-b-1',
            honoured: false,
            rating: 1,
            complaint: { status: 'open' },
            comment: '没打折',
            createdAt: '2026-11-26T05:00:00.000Z',
          }),
        );
        expect(await m.feedback({})).toHaveLength(2);
        expect((await m.feedback({ merchantIds: new Set(['m-b']) })).map((x) => x.redemptionId)).toEqual(['rd-101']);
        expect((await m.feedback({ memberId: 'mbr-1' })).map((x) => x.id)).toEqual([kept.id]);
        expect((await m.feedback({ memberOrgIds: new Set(['org-kd']) })).map((x) => x.redemptionId)).toEqual(['rd-100']);
        expect((await m.feedback({ complaintStatus: 'open' })).map((x) => x.redemptionId)).toEqual(['rd-101']);
        expect((await m.feedback({ fromMs: Date.parse('2026-11-26T00:00:00.000Z') })).map((x) => x.redemptionId)).toEqual(['rd-101']);
        expect((await m.feedback({ toMs: Date.parse('2026-11-26T00:00:00.000Z') })).map((x) => x.redemptionId)).toEqual(['rd-100']);
        expect((await m.feedback({ redemptionIds: new Set(['rd-100']) })).map((x) => x.redemptionId)).toEqual(['rd-100']);
        // newest first
        expect((await m.feedback({})).map((x) => x.redemptionId)).toEqual(['rd-101', 'rd-100']);
        expect(await m.feedbackById(kept.id)).toEqual(kept);
      });

      it('pages feedback newest first by cursor (the last id shown), every match once, filters kept, an unknown cursor giving nothing', async () => {
        const m = store.memberSide;
        const made: Feedback[] = [];
        for (let i = 0; i < 7; i++) {
          const f = fb(i % 2 ? { merchantId: 'm-b', storeId: 's-b-1', honoured: false, complaint: { status: 'open' } } : {});
          expect((await m.addFeedback(f)).kind).toBe('created');
          made.push(f);
        }
        const newestFirst = made.map((f) => f.id).reverse();
        const seen: string[] = [];
        let before: string | undefined;
        for (let guard = 0; guard < 10; guard++) {
          const page = await m.feedback({ limit: 3, ...(before ? { before } : {}) });
          expect(page.length).toBeLessThanOrEqual(3);
          seen.push(...page.map((x) => x.id));
          if (page.length < 3) break;
          before = page[page.length - 1]!.id;
        }
        expect(seen).toEqual(newestFirst);
        const open = made
          .filter((f) => f.complaint)
          .map((f) => f.id)
          .reverse();
        const first = await m.feedback({ complaintStatus: 'open', merchantIds: new Set(['m-b']), limit: 2 });
        expect(first.map((x) => x.id)).toEqual(open.slice(0, 2));
        expect((await m.feedback({ complaintStatus: 'open', limit: 5, before: first[1]!.id })).map((x) => x.id)).toEqual(open.slice(2));
        expect(await m.feedback({ limit: 5, before: 'fb-nope' })).toEqual([]);
        expect((await m.feedback({})).map((x) => x.id)).toEqual(newestFirst); // no limit: every match, as before
      });

      it('moves a complaint open → answered → closed once each, with who and when, and refuses skipping or repeating', async () => {
        const m = store.memberSide;
        const c = fb({ honoured: false, rating: 2, complaint: { status: 'open' } });
        await m.addFeedback(c);
        const plain = fb();
        await m.addFeedback(plain);
        expect(await m.advanceComplaint(plain.id, 'answered', 'aud', new Date(AT2), 'x')).toMatchObject({
          kind: 'refused',
          code: 'NOT_FOUND',
        });
        expect(await m.advanceComplaint('fb-none', 'answered', 'aud', new Date(AT2), 'x')).toMatchObject({
          kind: 'refused',
          code: 'NOT_FOUND',
        });
        expect(await m.advanceComplaint(c.id, 'closed', 'aud', new Date(AT2))).toMatchObject({ kind: 'refused', code: 'CONFLICT' });
        const [x, y] = await Promise.all([
          m.advanceComplaint(c.id, 'answered', 'aud-1', new Date(AT2), '已处理'),
          m.advanceComplaint(c.id, 'answered', 'aud-2', new Date(AT2), '重复'),
        ]);
        expect([x.kind, y.kind].sort()).toEqual(['advanced', 'refused']);
        const answered = await m.feedbackById(c.id);
        expect(answered?.complaint).toMatchObject({ status: 'answered', answeredAt: AT2 });
        expect(['aud-1', 'aud-2']).toContain(answered?.complaint?.answeredBy);
        const closed = await m.advanceComplaint(c.id, 'closed', 'aud-3', new Date('2026-11-25T06:00:00.000Z'));
        expect(closed).toMatchObject({
          kind: 'advanced',
          feedback: {
            complaint: { status: 'closed', closedBy: 'aud-3', closedAt: '2026-11-25T06:00:00.000Z', answer: answered?.complaint?.answer },
          },
        });
        expect(await m.advanceComplaint(c.id, 'closed', 'aud-3', new Date())).toMatchObject({ kind: 'refused', code: 'CONFLICT' });
        expect((await m.feedback({ complaintStatus: 'closed' })).map((f) => f.id)).toEqual([c.id]);
      });

      it("lists one member's redemptions with memberId, newest first, and pages them", async () => {
        const mine = [await created(store, draft()), await created(store, draft()), await created(store, draft())];
        await created(store, draft({ memberId: 'mbr-2', memberOrgId: 'org-gz' }));
        const pages = await listAll(store, { memberId: 'mbr-1' }, 2);
        expect(pages.flat().map((r) => r.id)).toEqual(mine.map((r) => r.id).reverse());
        expect((await store.listRedemptions({ memberId: 'mbr-3', limit: 10 })).items).toEqual([]);
      });
    });
  });
}
