/**
 * What one Shanghai district's offline snapshot weighs: `npx tsx bench/snapshot-size.ts [--members 3600000]
 * [--districts 16] [--db postgres://…]`. Builds the roster of one district (members / districts, each with an
 * activated card) in the shapes bench/pg-city.ts generates (ids, member and card numbers, offline hashes), or
 * reads it from a pg-city database with --db, encodes it the way the server does (snapshot-service.ts), and
 * prints the bytes of format 2 beside format 1 (one object per member with a masked name, before the region
 * bound), gzipped too, and what the terminal takes to check and decode it.
 */
import { generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { withLuhn } from '../core/luhn.ts';
import { maskMemberNo, maskName } from '../core/mask.ts';
import { offlineHash } from '../core/offline-hash.ts';
import type { Org } from '../core/domain.ts';
import { snapshotPayloadSchema } from '../core/wire-terminal.ts';
import { rosterRows } from '../server/services/snapshot-service.ts';
import type { OfflineRoster } from '../server/store/store.ts';

const { values } = parseArgs({
  options: { members: { type: 'string', default: '3600000' }, districts: { type: 'string', default: '16' }, db: { type: 'string' } },
});
const N = Number(values.members);
const DISTRICTS = Number(values.districts);
const key = randomBytes(32).toString('hex');

const orgs: Org[] = [{ id: 'org-sh', name: '上海市总工会', parentId: null, timeZone: 'Asia/Shanghai' }];
for (let d = 1; d <= DISTRICTS; d++)
  orgs.push({ id: `org-sh-${d}`, name: `上海第${d}区总工会`, parentId: 'org-sh', timeZone: 'Asia/Shanghai' });

const t0 = Date.now();
let roster: OfflineRoster;
if (values.db) {
  const { PgStore } = await import('../server/store/pg/pg-store.ts');
  const store = await PgStore.open({ url: values.db, poolSize: 2 });
  roster = await store.offlineRoster(new Set(['org-sh-1']));
  await store.close();
} else {
  // bench/pg-city.ts: member i is in district (i % 16) + 1, number 31 + 7 digits + Luhn, card 621799 + 12 digits + Luhn.
  roster = { members: [], cards: [] };
  for (let i = 0; i < N; i += DISTRICTS) {
    const no = withLuhn(`31${String(i).padStart(7, '0')}`);
    const pan = withLuhn(`621799${String(7_000_000_000 + i).padStart(12, '0')}`);
    roster.members.push({ id: `mbr-${no}`, memberNo: no, orgId: 'org-sh-1', status: 'active' });
    roster.cards.push({
      id: `card-sh-${i}`,
      memberId: `mbr-${no}`,
      offlineHash: offlineHash(key, 'pan', pan),
      status: 'activated',
      last4: pan.slice(-4),
    });
  }
}
const readMs = Date.now() - t0;

const header = {
  terminalId: 't-sh-1',
  storeId: 's-sh-1',
  merchantId: 'm-sh-1',
  storeName: '门店1',
  merchantName: '上海商户1',
  issuedAt: new Date().toISOString(),
  maxAgeSeconds: 86400,
  offlineKey: key,
  orgs: orgs.map((o) => ({ id: o.id, parentId: o.parentId, timeZone: o.timeZone })),
  offers: [],
  memberCodes: [],
};
const t1 = Date.now();
const v2 = JSON.stringify({ format: 'huika-snapshot/2', ...header, region: ['org-sh-1'], ...rosterRows(key, orgs, roster) });
const encodeMs = Date.now() - t1;
const v1 = JSON.stringify({
  format: 'huika-snapshot/1',
  ...header,
  members: roster.members.map((m) => ({
    h: offlineHash(key, 'member', m.memberNo),
    id: m.id,
    orgId: m.orgId,
    status: m.status,
    name: maskName('会员123456'),
    memberNoMasked: maskMemberNo(m.memberNo),
  })),
  cards: roster.cards.map((c) => ({ h: c.offlineHash, id: c.id, memberId: c.memberId, status: c.status, last4: c.last4 })),
});

// The terminal's side: verify the signature over the text, parse, check and decode (snapshot-cache.ts).
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const sig = sign(null, Buffer.from(v2), privateKey);
const heap0 = process.memoryUsage().heapUsed;
const t2 = Date.now();
if (!verify(null, Buffer.from(v2), publicKey, sig)) throw new Error('signature');
const decoded = snapshotPayloadSchema.parse(JSON.parse(v2));
const byTag = new Map(decoded.members.map((m) => [m.h, m]));
const cardByTag = new Map(decoded.cards.map((c) => [c.h, c]));
const decodeMs = Date.now() - t2;
const heapMb = (process.memoryUsage().heapUsed - heap0) / 1e6;
if (byTag.size !== roster.members.length || cardByTag.size !== roster.cards.length) throw new Error('tags collide');

const mb = (s: string) => `${(Buffer.byteLength(s) / 1e6).toFixed(1)} MB`;
const gz = (s: string) => `${(gzipSync(s).length / 1e6).toFixed(1)} MB gzipped`;
const per = (s: string) => `${Math.round(Buffer.byteLength(s) / roster.members.length)} B a member with a card`;
process.stdout.write(
  `one district (org-sh-1) of ${values.db ? 'the database' : `${N.toLocaleString('en')} members in ${DISTRICTS} districts`}: ` +
    `${roster.members.length.toLocaleString('en')} members, ${roster.cards.length.toLocaleString('en')} cards (read in ${readMs} ms)\n` +
    `format 2 (region rows, tags, no names): ${mb(v2)}, ${gz(v2)}, ${per(v2)}; encoded in ${encodeMs} ms\n` +
    `format 1 (objects, full hashes, masked names): ${mb(v1)}, ${gz(v1)}, ${per(v1)}\n` +
    `terminal: signature check, parse and index in ${decodeMs} ms, about ${heapMb.toFixed(0)} MB of heap\n`,
);
