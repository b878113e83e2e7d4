/**
 * The PostgreSQL parts of `npm run bench` (issue 9), on the city database of bench/pg-city.ts:
 * - `pg`: quote p50/p99 and throughput at 1 and 16 connections, durable redemptions/s at 16 and 64, beside a
 *   bare express endpoint measured in the same run, and the same redemption as bare SQL by `pgbench` (a custom
 *   script against copies of the tables in the same database), with Huika ÷ pgbench;
 * - `instances`: one instance against two sharing the load (half the connections each; quotes made on
 *   either instance are redeemed on either), with a count check: redemptions in the store grew by exactly the 2xx.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBaseline } from './children.ts';
import { load, type LoadResult } from './http-load.ts';
import type { City } from './pg-city.ts';
import { pairAndEnroll, sql, startInstance, type Instance } from './pg-instances.ts';

export interface PgRow extends LoadResult {
  /** The bare express row this one compares with (same connections). */
  baselinePerSecond?: number;
  /** pgbench's transactions/s at the same connections, for redemption rows. */
  pgbenchPerSecond?: number;
}

export interface PgPart {
  city: City;
  rows: PgRow[];
  pgbench: { connections: number; tps: number; transactions: number; latencyMs: number }[];
  /** What the pgbench transaction holds, for the table's footnote. */
  pgbenchScript: string;
  pgbenchBinary: string;
}

export interface InstancesPart {
  rows: PgRow[];
  /** Redemptions the store gained during the part, and the 2xx answers the load saw. */
  stored: number;
  acknowledged: number;
}

type Tick = (label: string) => (second: number, requests: number) => void;

const QUOTE = JSON.stringify({ credential: { type: 'member_no', data: '5133000017' }, amountFen: 10000 });
const auth = (t: string) => ({ authorization: `Bearer ${t}` });

/** pgbench on PATH or in Debian's /usr/lib/postgresql/<version>/bin. */
export function findPgbench(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v pgbench'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    const base = '/usr/lib/postgresql';
    if (!existsSync(base)) return undefined;
    for (const v of readdirSync(base).sort().reverse()) if (existsSync(join(base, v, 'bin/pgbench'))) return join(base, v, 'bin/pgbench');
    return undefined;
  }
}

/** Quote ids from a quote run, handed out once each to redemption runs. */
class QuoteIds {
  private ids: string[] = [];
  private k = 0;
  readonly tag = `${process.pid}-${Date.now().toString(36)}`;
  collect = (status: number, body: string) => {
    if (status === 200) this.ids.push((JSON.parse(body) as { quoteId: string }).quoteId);
  };
  get left() {
    return this.ids.length - this.k;
  }
  next = () =>
    this.k < this.ids.length
      ? JSON.stringify({ quoteId: this.ids[this.k], idempotencyKey: `bench-pg-${this.tag}-${this.k++}` })
      : undefined;
}

/** Several load runs at once, one per instance, reported as one row. */
function merge(name: string, connections: number, parts: LoadResult[]): LoadResult {
  const requests = parts.reduce((s, p) => s + p.requests, 0);
  return {
    name,
    connections,
    requests,
    perSecond: parts.reduce((s, p) => s + p.perSecond, 0),
    // Weighted by requests; p99 the worst of the parts (a fair upper bound without the raw samples).
    p50Ms: parts.reduce((s, p) => s + p.p50Ms * p.requests, 0) / Math.max(requests, 1),
    p99Ms: Math.max(...parts.map((p) => p.p99Ms)),
    non2xx: parts.reduce((s, p) => s + p.non2xx, 0),
    errors: parts.reduce((s, p) => s + p.errors, 0),
  };
}

async function startPair(city: City, n: number, pool: number): Promise<Instance[]> {
  return Promise.all(Array.from({ length: n }, () => startInstance({ dataDir: city.dataDir, db: city.url, pool })));
}

/** Makes quotes at 16 connections for `seconds` into `ids` (not a reported row). */
async function fillQuotes(urls: string[], token: string, seconds: number, ids: QuoteIds, tick: Tick) {
  await Promise.all(
    urls.map((u, i) =>
      load({
        name: 'quotes to redeem',
        url: `${u}/api/v1/quotes`,
        connections: Math.max(1, Math.floor(16 / urls.length)),
        seconds,
        headers: auth(token),
        body: QUOTE,
        onBody: ids.collect,
        ...(i === 0 ? { onTick: tick('making quotes to redeem') } : {}),
      }),
    ),
  );
  process.stderr.write('\n');
}

export async function benchPostgres(o: { city: City; seconds: number; tick: Tick }): Promise<PgPart> {
  const pgbench = findPgbench();
  if (!pgbench) throw new Error('pgbench not found (Debian: apt-get install postgresql-client or postgresql-contrib)');
  const rows: PgRow[] = [];
  const baseline = await startBaseline();
  const [a] = await startPair(o.city, 1, 20);
  try {
    const [xlk] = await pairAndEnroll(o.city.url, a!.url, ['t-xlk-1']);
    const base: Record<number, number> = {};
    for (const c of [1, 16, 64]) {
      const r = await load({
        name: `baseline express, ${c} conn`,
        url: `${baseline.url}/echo`,
        connections: c,
        seconds: o.seconds,
        body: JSON.stringify({ amountFen: 10000 }),
        onTick: o.tick(`baseline ${c} conn`),
      });
      process.stderr.write('\n');
      base[c] = r.perSecond;
      rows.push({ ...r, baselinePerSecond: r.perSecond });
    }
    const ids = new QuoteIds();
    for (const c of [1, 16]) {
      const r = await load({
        name: `quote, PostgreSQL, ${c} conn`,
        url: `${a!.url}/api/v1/quotes`,
        connections: c,
        seconds: o.seconds,
        headers: auth(xlk!),
        body: QUOTE,
        onBody: ids.collect,
        onTick: o.tick(`PostgreSQL quote ${c} conn`),
      });
      process.stderr.write('\n');
      rows.push({ ...r, baselinePerSecond: base[c] });
    }
    const redeemRows: PgRow[] = [];
    for (const c of [16, 64]) {
      if (ids.left < 2000) await fillQuotes([a!.url], xlk!, o.seconds, ids, o.tick);
      const r = await load({
        name: `durable redemption, PostgreSQL, ${c} conn`,
        url: `${a!.url}/api/v1/redemptions`,
        connections: c,
        seconds: o.seconds,
        amount: c === 16 ? Math.ceil(ids.left / 2) : ids.left,
        headers: auth(xlk!),
        nextBody: ids.next,
        onTick: o.tick(`PostgreSQL redeem ${c} conn`),
      });
      process.stderr.write('\n');
      const row = { ...r, baselinePerSecond: base[c] };
      rows.push(row);
      redeemRows.push(row);
    }
    await a!.stop();

    // The same redemption as bare SQL, on copies of the tables (same indexes, same database, same WAL): pgbench's
    // rows must not enter Huika's hash chain.
    const sample = (
      await sql<{ body: unknown; line: string }>(
        o.city.url,
        `SELECT r.body, l.line FROM redemptions r JOIN ledger l ON l.seq = r.seq ORDER BY r.seq DESC LIMIT 1`,
      )
    )[0];
    const body = JSON.stringify(sample?.body ?? { amountFen: 10000 }).replace(/'/g, "''");
    const lineLen = sample?.line.length ?? 800;
    await sql(
      o.city.url,
      `DROP TABLE IF EXISTS pgb_redemption_offers, pgb_redemptions, pgb_ledger, pgb_ledger_head, pgb_budgets;
       CREATE TABLE pgb_ledger (LIKE ledger INCLUDING ALL);
       CREATE TABLE pgb_ledger_head (LIKE ledger_head INCLUDING ALL);
       INSERT INTO pgb_ledger_head SELECT * FROM ledger_head;
       UPDATE pgb_ledger_head SET seq = 0;
       CREATE TABLE pgb_budgets (LIKE budgets INCLUDING ALL);
       INSERT INTO pgb_budgets (offer_id, budget_fen, used_fen) VALUES ('c-bench', 9000000000000, 0);
       CREATE TABLE pgb_redemptions (LIKE redemptions INCLUDING ALL);
       CREATE TABLE pgb_redemption_offers (LIKE redemption_offers INCLUDING ALL);`,
    );
    // Gapless receipt numbers (when the schema has them) are taken under the same head lock, as a commit does.
    const receipts =
      (await sql(o.city.url, `SELECT 1 FROM information_schema.columns WHERE table_name = 'ledger_head' AND column_name = 'receipts'`))
        .length > 0;
    const script = `BEGIN;
SELECT 1 FROM pgb_redemptions WHERE idempotency_key = 'pgb-' || :client_id || '-' || random();
UPDATE pgb_budgets SET used_fen = used_fen + 1000 WHERE offer_id = 'c-bench' AND used_fen + 1000 <= budget_fen;
SELECT seq + 1 AS s${receipts ? ', receipts + 1 AS r' : ''} FROM pgb_ledger_head WHERE id = 1 FOR UPDATE \\gset
INSERT INTO pgb_ledger (seq, type, line) VALUES (:s, 'commit', repeat('x', ${lineLen}));
UPDATE pgb_ledger_head SET seq = :s, hash = md5(:s::text)${receipts ? ', receipts = :r' : ''} WHERE id = 1;
INSERT INTO pgb_redemptions (seq, id, idempotency_key, quote_id, member_id, member_org_id, merchant_id, store_id, terminal_id, created_at, status, union_fen, campaign_id, campaign_fen, body${receipts ? ', receipt_no' : ''})
  VALUES (:s, 'rd-pgb-' || :s, 'pgb-' || :s, 'q-' || :s, 'mbr-1', 'org-kd', 'm-xlk', 's-xlk-1', 't-xlk-1', now(), 'committed', 0, NULL, 0, '${body}'${receipts ? ', :r' : ''});
INSERT INTO pgb_redemption_offers (seq, member_id, offer_id, created_at) VALUES (:s, 'mbr-1', 'a-xlk', now());
COMMIT;
`;
    const dir = mkdtempSync(join(tmpdir(), 'huika-pgbench-'));
    const file = join(dir, 'redemption.sql');
    writeFileSync(file, script);
    const runs: PgPart['pgbench'] = [];
    try {
      for (const c of [16, 64]) {
        process.stderr.write(`  pgbench ${c} conn, ${o.seconds} s…`);
        const out = execFileSync(pgbench, ['-n', '-c', String(c), '-j', '2', '-T', String(o.seconds), '-f', file, o.city.url], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const tps = Number(/tps = ([\d.]+)/.exec(out)?.[1] ?? 0);
        runs.push({
          connections: c,
          tps,
          transactions: Number(/number of transactions actually processed: (\d+)/.exec(out)?.[1] ?? 0),
          latencyMs: Number(/latency average = ([\d.]+) ms/.exec(out)?.[1] ?? 0),
        });
        process.stderr.write(` ${tps.toFixed(0)} tps\n`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await sql(o.city.url, 'DROP TABLE IF EXISTS pgb_redemption_offers, pgb_redemptions, pgb_ledger, pgb_ledger_head, pgb_budgets');
    }
    for (const r of redeemRows) r.pgbenchPerSecond = runs.find((x) => x.connections === r.connections)?.tps;
    return { city: o.city, rows, pgbench: runs, pgbenchScript: script, pgbenchBinary: pgbench };
  } finally {
    await a!.stop();
    await baseline.stop();
  }
}

export async function benchInstances(o: { city: City; seconds: number; tick: Tick }): Promise<InstancesPart> {
  const rows: PgRow[] = [];
  const both = await startPair(o.city, 2, 20);
  try {
    const [a, b] = both as [Instance, Instance];
    const [tok] = await pairAndEnroll(o.city.url, a.url, ['t-xlk-1']);
    const count = async () => Number((await sql<{ n: string }>(o.city.url, 'SELECT count(*) AS n FROM redemptions'))[0]!.n);
    const before = await count();
    let acknowledged = 0;
    for (const [label, urls] of [
      ['1 instance', [a.url]],
      ['2 instances', [a.url, b.url]],
    ] as const) {
      const parts = await Promise.all(
        urls.map((u, i) =>
          load({
            name: 'q',
            url: `${u}/api/v1/quotes`,
            connections: 16 / urls.length,
            seconds: o.seconds,
            headers: auth(tok!),
            body: QUOTE,
            ...(i === 0 ? { onTick: o.tick(`quote, ${label}, 16 conn`) } : {}),
          }),
        ),
      );
      process.stderr.write('\n');
      rows.push(merge(`quote, ${label}, 16 conn`, 16, parts));
    }
    for (const [label, urls] of [
      ['1 instance', [a.url]],
      ['2 instances', [a.url, b.url]],
    ] as const) {
      // Quotes made on both instances, redeemed on both: a quote and its redemption usually meet different instances.
      const ids = new QuoteIds();
      await fillQuotes([a.url, b.url], tok!, o.seconds, ids, o.tick);
      const total = ids.left;
      const parts = await Promise.all(
        urls.map((u, i) =>
          load({
            name: 'r',
            url: `${u}/api/v1/redemptions`,
            connections: 64 / urls.length,
            seconds: o.seconds,
            amount: Math.floor(total / urls.length),
            headers: auth(tok!),
            nextBody: ids.next,
            ...(i === 0 ? { onTick: o.tick(`durable redemption, ${label}, 64 conn`) } : {}),
          }),
        ),
      );
      process.stderr.write('\n');
      const row = merge(`durable redemption, ${label}, 64 conn`, 64, parts);
      acknowledged += row.requests - row.non2xx;
      rows.push(row);
    }
    return { rows, stored: (await count()) - before, acknowledged };
  } finally {
    await Promise.all(both.map((x) => x.stop()));
  }
}
