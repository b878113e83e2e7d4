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
});
