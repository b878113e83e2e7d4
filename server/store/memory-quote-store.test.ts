import { describe, expect, it } from 'vitest';
import { MemoryQuoteStore } from './memory-quote-store.ts';
import { QUOTE_GRACE_MS, type QuoteRecord } from './quote-store.ts';

const T0 = Date.parse('2026-11-25T04:00:00Z');
const rec = (quoteId: string, expiresMs: number): QuoteRecord => ({
  quoteId,
  terminalId: 't-1',
  storeId: 's-1',
  merchantId: 'm-1',
  expiresMs,
  eligible: false,
  credentialType: 'member_no',
  amountFen: 100,
  discountFen: 0,
  payableFen: 100,
  lines: [],
});

describe('MemoryQuoteStore', () => {
  it('refuses a quote when full of live ones, and takes it once the oldest have expired by the clock', async () => {
    let now = T0;
    const s = new MemoryQuoteStore(() => new Date(now), 3);
    try {
      for (let i = 0; i < 3; i++) expect(await s.put(rec(`q-${i}`, T0 + 120_000 + i))).toBe('stored');
      expect(await s.put(rec('q-3', T0 + 120_000))).toBe('full');
      expect(s.size).toBe(3);
      // Expired, but within the grace: still kept, so a late confirm hears QUOTE_EXPIRED.
      now = T0 + 120_000 + QUOTE_GRACE_MS;
      expect(await s.put(rec('q-3', now + 120_000))).toBe('full');
      expect((await s.get('q-0'))?.quoteId).toBe('q-0');
      // Past the grace: the oldest make room.
      now = T0 + 120_000 + QUOTE_GRACE_MS + 2;
      expect(await s.put(rec('q-3', now + 120_000))).toBe('stored');
      expect(await s.get('q-0')).toBeUndefined();
      expect(await s.get('q-1')).toBeUndefined();
      expect((await s.get('q-2'))?.quoteId).toBe('q-2');
      expect(s.size).toBe(2);
    } finally {
      await s.close();
    }
  });

  it('forgets a taken quote at once and expires the rest oldest first', async () => {
    const s = new MemoryQuoteStore(() => new Date(T0));
    try {
      await s.put(rec('a', T0 + 1000));
      await s.put(rec('b', T0 + 2000));
      await s.put(rec('c', T0 + 3000));
      await s.take('b');
      expect(await s.get('b')).toBeUndefined();
      expect(await s.expire(T0 + 2500 + QUOTE_GRACE_MS)).toBe(1);
      expect(await s.get('a')).toBeUndefined();
      expect((await s.get('c'))?.quoteId).toBe('c');
    } finally {
      await s.close();
    }
  });

  it('gives back exactly the record it was given: every optional field, non-ASCII text, a record too big for its slot', async () => {
    const s = new MemoryQuoteStore(() => new Date(T0), 4);
    try {
      const full: QuoteRecord = {
        ...rec('q-全', T0 + 120_000),
        eligible: true,
        credentialType: 'card_track',
        memberId: 'mbr-1',
        memberOrgId: 'org-kd',
        memberNoMasked: '5133****17',
        cardId: 'card-1',
        cardLast4: '0017',
        qrNonce: 'n-abc',
        items: [{ sku: '豆浆', qty: 2, unitPriceFen: 300 }],
        amountFen: 10_000_000_000,
        discountFen: 500,
        payableFen: 9_999_999_500,
        lines: [
          {
            agreementId: 'a-1',
            agreementVersion: 3,
            title: '会员9折',
            discountFen: 500,
            funding: { merchantFen: 300, unionFen: 200, campaignId: 'c-1' },
          },
        ],
      };
      const big: QuoteRecord = {
        ...full,
        quoteId: 'q-big',
        items: Array.from({ length: 400 }, (_, i) => ({ sku: `sku-${i}`, qty: 1, unitPriceFen: 1 })),
      };
      const plain = rec('q-plain', T0 + 120_000);
      for (const r of [full, big, plain]) expect(await s.put(r)).toBe('stored');
      expect(await s.get('q-全')).toStrictEqual(full);
      expect(await s.get('q-big')).toStrictEqual(big);
      expect(await s.get('q-plain')).toStrictEqual(plain);
      await s.take('q-big');
      expect(await s.get('q-big')).toBeUndefined();
      expect(await s.get('q-全')).toStrictEqual(full);
    } finally {
      await s.close();
    }
  });

  it('agrees with a Map through 20,000 random puts, takes and expiries on a small table', async () => {
    let now = T0;
    const cap = 300;
    const s = new MemoryQuoteStore(() => new Date(now), cap);
    const ref = new Map<string, number>();
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    try {
      for (let i = 0; i < 20_000; i++) {
        const op = rnd(10);
        if (op < 6) {
          const id = `q-${i}`;
          const exp = now + 1000;
          if (ref.size >= cap) for (const [k, e] of ref) if (e + QUOTE_GRACE_MS < now) ref.delete(k);
          const want = ref.size >= cap ? 'full' : 'stored';
          expect(await s.put(rec(id, exp))).toBe(want);
          if (want === 'stored') ref.set(id, exp);
        } else if (op < 9) {
          const id = `q-${rnd(i + 1)}`;
          await s.take(id);
          ref.delete(id);
        } else now += rnd(5000);
        if (i % 97 === 0) {
          const id = `q-${rnd(i + 1)}`;
          expect((await s.get(id))?.expiresMs).toBe(ref.get(id));
        }
      }
      expect(s.size).toBe(ref.size);
      for (const [id, exp] of ref) expect((await s.get(id))?.expiresMs).toBe(exp);
    } finally {
      await s.close();
    }
  });
});
