import { describe, expect, it } from 'vitest';
import { fnv1a, internOffers, MetaTable, type Meta } from './ledger-index.ts';

const meta = (key: string, seq: number, extra: Partial<Meta> = {}): Meta => ({
  seq,
  idempotencyKey: key,
  memberId: `mbr-${seq % 7}`,
  memberOrgId: 'org-kd',
  merchantId: seq % 2 ? 'm-xlk' : 'm-minmao',
  storeId: 's-1',
  terminalId: 't-1',
  createdMs: 1_790_000_000_000 + seq * 1000,
  status: 'committed',
  offers: seq % 2 ? ['a-xlk'] : ['a-minmao', 'c-wuyi'],
  ...(seq % 2 ? {} : { campaignId: 'c-wuyi' }),
  campaignFen: seq % 2 ? 0 : 100,
  unionFen: seq % 2 ? 0 : 100,
  off: seq * 700,
  len: 690,
  ...extra,
});
const plain = (m: Meta) => ({
  seq: m.seq,
  idempotencyKey: m.idempotencyKey,
  memberId: m.memberId,
  memberOrgId: m.memberOrgId,
  merchantId: m.merchantId,
  storeId: m.storeId,
  terminalId: m.terminalId,
  createdMs: m.createdMs,
  status: m.status,
  voidedAt: m.voidedAt,
  voidReason: m.voidReason,
  offers: [...m.offers],
  campaignId: m.campaignId,
  campaignFen: m.campaignFen,
  unionFen: m.unionFen,
  extraDraws: m.extraDraws,
  qrNonce: m.qrNonce,
  off: m.off,
  len: m.len,
});

describe('MetaTable', () => {
  it('gives back every field of every record, and finds every key and nothing else', () => {
    const t = new MetaTable(4);
    const metas = Array.from({ length: 3000 }, (_, i) =>
      meta(`t-xlk-1-key-${i}`, i + 1, i % 500 === 3 ? { qrNonce: `n-${i}`, extraDraws: [['a-co', 50]] } : {}),
    );
    for (const m of metas) t.push(m);
    expect(t.length).toBe(3000);
    for (const m of metas) expect(plain(t.byKey(m.idempotencyKey)!)).toEqual(plain(m));
    expect(plain(t.at(-1)!)).toEqual(plain(metas.at(-1)!));
    expect(t.byKey('t-xlk-1-key-3000')).toBeUndefined();
    expect(t.ordinal(1500)).toBe(1499);
    expect([...t].map((m) => m.seq)).toEqual(metas.map((m) => m.seq));
    // Offer lists are shared, not copied per record.
    expect(t.at(1)!.offers).toBe(t.at(3)!.offers);
  });

  it('voids and un-voids through a view', () => {
    const t = new MetaTable();
    t.push(meta('k-00000001', 1));
    const v = t.at(0)!;
    v.status = 'voided';
    v.voidedAt = '2026-11-20T04:00:00.000Z';
    v.voidReason = 'wrong amount';
    expect([t.at(0)!.status, t.at(0)!.voidedAt, t.at(0)!.voidReason]).toEqual(['voided', '2026-11-20T04:00:00.000Z', 'wrong amount']);
    v.status = 'committed';
    expect([t.at(0)!.status, t.at(0)!.voidedAt, t.at(0)!.voidReason]).toEqual(['committed', undefined, undefined]);
  });

  it('removes a failed row: later views, keys, voids and nonces move with their records', () => {
    const t = new MetaTable();
    for (let i = 1; i <= 5; i++) t.push(meta(`k-0000000${i}`, i, i === 4 ? { qrNonce: 'n-4' } : {}));
    const fourth = t.at(3)!;
    t.at(4)!.status = 'voided';
    t.removeAt(t.lastRowOf(2, 'k-00000002'));
    expect(t.length).toBe(4);
    expect(t.byKey('k-00000002')).toBeUndefined();
    expect(fourth.idempotencyKey).toBe('k-00000004'); // a view held across the removal finds its row again
    expect(fourth.qrNonce).toBe('n-4');
    expect(t.byKey('k-00000005')!.status).toBe('voided');
    expect(t.byKey('k-00000003')!.seq).toBe(3);
  });

  it('round-trips through its columns, as a checkpoint stores them', () => {
    const t = new MetaTable();
    for (let i = 1; i <= 200; i++)
      t.push(meta(`key-${String(i).padStart(6, '0')}`, i, i === 7 ? { qrNonce: 'n-7', extraDraws: [['a-co', 9]] } : {}));
    t.at(9)!.status = 'voided';
    t.at(9)!.voidedAt = 'then';
    t.at(9)!.voidReason = 'why';
    const c = t.columns();
    const copy = (a: Int32Array | Float64Array) => a.slice();
    const u = MetaTable.fromColumns({
      ...c,
      seq: copy(c.seq) as Int32Array,
      created: copy(c.created) as Float64Array,
      off: copy(c.off) as Float64Array,
      len: copy(c.len) as Int32Array,
      keys: Buffer.from(c.keys),
      keyHash: copy(c.keyHash) as Int32Array,
    });
    expect([...u].map(plain)).toEqual([...t].map(plain));
    u.push(meta('key-000201', 201));
    expect(u.byKey('key-000201')!.seq).toBe(201);
    expect(u.byKey('key-000100')!.seq).toBe(100);
  });
});

describe('fnv1a and internOffers', () => {
  it('hashes as FNV-1a 32-bit', () => {
    expect(fnv1a('') >>> 0).toBe(0x811c9dc5);
    expect(fnv1a('a') >>> 0).toBe(0xe40c292c);
  });
  it('shares one array per combination of offers', () => {
    expect(internOffers(['a-minmao', 'c-wuyi'])).toBe(internOffers(['a-minmao', 'c-wuyi']));
    expect(internOffers(['a-minmao'])).not.toBe(internOffers(['a-minmao', 'c-wuyi']));
  });
});
