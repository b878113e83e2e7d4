/**
 * A Shanghai-sized data set in PostgreSQL: `npx tsx bench/pg-city.ts --db postgres://…/empty_db --data DIR
 * [--members 3600000] [--stores 3000]`. The demo data, plus 16 district unions under a city union, N members
 * with a card each (PAN hashes under DIR/secrets.json, so a server started with --data DIR --db … finds them),
 * 40 merchants with 3,000 stores and a terminal each. Members and cards go in through COPY, with a progress
 * bar. Prints what it took and what one district's offline snapshot weighs.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { withLuhn } from '../core/luhn.ts';
import { offlineHash } from '../core/offline-hash.ts';
import type { Card, Member, Org } from '../core/domain.ts';
import { demoData } from '../server/demo-data.ts';
import { panHash } from '../server/security/hashing.ts';
import { loadOrCreateSecrets } from '../server/security/secrets.ts';
import { copyCards, copyMembers, withSecondaryIndexesDeferred } from '../server/store/pg/bulk-load.ts';
import { PgStore } from '../server/store/pg/pg-store.ts';
import { inTransaction } from '../server/store/pg/pool.ts';
import { insertMerchants, insertOrgs, insertShops, insertTerminals } from '../server/store/pg/sql/seed.ts';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    data: { type: 'string' },
    members: { type: 'string', default: '3600000' },
    stores: { type: 'string', default: '3000' },
  },
});
if (!values.db || !values.data) throw new Error('usage: tsx bench/pg-city.ts --db postgres://… --data DIR [--members N] [--stores N]');
const N = Number(values.members);
const STORES = Number(values.stores);
const DISTRICTS = 16;

const secrets = loadOrCreateSecrets(resolve(values.data));
const store = await PgStore.open({ url: values.db, poolSize: 4 });
await store.bindSecrets((await import('../server/store/pg/pg-store.ts')).secretsFingerprint(secrets));
if (await store.isEmpty()) await store.seed(await demoData(secrets, new Date()));

const bar = (label: string, done: number, total: number, t0: number) => {
  const s = (Date.now() - t0) / 1000;
  const w = Math.round((30 * done) / total);
  process.stderr.write(
    `\r${label.padEnd(8)} [${'#'.repeat(w).padEnd(30, '.')}] ${done.toLocaleString('en')}/${total.toLocaleString('en')} ${s.toFixed(0)} s, ${Math.round(done / Math.max(s, 0.001)).toLocaleString('en')}/s   `,
  );
};

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

// Member numbers 31 + 7 digits + Luhn; card numbers 621799 + 12 digits + Luhn.
const memberNoOf = (i: number) => withLuhn(`31${String(i).padStart(7, '0')}`);
const panOf = (i: number) => withLuhn(`621799${String(7_000_000_000 + i).padStart(12, '0')}`);
const at = new Date().toISOString();
function* members(): Generator<Member> {
  for (let i = 0; i < N; i++) {
    const no = memberNoOf(i);
    yield { id: `mbr-${no}`, memberNo: no, name: `会员${i}`, orgId: `org-sh-${(i % DISTRICTS) + 1}`, status: 'active' };
  }
}
function* cards(): Generator<Card> {
  for (let i = 0; i < N; i++) {
    const pan = panOf(i);
    yield {
      id: `card-sh-${i}`,
      memberId: `mbr-${memberNoOf(i)}`,
      panHash: panHash(secrets.pan, pan),
      offlineHash: offlineHash(secrets.offline, 'pan', pan),
      last4: pan.slice(-4),
      status: 'activated',
      updatedAt: at,
    };
  }
}
const c = await store.pool.connect();
try {
  await withSecondaryIndexesDeferred(c, ['members', 'cards'], async () => {
    let n = 0;
    const tm = Date.now();
    await copyMembers(c, members(), () => ++n % 20000 === 0 && bar('members', n, N, tm));
    bar('members', N, N, tm);
    process.stderr.write('\n');
    n = 0;
    const tc = Date.now();
    await copyCards(c, cards(), () => ++n % 20000 === 0 && bar('cards', n, N, tc));
    bar('cards', N, N, tc);
    process.stderr.write('\n');
    process.stderr.write('indexes  rebuilding…\n');
  });
  await c.query('ANALYZE members; ANALYZE cards');
} finally {
  c.release();
}
const total = (Date.now() - t0) / 1000;
const t1 = Date.now();
const snap = await store.membersOfOrgs(new Set(['org-sh-1']));
const snapMs = Date.now() - t1;
const bytes = Buffer.byteLength(JSON.stringify(snap));
const size = (await store.pool.query<{ s: string }>('SELECT pg_size_pretty(pg_database_size(current_database())) AS s')).rows[0]!.s;
process.stdout.write(
  `${N.toLocaleString('en')} members and cards, ${STORES} stores: ${total.toFixed(0)} s (${Math.round((2 * N) / total).toLocaleString('en')} rows/s); database ${size}\n` +
    `one district's members for an offline snapshot (org-sh-1): ${snap.members.length.toLocaleString('en')} members, ${snap.cards.length.toLocaleString('en')} cards, ${(bytes / 1e6).toFixed(0)} MB as JSON, read in ${snapMs} ms\n`,
);
await store.close();
