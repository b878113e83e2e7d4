import { describe, expect, it } from 'vitest';
import { conditionsSchema, offerSchema, orgSchema, ruleSchema } from './domain.ts';
import { idempotencyKey, issuesToDetails, lineSchema, quoteRequestSchema, redemptionQuerySchema } from './wire.ts';
import { makeOffer } from './rules/fixtures.ts';

const credential = { type: 'member_no', data: '5133000017' } as const;

describe('quoteRequestSchema', () => {
  it('accepts the contract’s quote request with items', () => {
    const q = { credential, amountFen: 7_500, items: [{ sku: 'carwash', qty: 2, unitPriceFen: 3_000 }] };
    expect(quoteRequestSchema.parse(q)).toEqual(q);
  });

  it.each([
    ['a negative amount', -1],
    ['a fractional amount', 100.5],
    ['an amount in yuan as a string', '350.00'],
    ['an amount above ¥100 million', 100_000_000_01],
  ])('refuses %s', (_label, amountFen) => {
    const r = quoteRequestSchema.safeParse({ credential, amountFen });
    expect(r.success).toBe(false);
    expect(issuesToDetails(r.error!)).toEqual([expect.objectContaining({ path: 'amountFen' })]);
  });

  it('refuses items that add up to more than the amount, naming the items field', () => {
    const r = quoteRequestSchema.safeParse({ credential, amountFen: 5_999, items: [{ sku: 'carwash', qty: 2, unitPriceFen: 3_000 }] });
    expect(r.success).toBe(false);
    expect(issuesToDetails(r.error!)).toEqual([{ path: 'items', message: 'the items add up to more than amountFen' }]);
  });

  it('names the nested field path of a bad item and of a bad credential type', () => {
    const r = quoteRequestSchema.safeParse({
      credential: { type: 'pin', data: '1' },
      amountFen: 100,
      items: [{ sku: 'x', qty: 0, unitPriceFen: 1 }],
    });
    expect(r.success).toBe(false);
    expect(
      issuesToDetails(r.error!)
        .map((d) => d.path)
        .sort(),
    ).toEqual(['credential.type', 'items.0.qty']);
  });

  it('refuses an empty or oversized credential', () => {
    expect(quoteRequestSchema.safeParse({ credential: { type: 'qr', data: '' }, amountFen: 1 }).success).toBe(false);
    expect(quoteRequestSchema.safeParse({ credential: { type: 'qr', data: 'x'.repeat(1025) }, amountFen: 1 }).success).toBe(false);
  });

  it('reports a body that is not an object at the (body) path', () => {
    const r = quoteRequestSchema.safeParse('hello');
    expect(issuesToDetails(r.error!)).toEqual([expect.objectContaining({ path: '(body)' })]);
  });
});

describe('lineSchema', () => {
  it('refuses negative or fractional money on a line', () => {
    const line = { agreementId: 'a', agreementVersion: 1, title: 't', discountFen: 10, funding: { merchantFen: 10, unionFen: 0 } };
    expect(lineSchema.safeParse(line).success).toBe(true);
    expect(lineSchema.safeParse({ ...line, discountFen: -1 }).success).toBe(false);
    expect(lineSchema.safeParse({ ...line, funding: { merchantFen: 9.5, unionFen: 0.5 } }).success).toBe(false);
  });
});

describe('idempotencyKey and redemption queries', () => {
  it('accepts 8 to 128 URL-safe characters as an idempotency key', () => {
    expect(idempotencyKey.safeParse('k-2026-05-01:0001').success).toBe(true);
    expect(idempotencyKey.safeParse('short').success).toBe(false);
    expect(idempotencyKey.safeParse('has space in it').success).toBe(false);
    expect(idempotencyKey.safeParse('x'.repeat(129)).success).toBe(false);
  });
  it('defaults limit to 50, reads it from a query string, and caps it at 500', () => {
    expect(redemptionQuerySchema.parse({}).limit).toBe(50);
    expect(redemptionQuerySchema.parse({ limit: '500' }).limit).toBe(500);
    expect(redemptionQuerySchema.safeParse({ limit: '501' }).success).toBe(false);
    expect(redemptionQuerySchema.safeParse({ limit: '0' }).success).toBe(false);
  });
  it('accepts dates and ISO instants with offset as from/to, nothing else', () => {
    expect(redemptionQuerySchema.safeParse({ from: '2026-05-01', to: '2026-05-02T00:00:00+08:00' }).success).toBe(true);
    expect(redemptionQuerySchema.safeParse({ from: '2026-05-01 00:00' }).success).toBe(false);
  });
});

describe('offer and org schemas', () => {
  it('fills in empty conditions and a once-only threshold by default', () => {
    const o = makeOffer({ rule: { kind: 'threshold', thresholdFen: 30_000, reductionFen: 10_000 } });
    expect(o.conditions).toEqual({});
    expect(o.rule).toEqual({ kind: 'threshold', thresholdFen: 30_000, reductionFen: 10_000, repeat: false });
  });
  it('refuses rules that would give nothing or more than everything', () => {
    expect(ruleSchema.safeParse({ kind: 'percent_off', bps: 0 }).success).toBe(false);
    expect(ruleSchema.safeParse({ kind: 'percent_off', bps: 10_001 }).success).toBe(false);
    expect(ruleSchema.safeParse({ kind: 'percent_off', bps: 9.5 }).success).toBe(false);
    expect(ruleSchema.safeParse({ kind: 'threshold', thresholdFen: 0, reductionFen: 1 }).success).toBe(false);
    expect(ruleSchema.safeParse({ kind: 'fixed_price', sku: 'carwash', priceFen: -1 }).success).toBe(false);
  });
  it('refuses malformed conditions', () => {
    expect(conditionsSchema.safeParse({ weekdays: [0] }).success).toBe(false);
    expect(conditionsSchema.safeParse({ weekdays: [] }).success).toBe(false);
    expect(conditionsSchema.safeParse({ hours: { from: '9:00', to: '17:00' } }).success).toBe(false);
    expect(conditionsSchema.safeParse({ hours: { from: '24:00', to: '17:00' } }).success).toBe(false);
    expect(conditionsSchema.safeParse({ validFrom: '2026-02-30' }).success).toBe(false);
    expect(conditionsSchema.safeParse({ limits: { perDay: 0 } }).success).toBe(false);
  });
  it('refuses a union share above 100 % and an offer without its version', () => {
    expect(() => makeOffer({ unionShareBps: 10_001 })).toThrow();
    expect(offerSchema.safeParse({ ...makeOffer(), version: 0 }).success).toBe(false);
  });
  it('defaults a union to Asia/Shanghai and refuses an unknown time zone at load', () => {
    expect(orgSchema.parse({ id: 'org-sc', name: '四川省总工会', parentId: null }).timeZone).toBe('Asia/Shanghai');
    expect(orgSchema.safeParse({ id: 'org-x', name: 'x', parentId: null, timeZone: 'Asia/Chengdu' }).success).toBe(false);
    expect(orgSchema.safeParse({ id: 'org-x', name: 'x', parentId: null, timeZone: 'America/New_York' }).success).toBe(true);
  });
});
