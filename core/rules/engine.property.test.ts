/**
 * Property-based tests of the DESIGN.md money invariants and the CONTRACT.md stacking rule, over random
 * offers, sales, items, instants and time zones.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Offer, Rule } from '../domain.ts';
import { percentOf } from '../money.ts';
import type { Item } from '../wire.ts';
import { checkConditions, evaluate, type EngineInput } from './engine.ts';
import { makeOffer, ORG_IDS, orgPath, type OfferOverrides } from './fixtures.ts';
import { countUses } from './usage-count.ts';

const ZONES = ['Asia/Shanghai', 'UTC', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Chatham'];
const SKUS = ['carwash', 'movie-ticket', 'tea', 'wax'];
const STORES = ['s-1', 's-2', 's-3'];
// Both 2026 DST changes of New York (8 Mar, 1 Nov), Lord Howe (5 Apr, 4 Oct) and Chatham (5 Apr, 27 Sep) fall inside.
const FROM = new Date('2026-02-20T00:00:00Z');
const TO = new Date('2026-11-10T00:00:00Z');

const instant = fc.date({ min: FROM, max: TO, noInvalidDate: true });
const localDate = instant.map((d) => d.toISOString().slice(0, 10));
const hhmm = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
/** Mostly absent, so that a sale usually meets a few conditions rather than all of them at once. */
const sometimes = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 5 }, { arbitrary: arb, weight: 1 });
const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

const rule: fc.Arbitrary<Rule> = fc.oneof(
  fc.record({
    kind: fc.constant('percent_off' as const),
    bps: fc.oneof(fc.integer({ min: 1, max: 10_000 }), fc.constantFrom(500, 1_000, 2_000)),
  }),
  fc.record({ kind: fc.constant('fixed_price' as const), sku: fc.constantFrom(...SKUS), priceFen: fc.integer({ min: 0, max: 5_000 }) }),
  fc.record({
    kind: fc.constant('threshold' as const),
    thresholdFen: fc.integer({ min: 1, max: 60_000 }),
    reductionFen: fc.integer({ min: 1, max: 40_000 }),
    repeat: fc.boolean(),
  }),
);

const conditions = fc
  .record({
    validFrom: sometimes(localDate),
    validTo: sometimes(localDate),
    weekdays: sometimes(fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 })),
    hours: sometimes(fc.record({ from: hhmm, to: hhmm })),
    storeIds: sometimes(fc.uniqueArray(fc.constantFrom(...STORES), { minLength: 1 })),
    memberOrgIds: sometimes(fc.uniqueArray(fc.constantFrom(...ORG_IDS), { minLength: 1, maxLength: 3 })),
    limits: sometimes(
      fc.record(
        { perDay: fc.integer({ min: 1, max: 3 }), perMonth: fc.integer({ min: 1, max: 6 }), total: fc.integer({ min: 1, max: 10 }) },
        { requiredKeys: [] },
      ),
    ),
    maxDiscountFen: sometimes(fc.integer({ min: 0, max: 30_000 })),
  })
  .map(defined);

/** An offer without its id; ids are given per position so that every offer in a sale is distinct. */
const offerBody: fc.Arbitrary<OfferOverrides> = fc.record({
  version: fc.integer({ min: 1, max: 9 }),
  kind: fc.constantFrom('agreement' as const, 'campaign' as const),
  // Mostly unions high in the tree, so that most offers cover the member and the other conditions get exercised.
  orgId: fc.oneof({ arbitrary: fc.constantFrom('org-sc', 'org-gz'), weight: 4 }, { arbitrary: fc.constantFrom(...ORG_IDS), weight: 1 }),
  rule,
  conditions,
  unionShareBps: fc.oneof(fc.constant(0), fc.constant(10_000), fc.integer({ min: 0, max: 10_000 })),
  budgetFen: fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined }),
  status: fc.constantFrom('active' as const, 'active' as const, 'active' as const, 'ended' as const),
});

const item: fc.Arbitrary<Item> = fc.record({
  sku: fc.constantFrom(...SKUS),
  qty: fc.integer({ min: 1, max: 5 }),
  unitPriceFen: fc.integer({ min: 0, max: 10_000 }),
});

interface Scenario {
  input: EngineInput;
  /** A permutation of input.offers. */
  shuffled: Offer[];
  budgets: Map<string, number>;
}

const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    bodies: fc.array(offerBody, { minLength: 1, maxLength: 6 }),
    ids: fc.uniqueArray(fc.stringMatching(/^[a-d]{1,3}$/), { minLength: 6, maxLength: 6 }),
    sortKeys: fc.array(fc.integer(), { minLength: 6, maxLength: 6 }),
    items: fc.option(fc.array(item, { maxLength: 5 }), { nil: undefined }),
    extraFen: fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 10_000_000_000 })),
    now: instant,
    memberOrgId: fc.oneof({ arbitrary: fc.constant('org-kd'), weight: 3 }, { arbitrary: fc.constantFrom(...ORG_IDS), weight: 1 }),
    storeId: fc.constantFrom(...STORES),
    zoneOf: fc.record(Object.fromEntries(ORG_IDS.map((o) => [o, fc.constantFrom(...ZONES)])) as Record<string, fc.Arbitrary<string>>),
    /** Earlier uses per offer, in minutes before now (up to 40 days), so that day and month limits bite. */
    usage: fc.array(fc.array(fc.integer({ min: 0, max: 40 * 24 * 60 }), { maxLength: 4 }), { minLength: 6, maxLength: 6 }),
    budgetLeft: fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 6, maxLength: 6 }),
    offline: fc.constantFrom(false, false, false, true),
  })
  .map((s) => {
    const offers = s.bodies.map((b, i) => makeOffer({ ...b, id: s.ids[i]!, title: `offer ${s.ids[i]}` }));
    const budgets = new Map<string, number>();
    offers.forEach((o, i) => {
      if (o.budgetFen !== undefined) budgets.set(o.id, Math.min(o.budgetFen, s.budgetLeft[i]!));
    });
    const usage = new Map(offers.map((o, i) => [o.id, s.usage[i]!.map((m) => new Date(s.now.getTime() - m * 60_000).toISOString())]));
    const itemsTotal = (s.items ?? []).reduce((t, it) => t + it.qty * it.unitPriceFen, 0);
    const input: EngineInput = {
      now: s.now,
      amountFen: itemsTotal + s.extraFen,
      ...(s.items ? { items: s.items } : {}),
      storeId: s.storeId,
      memberOrgPath: orgPath(s.memberOrgId),
      offers,
      timeZoneOf: (org) => s.zoneOf[org] ?? 'Asia/Shanghai',
      usageOf: (id) => countUses(usage.get(id) ?? [], s.now, s.zoneOf[offers.find((o) => o.id === id)?.orgId ?? ''] ?? 'Asia/Shanghai'),
      remainingBudgetOf: (id) => budgets.get(id) ?? 0,
      offline: s.offline,
    };
    const shuffled = offers
      .map((o, i) => [s.sortKeys[i]!, o] as const)
      .sort((a, b) => a[0] - b[0])
      .map(([, o]) => o);
    return { input, shuffled, budgets };
  });

const RUNS = 400;

describe('evaluate, for any offers, sale, instant and time zones', () => {
  it('keeps payableFen + discountFen = amountFen with 0 ≤ discountFen ≤ amountFen, in integer fen', () => {
    fc.assert(
      fc.property(scenario, ({ input }) => {
        const v = evaluate(input);
        expect(v.amountFen).toBe(input.amountFen);
        expect(v.payableFen + v.discountFen).toBe(v.amountFen);
        expect(v.discountFen).toBeGreaterThanOrEqual(0);
        expect(v.discountFen).toBeLessThanOrEqual(v.amountFen);
        for (const n of [
          v.discountFen,
          v.payableFen,
          ...v.lines.flatMap((l) => [l.discountFen, l.funding.merchantFen, l.funding.unionFen]),
        ]) {
          expect(Number.isSafeInteger(n)).toBe(true);
          expect(n).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('adds its lines up to discountFen, with at most one agreement line then at most one campaign line', () => {
    fc.assert(
      fc.property(scenario, ({ input }) => {
        const v = evaluate(input);
        expect(v.lines.reduce((s, l) => s + l.discountFen, 0)).toBe(v.discountFen);
        const kinds = v.lines.map((l) => input.offers.find((o) => o.id === l.agreementId)!.kind);
        expect(['', 'agreement', 'campaign', 'agreement,campaign']).toContain(kinds.join(','));
        for (const l of v.lines) expect(l.discountFen).toBeGreaterThan(0);
      }),
      { numRuns: RUNS },
    );
  });

  it('splits every line as merchantFen + unionFen = discountFen, the union share as the offer says', () => {
    fc.assert(
      fc.property(scenario, ({ input }) => {
        for (const l of evaluate(input).lines) {
          const offer = input.offers.find((o) => o.id === l.agreementId)!;
          expect(l.funding.merchantFen + l.funding.unionFen).toBe(l.discountFen);
          expect(l.funding.unionFen).toBe(offer.unionShareBps === 10_000 ? l.discountFen : percentOf(l.discountFen, offer.unionShareBps));
          expect(l.funding.campaignId).toBe(offer.kind === 'campaign' ? offer.id : undefined);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('never grants union money beyond a campaign’s remaining budget, and none offline', () => {
    fc.assert(
      fc.property(scenario, ({ input, budgets }) => {
        for (const l of evaluate(input).lines) {
          const offer = input.offers.find((o) => o.id === l.agreementId)!;
          if (offer.budgetFen !== undefined) expect(l.funding.unionFen).toBeLessThanOrEqual(budgets.get(offer.id)!);
          if (input.offline) expect(l.funding.unionFen).toBe(0);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('does not depend on the order of the offers', () => {
    fc.assert(
      fc.property(scenario, ({ input, shuffled }) => {
        expect(evaluate({ ...input, offers: shuffled })).toEqual(evaluate(input));
      }),
      { numRuns: RUNS },
    );
  });

  it('cites, on every line, an active offer by id and version whose conditions hold; accounts for every active offer once', () => {
    fc.assert(
      fc.property(scenario, ({ input }) => {
        const v = evaluate(input);
        for (const l of v.lines) {
          const offer = input.offers.find((o) => o.id === l.agreementId)!;
          expect(offer.status).toBe('active');
          expect(l.agreementVersion).toBe(offer.version);
          expect(l.title).toBe(offer.title);
          expect(checkConditions(offer, input)).toBeNull();
        }
        for (const s of v.skipped) expect(s.agreementVersion).toBe(input.offers.find((o) => o.id === s.agreementId)!.version);
        const seen = [...v.lines.map((l) => l.agreementId), ...v.skipped.map((s) => s.agreementId)].sort();
        expect(seen).toEqual(
          input.offers
            .filter((o) => o.status === 'active')
            .map((o) => o.id)
            .sort(),
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('is eligible exactly when it has a line, and otherwise gives one contract reason and no discount', () => {
    fc.assert(
      fc.property(scenario, ({ input }) => {
        const v = evaluate(input);
        expect(v.eligible).toBe(v.lines.length > 0);
        if (!v.eligible) {
          expect(v.discountFen).toBe(0);
          expect(v.reasons).toHaveLength(1);
          expect(['NO_AGREEMENT', 'OUTSIDE_WINDOW', 'LIMIT_REACHED', 'BUDGET_EXHAUSTED']).toContain(v.reasons[0]!.code);
          if (v.reasons[0]!.code !== 'NO_AGREEMENT') expect(v.skipped.map((s) => s.code)).toContain(v.reasons[0]!.code);
        } else expect(v.reasons).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('chooses the agreement that gives the member most, ties to the lowest id', () => {
    fc.assert(
      fc.property(scenario, ({ input }) => {
        const v = evaluate(input);
        const agreements = input.offers.filter((o) => o.kind === 'agreement');
        const alone = agreements.map((o) => ({ id: o.id, off: evaluate({ ...input, offers: [o] }).discountFen }));
        const bestOff = Math.max(0, ...alone.map((a) => a.off));
        const chosen = v.lines.find((l) => agreements.some((o) => o.id === l.agreementId));
        expect(chosen?.discountFen ?? 0).toBe(bestOff);
        if (chosen) {
          const lowest = alone
            .filter((a) => a.off === bestOff)
            .map((a) => a.id)
            .sort()[0];
          expect(chosen.agreementId).toBe(lowest);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('judges the campaign on the amount left after the agreement', () => {
    fc.assert(
      fc.property(scenario, ({ input }) => {
        const v = evaluate(input);
        const agreementOff = v.lines
          .filter((l) => input.offers.find((o) => o.id === l.agreementId)!.kind === 'agreement')
          .reduce((s, l) => s + l.discountFen, 0);
        const campaigns = input.offers.filter((o) => o.kind === 'campaign');
        const onRest = evaluate({ ...input, amountFen: input.amountFen - agreementOff, offers: campaigns });
        const campaignLines = v.lines.filter((l) => campaigns.some((o) => o.id === l.agreementId));
        expect(campaignLines).toEqual(onRest.lines);
      }),
      { numRuns: 200 },
    );
  });
});
