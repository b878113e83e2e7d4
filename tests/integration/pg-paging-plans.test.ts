/**
 * Every redemption list a portal pages through is a keyset page on an index: the plan is a LIMIT over
 * an index scan in seq order, with no sort of the matching rows and no sequential or bitmap scan, so a
 * page costs the same at ten or ten million redemptions. Checked with EXPLAIN on 60,000 rows (rows made by SQL:
 * only the plans matter here) and ANALYZE'd statistics.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgStore } from '../../server/store/pg/pg-store.ts';
import { listQuery } from '../../server/store/pg/sql/list-redemptions.ts';
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
  });
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
