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
import { listQuery } from '../../server/store/pg/sql/list-redemptions.ts';
import type { MemberFilter } from '../../server/store/admin-store.ts';
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
