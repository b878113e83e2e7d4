/**
 * Every redemption list a portal pages through is a keyset page on an index: the plan is a LIMIT over
 * an index scan in seq order, with no sort of the matching rows and no sequential or bitmap scan, so a
 * page costs the same at ten or ten million redemptions. Checked with EXPLAIN on 60,000 rows (rows made by SQL:
 * only the plans matter here) and ANALYZE'd statistics.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgStore } from '../../server/store/pg/pg-store.ts';
import { memberListQuery } from '../../server/store/pg/pg-admin.ts';
import { auditListQuery } from '../../server/store/pg/sql/list-audit.ts';
import { cardListQuery } from '../../server/store/pg/sql/list-cards.ts';
import { feedbackListQuery } from '../../server/store/pg/sql/list-feedback.ts';
import { listQuery } from '../../server/store/pg/sql/list-redemptions.ts';
import type { AuditFilter, CardFilter, MemberFilter } from '../../server/store/admin-store.ts';
import type { FeedbackFilter } from '../../server/store/member-store.ts';
import type { RedemptionFilter } from '../../server/store/store.ts';
import { createTestDatabase, pgUnavailable, reportSkip, type TestDatabase } from '../helpers/pg.ts';

const why = await pgUnavailable();
if (why) reportSkip('tests/integration/pg-paging-plans.test.ts', why);

type PlanNode = { 'Node Type': string; 'Index Name'?: string; Plans?: PlanNode[] };
const nodes = (p: PlanNode): PlanNode[] => [p, ...(p.Plans ?? []).flatMap(nodes)];

describe.skipIf(!!why)('portal lists page by keyset on an index', () => {
  let db: TestDatabase;
  let c: pg.Client;
  beforeAll(async () => {
    db = await createTestDatabase('plans');
    (await PgStore.open({ url: db.url })).close();
    c = new pg.Client({ connectionString: db.url });
    await c.connect();
    // 60,000 redemptions over 40 merchants, 80 stores, 120 terminals, 20 unions, 600 members: every key has a
    // long history (500 rows a terminal), as it will in production, so sorting a key's rows would cost more than walking its index.
    await c.query(`
      INSERT INTO redemptions (seq, id, idempotency_key, quote_id, member_id, member_org_id, merchant_id, store_id, terminal_id, created_at, status, union_fen, campaign_id, campaign_fen, body, receipt_no)
      SELECT g, 'rd-' || lpad(g::text, 10, '0'), 'k-' || g, 'q-' || g, 'mbr-' || (g % 600), 'org-' || (g % 20), 'm-' || (g % 40), 's-' || (g % 80), 't-' || (g % 120),
             timestamptz '2026-01-01' + g * interval '5 minutes', CASE WHEN g % 50 = 0 THEN 'voided' ELSE 'committed' END,
             CASE WHEN g % 3 = 0 THEN 1000 ELSE 0 END, NULL, 0, '{}'::jsonb, g
        FROM generate_series(1, 60000) AS g`);
    await c.query('ANALYZE redemptions');
    // 200,000 members over 20 unions, 1 in 499 suspended, member numbers in an order unrelated to the union.
    await c.query(`
      INSERT INTO members (id, member_no, org_id, status, name, doc)
      SELECT 'mbr-' || g, lpad(((g::bigint * 7919) % 1000003)::text, 10, '0'), 'org-' || (g % 20),
             CASE WHEN g % 499 = 0 THEN 'suspended' ELSE 'active' END, '会员' || g, '{}'::jsonb
        FROM generate_series(1, 200000) AS g`);
    await c.query('ANALYZE members');
    // 220,000 cards: one a member and a second for every tenth; 1 in 200 lost, 1 in 1,000 frozen, changed over two years.
    await c.query(`
      INSERT INTO cards (id, member_id, pan_hash, last4, doc)
      SELECT 'card-' || g, 'mbr-' || (CASE WHEN g > 200000 THEN (g - 200000) * 10 ELSE g END), 'h-' || g, lpad((g % 10000)::text, 4, '0'),
             jsonb_build_object('id', 'card-' || g, 'memberId', 'mbr-' || (CASE WHEN g > 200000 THEN (g - 200000) * 10 ELSE g END),
               'last4', lpad((g % 10000)::text, 4, '0'),
               'status', CASE WHEN g % 200 = 0 THEN 'lost' WHEN g % 1000 = 7 THEN 'frozen' ELSE 'activated' END,
               'updatedAt', to_char((timestamptz '2025-01-01' + ((g::bigint * 7907) % 1000003) * interval '1 minute') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
        FROM generate_series(1, 220000) AS g`);
    await c.query('ANALYZE cards');
    // 200,000 audit entries: 20 unions and 40 merchants, 200 users, every record touched a few times.
    await c.query(`
      INSERT INTO audit (seq, entity, entity_id, username, org_ids, merchant_ids, line)
      SELECT g, CASE WHEN g % 4 = 0 THEN 'member' ELSE 'card' END, 'card-' || (g % 50000), 'user-' || (g % 200),
             ARRAY['org-' || (g % 20)], CASE WHEN g % 5 = 0 THEN ARRAY['m-' || (g % 40)] ELSE ARRAY[]::text[] END, '{}'
        FROM generate_series(1, 200000) AS g`);
    await c.query('ANALYZE audit');
    // 100,000 feedback over 40 merchants and 20 unions; 1 in 50 a complaint, a third of those still open.
    await c.query(`
      INSERT INTO feedback (id, redemption_id, member_id, member_org_id, merchant_id, created_at, complaint_status, doc)
      SELECT 'fb-' || g, 'rd-' || g, 'mbr-' || (g % 600), 'org-' || (g % 20), 'm-' || (g % 40), timestamptz '2026-01-01' + g * interval '3 minutes',
             CASE WHEN g % 50 <> 0 THEN NULL WHEN g % 150 = 0 THEN 'open' ELSE 'closed' END, '{}'::jsonb
        FROM generate_series(1, 100000) AS g`);
    await c.query('ANALYZE feedback');
  }, 120_000);
  afterAll(async () => {
    await c?.end();
    await db?.drop();
  });

  const cases: [string, RedemptionFilter, string][] = [
    ['everything (admin, root union auditor)', { limit: 50 }, 'redemptions_pkey'],
    ['one merchant (merchant portal)', { merchantIds: new Set(['m-7']), limit: 50 }, 'redemptions_merchant_seq'],
    ['one merchant, next page', { merchantIds: new Set(['m-7']), beforeSeq: 30_000, limit: 50 }, 'redemptions_merchant_seq'],
    ['one store', { storeId: 's-12', limit: 50 }, 'redemptions_store_seq'],
    ['one terminal', { terminalId: 't-99', limit: 50 }, 'redemptions_terminal_seq'],
    ['one member (member page)', { memberId: 'mbr-77', limit: 50 }, 'redemptions_member_seq'],
    ['one union (union audit)', { memberOrgIds: new Set(['org-3']), limit: 50 }, 'redemptions_member_org_seq'],
    [
      'a merchant, union money only, committed',
      { merchantIds: new Set(['m-7']), funding: 'union', status: 'committed', limit: 50 },
      'redemptions_merchant_seq',
    ],
    ['several merchants (a union admin)', { merchantIds: new Set(['m-1', 'm-2', 'm-3']), limit: 50 }, 'redemptions_merchant_seq'],
    // Not here: a from/to window. PostgreSQL may sort the window's rows when it expects few (a month of one merchant
    // here): that cost follows the window asked for, not the history; docs/DEPLOY.md says so.
  ];

  const allOrgs = new Set(Array.from({ length: 20 }, (_, i) => `org-${i}`));
  // The fourth field: a sort of the index range's rows is fine there (the planner expects ~20 matches: the
  // suspended members of one union; the cost follows them, not the table).
  const memberCases: [string, Omit<MemberFilter, 'offset'>, string[], 'small sort'?][] = [
    ['every member of the scope (a city admin)', { orgIds: allOrgs, limit: 50 }, ['members_member_no_key']],
    ['every member, a page deep in', { orgIds: allOrgs, after: '0000500000', limit: 50 }, ['members_member_no_key']],
    ['one union (orgId)', { orgIds: allOrgs, orgId: 'org-7', limit: 50 }, ['members_org_no', 'members_org_status_no']],
    [
      'one union, next page',
      { orgIds: allOrgs, orgId: 'org-7', after: '0000500000', limit: 50 },
      ['members_org_no', 'members_org_status_no'],
    ],
    ['the suspended ones', { orgIds: allOrgs, status: 'suspended', limit: 50 }, ['members_status_no']],
    [
      'the suspended ones of one union',
      { orgIds: allOrgs, orgId: 'org-7', status: 'suspended', limit: 10 },
      ['members_org_status_no'],
      'small sort',
    ],
  ];
  for (const [name, f, indexes, sortOk] of memberCases) {
    it(`members, ${name}: LIMIT over an index scan (${indexes.join(' or ')}), ${sortOk ?? 'no sort'}, no sequential scan`, async () => {
      const q = memberListQuery({ ...f, offset: 0 });
      const { rows } = await c.query(`EXPLAIN (FORMAT JSON) ${q.text}`, q.values);
      const plan = rows[0]['QUERY PLAN'][0].Plan as PlanNode;
      const all = nodes(plan);
      expect(plan['Node Type']).toBe('Limit');
      if (sortOk) expect((plan.Plans![0] as PlanNode & { 'Plan Rows': number })['Plan Rows']).toBeLessThan(100);
      else expect(all.map((n) => n['Node Type'])).not.toContain('Sort');
      expect(all.map((n) => n['Node Type'])).not.toContain('Seq Scan');
      expect(all.map((n) => n['Node Type'])).not.toContain('Bitmap Heap Scan');
      const scans = all.filter((n) => n['Node Type'] === 'Index Scan' || n['Node Type'] === 'Index Only Scan');
      expect(scans.length).toBe(1);
      expect(indexes).toContain(scans[0]!['Index Name']);
      // And it answers: the page is in member-number order, after the cursor, one more row than asked (is there more?).
      const got = (await c.query(q.text.replace('SELECT m.doc', 'SELECT m.member_no'), q.values)).rows.map((r) => r.member_no);
      expect(got.length).toBe(f.limit + 1);
      expect([...got].sort()).toEqual(got);
      if (f.after) expect(got[0] > f.after).toBe(true);
    });
  }
  it('counts members only up to 10,001, whatever the scope holds', async () => {
    const q = memberListQuery({ orgIds: allOrgs, offset: 0, limit: 50 });
    expect(Number((await c.query(q.count, q.countValues)).rows[0].n)).toBe(10_001);
    const { rows } = await c.query(`EXPLAIN (FORMAT JSON) ${q.count}`, q.countValues);
    expect(nodes(rows[0]['QUERY PLAN'][0].Plan as PlanNode).map((n) => n['Node Type'])).toContain('Limit');
  });

  // The card list: the card index walked in (updatedAt, id) order, each card's member read by primary key for its union.
  const cardCases: [string, CardFilter, string][] = [
    ['every card of the scope (a city admin)', { orgIds: allOrgs, limit: 50 }, 'cards_updated'],
    ['every card, a page deep in', { orgIds: allOrgs, after: '2025-06-01T00:00:00.000Z|card-5', limit: 50 }, 'cards_updated'],
    ['one union of twenty (a district admin)', { orgIds: new Set(['org-7']), limit: 50 }, 'cards_updated'],
    ['the lost ones', { orgIds: allOrgs, status: 'lost', limit: 50 }, 'cards_status_updated'],
    [
      'the lost ones, next page',
      { orgIds: allOrgs, status: 'lost', after: '2025-06-01T00:00:00.000Z|card-5', limit: 50 },
      'cards_status_updated',
    ],
    ['the frozen ones of a district', { orgIds: new Set(['org-7', 'org-8']), status: 'frozen', limit: 10 }, 'cards_status_updated'],
    ['a last 4', { orgIds: allOrgs, last4: '0420', limit: 10 }, 'cards_last4_updated'],
  ];
  for (const [name, f, index] of cardCases) {
    it(`cards, ${name}: LIMIT over ${index} in order, members by primary key, no sort, no sequential scan`, async () => {
      const q = cardListQuery(f);
      const { rows } = await c.query(`EXPLAIN (FORMAT JSON) ${q.text}`, q.values);
      const plan = rows[0]['QUERY PLAN'][0].Plan as PlanNode;
      const all = nodes(plan);
      expect(plan['Node Type']).toBe('Limit');
      expect(all.map((n) => n['Node Type'])).not.toContain('Sort');
      expect(all.map((n) => n['Node Type'])).not.toContain('Seq Scan');
      expect(all.map((n) => n['Node Type'])).not.toContain('Bitmap Heap Scan');
      const scans = all.filter((n) => n['Node Type'] === 'Index Scan' || n['Node Type'] === 'Index Only Scan').map((n) => n['Index Name']);
      expect(scans).toEqual([index, 'members_pkey']);
      // And it answers: newest change first, after the cursor, in the scope, one more row than asked when there are enough.
      const got = (
        await c.query(
          q.text.replace(
            'SELECT c.doc AS card, m.doc AS member',
            "SELECT c.doc->>'updatedAt' AS u, c.id, m.org_id, c.doc->>'status' AS st",
          ),
          q.values,
        )
      ).rows as { u: string; id: string; org_id: string; st: string }[];
      expect(got.length).toBeGreaterThan(0);
      const keys = got.map((r) => `${r.u}|${r.id}`);
      expect([...keys].sort().reverse()).toEqual(keys);
      if (f.after) expect(keys[0]! < f.after).toBe(true);
      for (const r of got) {
        expect(f.orgIds.has(r.org_id)).toBe(true);
        if (f.status) expect(r.st).toBe(f.status);
      }
      if (!f.status || f.status === 'lost') expect(got.length).toBe(f.limit + 1);
    });
  }
  it('counts cards only up to 10,001, whatever the scope holds', async () => {
    const q = cardListQuery({ orgIds: allOrgs, limit: 50 });
    expect(Number((await c.query(q.count, q.countValues)).rows[0].n)).toBe(10_001);
  });

  const planOf = async (q: { text: string; values: unknown[] }) => {
    const { rows } = await c.query(`EXPLAIN (FORMAT JSON) ${q.text}`, q.values);
    return rows[0]['QUERY PLAN'][0].Plan as PlanNode & { 'Plan Rows': number };
  };
  const scansOf = (all: PlanNode[]) =>
    all.filter((n) => ['Index Scan', 'Index Only Scan', 'Bitmap Index Scan'].includes(n['Node Type'])).map((n) => n['Index Name']);

  // The audit trail: newest first on the primary key, or on one record's or one user's range.
  // The fourth field: a sort of the range's rows is fine there (one record's few entries; the cost follows them).
  const auditCases: [string, AuditFilter, string, 'small sort'?][] = [
    ['everything (a root admin)', { limit: 50 }, 'audit_pkey'],
    ['everything, a page deep in', { beforeSeq: 100_000, limit: 50 }, 'audit_pkey'],
    ["one card's history", { entity: 'card', id: 'card-4242', limit: 50 }, 'audit_entity_id_seq', 'small sort'],
    ["one user's changes", { username: 'user-17', limit: 50 }, 'audit_username_seq'],
    ["one user's changes, next page", { username: 'user-17', beforeSeq: 100_000, limit: 50 }, 'audit_username_seq'],
  ];
  for (const [name, f, index, sortOk] of auditCases) {
    it(`audit trail, ${name}: LIMIT over ${index}, ${sortOk ?? 'no sort'}, no sequential scan`, async () => {
      const q = auditListQuery(f);
      const plan = await planOf(q);
      const all = nodes(plan);
      expect(plan['Node Type']).toBe('Limit');
      if (sortOk) expect((plan.Plans![0] as PlanNode & { 'Plan Rows': number })['Plan Rows']).toBeLessThan(100);
      else expect(all.map((n) => n['Node Type'])).not.toContain('Sort');
      expect(all.map((n) => n['Node Type'])).not.toContain('Seq Scan');
      expect(scansOf(all)).toEqual([index]);
      const seqs = (await c.query(q.text.replace('SELECT line', 'SELECT seq::int AS seq'), q.values)).rows.map((r) => r.seq as number);
      expect(seqs.length).toBeGreaterThan(0);
      expect([...seqs].sort((a, b) => b - a)).toEqual(seqs);
      if (f.beforeSeq) expect(seqs[0]!).toBeLessThan(f.beforeSeq);
    });
  }
  it("audit trail, a scoped reader (one union of twenty and its merchants): no sequential scan, and any sort only of the scope's rows", async () => {
    const q = auditListQuery({ orgIds: new Set(['org-7']), merchantIds: new Set(['m-7', 'm-27']), limit: 50 });
    const plan = await planOf(q);
    const all = nodes(plan) as (PlanNode & { 'Plan Rows': number })[];
    expect(plan['Node Type']).toBe('Limit');
    expect(all.map((n) => n['Node Type'])).not.toContain('Seq Scan');
    // Walking the primary key newest first, or gathering the scope through the GIN indexes and sorting that:
    // either way the work follows the scope (a twentieth here), not the 200,000 rows of the trail.
    for (const sort of all.filter((n) => n['Node Type'] === 'Sort')) expect(sort.Plans![0]!['Plan Rows' as never]).toBeLessThan(20_000);
    const got = (await c.query(q.text.replace('SELECT line', 'SELECT seq::int AS seq, org_ids'), q.values)).rows;
    expect(got.length).toBe(51);
    expect(got.every((r) => r.org_ids.includes('org-7') || r.seq % 5 === 0)).toBe(true);
  });

  // The feedback list and the complaint queue (GET /feedback): newest first on an index per scope, or on n itself
  // when the planner expects the scope to be common enough that the next page comes sooner that way (as for redemptions).
  const feedbackCases: [string, FeedbackFilter, string[]][] = [
    ['everything (a root union)', { limit: 51 }, ['feedback_n_key']],
    ['one merchant (merchant portal)', { merchantIds: new Set(['m-7']), limit: 51 }, ['feedback_merchant', 'feedback_n_key']],
    ['one union', { memberOrgIds: new Set(['org-3']), limit: 51 }, ['feedback_member_org', 'feedback_n_key']],
    ['the open complaints (the queue)', { complaintStatus: 'open', limit: 51 }, ['feedback_complaint_n']],
    ['everything, next page', { before: 'fb-50000', limit: 51 }, ['feedback_n_key', 'feedback_pkey']],
    [
      'the open complaints, next page',
      { complaintStatus: 'open', before: 'fb-60000', limit: 51 },
      ['feedback_complaint_n', 'feedback_pkey'],
    ],
  ];
  for (const [name, f, indexes] of feedbackCases) {
    it(`feedback, ${name}: LIMIT over ${indexes[0]} in order, no sort, no sequential scan`, async () => {
      const q = feedbackListQuery(f);
      const plan = await planOf(q);
      const all = nodes(plan);
      expect(plan['Node Type']).toBe('Limit');
      expect(all.map((n) => n['Node Type'])).not.toContain('Sort');
      expect(all.map((n) => n['Node Type'])).not.toContain('Seq Scan');
      expect(all.map((n) => n['Node Type'])).not.toContain('Bitmap Heap Scan');
      const scans = scansOf(all);
      if (f.before) expect([...scans].sort()).toEqual([...indexes].sort());
      else {
        expect(scans).toHaveLength(1);
        expect(indexes).toContain(scans[0]);
      }
      const got = (await c.query(q.text.replace('SELECT doc', 'SELECT n::int AS n, complaint_status'), q.values)).rows;
      expect(got.length).toBe(51);
      const ns = got.map((r) => r.n as number);
      expect([...ns].sort((a, b) => b - a)).toEqual(ns);
      if (f.complaintStatus) expect(got.every((r) => r.complaint_status === f.complaintStatus)).toBe(true);
      if (f.before) expect(ns[0]!).toBeLessThan(Number(f.before.slice(3)));
    });
  }

  for (const [name, f, index] of cases) {
    it(`${name}: LIMIT over an ordered index scan (${index} or the primary key), no sort, no sequential scan`, async () => {
      const q = listQuery(f);
      const { rows } = await c.query(`EXPLAIN (FORMAT JSON) ${q.text}`, q.values);
      const plan = rows[0]['QUERY PLAN'][0].Plan as PlanNode;
      const all = nodes(plan);
      expect(plan['Node Type']).toBe('Limit');
      expect(all.map((n) => n['Node Type'])).not.toContain('Sort');
      expect(all.map((n) => n['Node Type'])).not.toContain('Seq Scan');
      // Walks an index in seq order: its own, or the primary key backwards when the planner expects the key to be common
      // enough that the next 50 matches come sooner that way (both read about a page, never the key's whole history).
      expect(all.map((n) => n['Node Type'])).not.toContain('Bitmap Heap Scan');
      const scans = all.filter((n) => n['Node Type'] === 'Index Scan' || n['Node Type'] === 'Index Only Scan');
      expect(scans.length).toBe(1);
      expect([index, 'redemptions_pkey']).toContain(scans[0]!['Index Name']);
    });
  }
});
