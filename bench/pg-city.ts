/**
 * A Shanghai-sized data set in PostgreSQL. `npm run bench -- --only pg` makes it through `ensureCity` (once, into a
 * database of its own, reused while complete); by hand: `npx tsx bench/pg-city.ts --db postgres://…/empty_db
 * --data DIR [--members 3600000] [--stores 3000]`. The demo data, plus 16 district unions under a city union, N
 * members with a card each (PAN hashes under DIR/secrets.json, so a server started with --data DIR --db … finds
 * them), 40 merchants with 3,000 stores and a terminal each. Members and cards go in through COPY, side by side
 * on two connections, with a progress bar. Reports what it took and what one district's offline snapshot weighs.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { Card, Member, Org } from '../core/domain.ts';
import { withLuhn } from '../core/luhn.ts';
import { offlineHash } from '../core/offline-hash.ts';
import { demoData } from '../server/demo-data.ts';
import { panHash } from '../server/security/hashing.ts';
import { loadOrCreateSecrets } from '../server/security/secrets.ts';
import { copyCards, copyMembers, withSecondaryIndexesDeferred } from '../server/store/pg/bulk-load.ts';
import { PgStore, secretsFingerprint } from '../server/store/pg/pg-store.ts';
import { inTransaction } from '../server/store/pg/pool.ts';
import { insertMerchants, insertOrgs, insertShops, insertTerminals } from '../server/store/pg/sql/seed.ts';

export const CITY_MEMBERS = 3_600_000;
const DISTRICTS = 16;

export interface CityImport {
  members: number;
  stores: number;
  /** Wall time of the whole import: reference rows, members and cards by COPY, indexes rebuilt, ANALYZE. */
  seconds: number;
  /** Members plus cards per second over `seconds`. */
  rowsPerSecond: number;
  at: string;
  databaseSize: string;
  /** One district's offline share (`membersOfOrgs` of org-sh-1). */
  snapshot: { members: number; cards: number; mb: number; ms: number };
}

export interface City {
  url: string;
  dataDir: string;
  database: string;
  /** True when an earlier, complete import was found and used as it is. */
  reused: boolean;
  import: CityImport;
}

export type Bar = (label: string, done: number, total: number, startedMs: number) => void;

export const bar: Bar = (label, done, total, t0) => {
  const s = (Date.now() - t0) / 1000;
  const w = Math.round((30 * done) / Math.max(total, 1));
  process.stderr.write(
    `\r  ${label.padEnd(8)} [${'#'.repeat(w).padEnd(30, '.')}] ${done.toLocaleString('en')}/${total.toLocaleString('en')} ${s.toFixed(0)} s, ${Math.round(done / Math.max(s, 0.001)).toLocaleString('en')}/s   `,
  );
};

/** Member numbers 31 + 7 digits + Luhn; card numbers 621799 + 12 digits + Luhn. */
export const cityMemberNo = (i: number) => withLuhn(`31${String(i).padStart(7, '0')}`);
export const cityPan = (i: number) => withLuhn(`621799${String(7_000_000_000 + i).padStart(12, '0')}`);

/** Fills an empty database with the city. Writes `meta.bench_city` last, so its presence means "complete". */
export async function generateCity(o: {
  url: string;
  dataDir: string;
  members: number;
  stores?: number;
  onProgress?: Bar;
}): Promise<CityImport> {
  const N = o.members;
  const STORES = o.stores ?? 3000;
  const show = o.onProgress ?? bar;
  const secrets = loadOrCreateSecrets(resolve(o.dataDir));
  const store = await PgStore.open({ url: o.url, poolSize: 4 });
  try {
    await store.bindSecrets(secretsFingerprint(secrets));
    if (await store.isEmpty()) await store.seed(await demoData(secrets, new Date()));

    const orgs: Org[] = [{ id: 'org-sh', name: '上海市总工会', parentId: null, timeZone: 'Asia/Shanghai' }];
    for (let d = 1; d <= DISTRICTS; d++)
      orgs.push({ id: `org-sh-${d}`, name: `上海第${d}区总工会`, parentId: 'org-sh', timeZone: 'Asia/Shanghai' });
    const t0 = Date.now();
    await inTransaction(store.pool, async (c) => {
      await insertOrgs(c, orgs);
      const merchants = Array.from({ length: 40 }, (_, i) => ({ id: `m-sh-${i + 1}`, name: `上海商户${i + 1}`, orgId: 'org-sh' }));
      await insertMerchants(c, merchants as never);
      const shops = Array.from({ length: STORES }, (_, i) => ({
        id: `s-sh-${i + 1}`,
        merchantId: `m-sh-${(i % 40) + 1}`,
        name: `门店${i + 1}`,
        orgId: `org-sh-${(i % DISTRICTS) + 1}`,
      }));
      await insertShops(c, shops as never);
      await insertTerminals(
        c,
        shops.map((s) => ({
          id: `t-${s.id.slice(2)}`,
          storeId: s.id,
          pairingCodeHash: null,
          tokenHash: null,
          enrolledAt: null,
          lastSeenAt: null,
        })) as never,
      );
    });

    const at = new Date().toISOString();
    function* members(): Generator<Member> {
      for (let i = 0; i < N; i++) {
        const no = cityMemberNo(i);
        yield { id: `mbr-${no}`, memberNo: no, name: `会员${i}`, orgId: `org-sh-${(i % DISTRICTS) + 1}`, status: 'active' };
      }
    }
    function* cards(): Generator<Card> {
      for (let i = 0; i < N; i++) {
        const pan = cityPan(i);
        yield {
          id: `card-sh-${i}`,
          memberId: `mbr-${cityMemberNo(i)}`,
          panHash: panHash(secrets.pan, pan),
          offlineHash: offlineHash(secrets.offline, 'pan', pan),
          last4: pan.slice(-4),
          status: 'activated',
          updatedAt: at,
        };
      }
    }
    // Two connections, one table each (no foreign key joins them): PostgreSQL parses and writes the two COPY
    // streams on both cores while this process generates rows for both. One bar counts both tables.
    let done = 0;
    const tAll = Date.now();
    const timer = setInterval(() => show('rows', done, 2 * N, tAll), 1000);
    const loadTable = async (table: 'members' | 'cards') => {
      const c = await store.pool.connect();
      try {
        await withSecondaryIndexesDeferred(c, [table], async () => {
          const tick = () => void done++;
          await (table === 'members' ? copyMembers(c, members(), tick) : copyCards(c, cards(), tick));
          process.stderr.write(`\n  ${table}: rows in, rebuilding its indexes…\n`);
        });
        await c.query(`ANALYZE ${table}`);
      } finally {
        c.release();
      }
    };
    try {
      await Promise.all([loadTable('members'), loadTable('cards')]);
    } finally {
      clearInterval(timer);
    }
    show('rows', 2 * N, 2 * N, tAll);
    process.stderr.write('\n');
    const seconds = (Date.now() - t0) / 1000;
    const t1 = Date.now();
    const snap = await store.membersOfOrgs(new Set(['org-sh-1']));
    const snapMs = Date.now() - t1;
    const bytes = Buffer.byteLength(JSON.stringify(snap));
    const size = (await store.pool.query<{ s: string }>('SELECT pg_size_pretty(pg_database_size(current_database())) AS s')).rows[0]!.s;
    const result: CityImport = {
      members: N,
      stores: STORES,
      seconds,
      rowsPerSecond: (2 * N) / seconds,
      at,
      databaseSize: size,
      snapshot: { members: snap.members.length, cards: snap.cards.length, mb: bytes / 1e6, ms: snapMs },
    };
    await store.pool.query(`INSERT INTO meta (key, value) VALUES ('bench_city', $1::jsonb)`, [JSON.stringify(result)]);
    return result;
  } finally {
    await store.close();
  }
}

const urlOf = (adminUrl: string, db: string) => {
  const u = new URL(adminUrl);
  u.pathname = `/${db}`;
  return u.toString();
};

/**
 * The city database for the bench: `huika_bench_city` (3.6 million members) or `huika_bench_city_<N>`, with its
 * secrets under `.huika/bench/<database>`. Reused when an earlier import finished (meta.bench_city) with the same
 * size and that directory's secrets; otherwise dropped and made again.
 */
export async function ensureCity(o: { adminUrl: string; members: number; log?: (line: string) => void }): Promise<City> {
  const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const database = o.members === CITY_MEMBERS ? 'huika_bench_city' : `huika_bench_city_${o.members}`;
  const dataDir = resolve('.huika', 'bench', database);
  const url = urlOf(o.adminUrl, database);
  const admin = new pg.Client({ connectionString: o.adminUrl });
  await admin.connect();
  try {
    const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rowCount === 1;
    if (exists && existsSync(join(dataDir, 'secrets.json'))) {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        const rows = (
          await c
            .query<{ key: string; value: unknown }>(`SELECT key, value FROM meta WHERE key IN ('bench_city', 'secrets')`)
            .catch(() => ({ rows: [] as { key: string; value: unknown }[] }))
        ).rows;
        const done = rows.find((r) => r.key === 'bench_city')?.value as CityImport | undefined;
        const bound = rows.find((r) => r.key === 'secrets')?.value;
        if (done && done.members === o.members && bound === secretsFingerprint(loadOrCreateSecrets(dataDir))) {
          log(
            `PostgreSQL city: reusing ${database} (${done.members.toLocaleString('en')} members, imported ${done.at} in ${done.seconds.toFixed(0)} s)`,
          );
          return { url, dataDir, database, reused: true, import: done };
        }
      } finally {
        await c.end();
      }
    }
    if (exists) log(`PostgreSQL city: ${database} is incomplete or belongs to other secrets; making it again`);
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  log(`PostgreSQL city: importing ${o.members.toLocaleString('en')} members and cards into ${database} (once; later runs reuse it)`);
  const imported = await generateCity({ url, dataDir, members: o.members });
  return { url, dataDir, database, reused: false, import: imported };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      db: { type: 'string' },
      data: { type: 'string' },
      members: { type: 'string', default: String(CITY_MEMBERS) },
      stores: { type: 'string', default: '3000' },
    },
  });
  if (!values.db || !values.data) throw new Error('usage: tsx bench/pg-city.ts --db postgres://… --data DIR [--members N] [--stores N]');
  const r = await generateCity({ url: values.db, dataDir: values.data, members: Number(values.members), stores: Number(values.stores) });
  process.stdout.write(
    `${r.members.toLocaleString('en')} members and cards, ${r.stores} stores: ${r.seconds.toFixed(0)} s (${Math.round(r.rowsPerSecond).toLocaleString('en')} rows/s); database ${r.databaseSize}\n` +
      `one district's members for an offline snapshot (org-sh-1): ${r.snapshot.members.toLocaleString('en')} members, ${r.snapshot.cards.toLocaleString('en')} cards, ${r.snapshot.mb.toFixed(0)} MB as JSON, read in ${r.snapshot.ms} ms\n`,
  );
}
