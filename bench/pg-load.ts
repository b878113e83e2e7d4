/**
 * PostgreSQL figures on an existing data set (made by bench/pg-city.ts):
 * `npx tsx bench/pg-load.ts --db postgres://… --data DIR [--seconds 10]`. Quote p50/p99 and throughput at
 * 1 and 16 connections; durable redemptions per second at 16 and 64; the same transaction as bare SQL by
 * pgbench and the ratio; one instance vs two behind a round-robin client. Prints a markdown section.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { spawnUntil, type Child } from './children.ts';
import { load, type LoadResult } from './http-load.ts';

const { values } = parseArgs({ options: { db: { type: 'string' }, data: { type: 'string' }, seconds: { type: 'string', default: '10' } } });
if (!values.db || !values.data) throw new Error('usage: tsx bench/pg-load.ts --db postgres://… --data DIR [--seconds N]');
const SECONDS = Number(values.seconds);
const db = values.db;

const start = (pool: number): Promise<Child> =>
  spawnUntil(
    'node',
    ['bin/huika.js', 'server', '--demo', '--data', values.data!, '--port', '0', '--log-level', 'warn', '--db', db],
    /Huika server: (http:\/\/\S+)/,
    (m) => m[1]!,
  ).then((c) => {
    void pool;
    return c;
  });

async function post(url: string, path: string, body: unknown, token?: string) {
  const r = await fetch(url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as any };
}

const a = await start(20);
const b = await start(20);
// Re-pairing is an admin's job; a bench database gets fresh pairing codes straight in SQL.
const token = async (url: string, terminalId: string) => {
  execFileSync('psql', [
    db,
    '-qc',
    `UPDATE terminals SET pairing_code_hash = encode(sha256('PAIR-${terminalId.toUpperCase()}'::bytea), 'hex'), token_hash = NULL, doc = doc || jsonb_build_object('pairingCodeHash', encode(sha256('PAIR-${terminalId.toUpperCase()}'::bytea), 'hex'), 'tokenHash', NULL) WHERE id = '${terminalId}'`,
  ]);
  const r = await post(url, '/api/v1/terminals/enroll', { pairingCode: `PAIR-${terminalId.toUpperCase()}` });
  if (r.status !== 201) throw new Error(`enroll ${terminalId}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token as string;
};
const xlk = await token(a.url, 't-xlk-1');
const quoteBody = JSON.stringify({ credential: { type: 'member_no', data: '5133000017' }, amountFen: 10000 });
const auth = (t: string) => ({ authorization: `Bearer ${t}` });
const rows: LoadResult[] = [];

for (const c of [1, 16])
  rows.push(
    await load({
      name: `quote, PostgreSQL, ${c} conn`,
      url: `${a.url}/api/v1/quotes`,
      connections: c,
      seconds: SECONDS,
      headers: auth(xlk),
      body: quoteBody,
    }),
  );

/** Makes `n` quotes first (on both instances: they are in the database), then redeems them. */
async function redemptions(name: string, urls: string[], connections: number, n: number): Promise<LoadResult> {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 200) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(200, n - i) }, () => post(urls[0]!, '/api/v1/quotes', JSON.parse(quoteBody), xlk)),
    );
    ids.push(...batch.map((q) => q.body.quoteId as string));
  }
  let k = 0;
  const next = () =>
    k < ids.length ? JSON.stringify({ quoteId: ids[k], idempotencyKey: `bench-${process.pid}-${Date.now()}-${k++}` }) : undefined;
  const parts = await Promise.all(
    urls.map((u) =>
      load({
        name,
        url: `${u}/api/v1/redemptions`,
        connections: Math.max(1, Math.floor(connections / urls.length)),
        seconds: SECONDS,
        amount: Math.floor(n / urls.length),
        headers: auth(xlk),
        nextBody: next,
      }),
    ),
  );
  const requests = parts.reduce((s, p) => s + p.requests, 0);
  return {
    ...parts[0]!,
    name,
    connections,
    requests,
    perSecond: parts.reduce((s, p) => s + p.perSecond, 0),
    non2xx: parts.reduce((s, p) => s + p.non2xx, 0),
    p99Ms: Math.max(...parts.map((p) => p.p99Ms)),
  };
}
rows.push(await redemptions('durable redemption, 1 instance, 16 conn', [a.url], 16, 3000));
rows.push(await redemptions('durable redemption, 1 instance, 64 conn', [a.url], 64, 3000));
rows.push(await redemptions('durable redemption, 2 instances round robin, 64 conn', [a.url, b.url], 64, 3000));
const quote2 = await Promise.all(
  [a.url, b.url].map((u) =>
    load({ name: 'q', url: `${u}/api/v1/quotes`, connections: 8, seconds: SECONDS, headers: auth(xlk), body: quoteBody }),
  ),
);
rows.push({
  ...quote2[0]!,
  name: 'quote, 2 instances round robin, 16 conn',
  connections: 16,
  requests: quote2[0]!.requests + quote2[1]!.requests,
  perSecond: quote2[0]!.perSecond + quote2[1]!.perSecond,
  p99Ms: Math.max(quote2[0]!.p99Ms, quote2[1]!.p99Ms),
});
await a.stop();
await b.stop();

// The same transaction as bare SQL: budget draw, ledger head, ledger entry, redemption row, usage row.
const script = join(tmpdir(), `huika-pgbench-${process.pid}.sql`);
writeFileSync(
  script,
  `BEGIN;
SELECT 1 FROM redemptions WHERE idempotency_key = 'pgb-' || :client_id || '-' || random();
UPDATE budgets SET used_fen = used_fen + 1 WHERE offer_id = 'c-wuyi' AND used_fen + 1 <= budget_fen;
SELECT seq + 1 AS s FROM ledger_head WHERE id = 1 FOR UPDATE \\gset
INSERT INTO ledger (seq, type, line) VALUES (:s, 'commit', repeat('x', 760));
UPDATE ledger_head SET seq = :s, hash = md5(:s::text) WHERE id = 1;
INSERT INTO redemptions (seq, id, idempotency_key, quote_id, member_id, member_org_id, merchant_id, store_id, terminal_id, created_at, status, union_fen, campaign_id, campaign_fen, body)
  VALUES (:s, 'rd-pgb-' || :s, 'pgb-' || :s, 'q', 'mbr-5133000017', 'org-kd', 'm-xlk', 's-xlk-1', 't-xlk-1', now(), 'committed', 0, NULL, 0, '{"amountFen":10000}');
INSERT INTO redemption_offers (seq, member_id, offer_id, created_at) VALUES (:s, 'mbr-5133000017', 'a-xlk', now());
COMMIT;
`,
);
const pgb: Record<number, number> = {};
for (const c of [16, 64]) {
  const out = execFileSync('pgbench', ['-n', '-c', String(c), '-j', '2', '-T', String(SECONDS), '-f', script, db], { encoding: 'utf8' });
  pgb[c] = Number(/tps = ([\d.]+)/.exec(out)?.[1] ?? 0);
}
const members = execFileSync('psql', [db, '-Atc', 'SELECT count(*) FROM members'], { encoding: 'utf8' }).trim();
const f = (x: number) => x.toLocaleString('en', { maximumFractionDigits: 2 });
let md = `### PostgreSQL (${Number(members).toLocaleString('en')} members; ${cpus().length} cores, ${cpus()[0]?.model}; ${new Date().toISOString().slice(0, 16)}Z, ${SECONDS} s a row)\n\n`;
md += '| run | connections | requests | per second | p50 ms | p99 ms | non-2xx |\n| --- | --- | --- | --- | --- | --- | --- |\n';
for (const r of rows)
  md += `| ${r.name} | ${r.connections} | ${r.requests} | ${f(r.perSecond)} | ${f(r.p50Ms)} | ${f(r.p99Ms)} | ${r.non2xx} |\n`;
const r16 = rows.find((r) => r.name.includes('1 instance, 16'))!.perSecond;
const r64 = rows.find((r) => r.name.includes('1 instance, 64'))!.perSecond;
md += `| pgbench, the same transaction as bare SQL | 16 | | ${f(pgb[16]!)} | | | |\n| pgbench, the same transaction as bare SQL | 64 | | ${f(pgb[64]!)} | | | |\n\n`;
md += `Huika's durable redemptions against pgbench's: ${f(r16 / pgb[16]!)}× at 16 connections, ${f(r64 / pgb[64]!)}× at 64.\n`;
process.stdout.write(md);
