import { describe, expect, it } from 'vitest';
import { checkConditions, evaluate, unionShare, type Verdict } from './engine.ts';
import { FRIDAY_SHANGHAI_MORNING, makeCampaign, makeInput, makeOffer } from './fixtures.ts';
import { ruleDiscount } from './rule-discount.ts';

const minmao = makeOffer(); // 500 bps off at m-minmao, org-gz
const wuyi = makeCampaign({ conditions: { limits: { perDay: 1 } } }); // 满300减200, union-funded, org-gz
/** 2026-05-02 00:30 in Shanghai (a Saturday) is still Friday 16:30 in UTC. */
const SHANGHAI_SATURDAY_UTC_FRIDAY = new Date('2026-05-01T16:30:00Z');

const codesOf = (v: Verdict) => v.skipped.map((s) => [s.agreementId, s.code]);
const lineOf = (v: Verdict, id: string) => v.lines.find((l) => l.agreementId === id);

describe('the contract stacking example', () => {
  it('gives 1,750 + 20,000 off 35,000 fen at m-minmao, payable 13,250', () => {
    const v = evaluate(makeInput({ amountFen: 35_000, offers: [wuyi, minmao] }));
    expect(v.eligible).toBe(true);
    expect(v.reasons).toEqual([]);
    expect(v.lines).toEqual([
      {
        agreementId: 'a-minmao',
        agreementVersion: 1,
        title: minmao.title,
        discountFen: 1_750,
        funding: { merchantFen: 1_750, unionFen: 0 },
      },
      {
        agreementId: 'c-wuyi',
        agreementVersion: 1,
        title: wuyi.title,
        discountFen: 20_000,
        funding: { merchantFen: 0, unionFen: 20_000, campaignId: 'c-wuyi' },
      },
    ]);
    expect(v).toMatchObject({ amountFen: 35_000, discountFen: 21_750, payableFen: 13_250 });
  });

  it('tests the campaign threshold against the amount after the agreement discount', () => {
    // 31,000 − 1,550 = 29,450 < 30,000: the 满300 campaign does not apply, although 31,000 alone would reach it.
    const v = evaluate(makeInput({ amountFen: 31_000, offers: [minmao, wuyi] }));
    expect(v.lines.map((l) => l.agreementId)).toEqual(['a-minmao']);
    expect(v.discountFen).toBe(1_550);
    expect(v.skipped).toMatchObject([{ agreementId: 'c-wuyi', code: 'THRESHOLD_NOT_MET' }]);
    expect(evaluate(makeInput({ amountFen: 31_000, offers: [wuyi] })).discountFen).toBe(20_000);
  });

  it('applies the campaign once the amount after the agreement reaches the threshold exactly', () => {
    // 500 bps off 31,578 = 1,578 and 31,578 − 1,578 = 30,000 exactly; one fen less leaves 29,999.
    expect(evaluate(makeInput({ amountFen: 31_578, offers: [minmao, wuyi] })).discountFen).toBe(1_578 + 20_000);
    expect(evaluate(makeInput({ amountFen: 31_577, offers: [minmao, wuyi] })).discountFen).toBe(1_578);
  });
});

describe('percentage off in basis points', () => {
  it.each([
    ['9.5折', 500, 500],
    ['9折', 1_000, 1_000],
    ['8折', 2_000, 2_000],
  ])('takes %s (%i bps) of 10,000 fen as %i fen', (_label, bps, off) => {
    const v = evaluate(makeInput({ amountFen: 10_000, offers: [makeOffer({ rule: { kind: 'percent_off', bps } })] }));
    expect(v.discountFen).toBe(off);
    expect(v.payableFen).toBe(10_000 - off);
  });

  it('rounds the discount down to the fen (9.5折 of 999 fen is 49, not 50)', () => {
    expect(evaluate(makeInput({ amountFen: 999, offers: [minmao] })).discountFen).toBe(49);
  });

  it('is not eligible when the discount rounds to nothing', () => {
    const v = evaluate(makeInput({ amountFen: 19, offers: [minmao] }));
    expect(v).toMatchObject({ eligible: false, discountFen: 0, payableFen: 19, lines: [] });
    expect(v.reasons.map((r) => r.code)).toEqual(['NO_AGREEMENT']);
  });
});

describe('weekdays and hours in the signing union’s time zone', () => {
  const hotel = makeOffer({
    id: 'a-hotel',
    merchantId: 'm-hotel',
    title: '精品酒店 9折 周一至周五',
    rule: { kind: 'percent_off', bps: 1_000 },
    conditions: { weekdays: [1, 2, 3, 4, 5] },
  });

  it('grants the hotel agreement on a Friday in Shanghai', () => {
    expect(evaluate(makeInput({ amountFen: 50_000, offers: [hotel] })).discountFen).toBe(5_000);
  });

  it('refuses the hotel agreement on a Shanghai Saturday that is still Friday in UTC', () => {
    const v = evaluate(makeInput({ now: SHANGHAI_SATURDAY_UTC_FRIDAY, amountFen: 50_000, offers: [hotel] }));
    expect(v.eligible).toBe(false);
    expect(v.discountFen).toBe(0);
    expect(v.reasons).toMatchObject([{ code: 'OUTSIDE_WINDOW', agreementId: 'a-hotel' }]);
    expect(v.skipped).toMatchObject([{ agreementId: 'a-hotel', agreementVersion: 1, code: 'OUTSIDE_WINDOW' }]);
    expect(v.skipped[0]!.message).toContain('today is 6 (Asia/Shanghai)');
  });

  it('grants the same instant when the signing union keeps UTC, where it is still Friday', () => {
    const v = evaluate(makeInput({ now: SHANGHAI_SATURDAY_UTC_FRIDAY, amountFen: 50_000, offers: [hotel], zones: { 'org-gz': 'UTC' } }));
    expect(v.discountFen).toBe(5_000);
  });

  it('uses the zone of the union that signed, not of the member’s own union', () => {
    const v = evaluate(makeInput({ now: SHANGHAI_SATURDAY_UTC_FRIDAY, amountFen: 50_000, offers: [hotel], zones: { 'org-kd': 'UTC' } }));
    expect(v.eligible).toBe(false);
  });

  it('applies an hours window from its start up to, not including, its end', () => {
    const lunch = makeOffer({ conditions: { hours: { from: '11:00', to: '14:00' } } });
    const atShanghai = (hhmm: string) => evaluate(makeInput({ now: new Date(`2026-05-01T${hhmm}:00+08:00`), offers: [lunch] })).eligible;
    expect([atShanghai('10:59'), atShanghai('11:00'), atShanghai('13:59'), atShanghai('14:00')]).toEqual([false, true, true, false]);
  });

  it('wraps an hours window past midnight (22:00–02:00)', () => {
    const night = makeOffer({ conditions: { hours: { from: '22:00', to: '02:00' } } });
    const atShanghai = (iso: string) => evaluate(makeInput({ now: new Date(iso), offers: [night] })).eligible;
    expect(atShanghai('2026-05-01T21:59:00+08:00')).toBe(false);
    expect(atShanghai('2026-05-01T22:00:00+08:00')).toBe(true);
    expect(atShanghai('2026-05-02T01:59:00+08:00')).toBe(true);
    expect(atShanghai('2026-05-02T02:00:00+08:00')).toBe(false);
    expect(atShanghai('2026-05-01T12:00:00+08:00')).toBe(false);
  });

  it('reads the hours in a DST zone with the offset of that day', () => {
    const ny = makeOffer({ conditions: { hours: { from: '09:00', to: '10:00' } } });
    const zones = { 'org-gz': 'America/New_York' };
    // 13:30 UTC is 08:30 EST in winter (outside) and 09:30 EDT in summer (inside).
    expect(evaluate(makeInput({ now: new Date('2026-01-15T13:30:00Z'), offers: [ny], zones })).eligible).toBe(false);
    expect(evaluate(makeInput({ now: new Date('2026-07-15T13:30:00Z'), offers: [ny], zones })).eligible).toBe(true);
  });
});

describe('validity dates in the signing union’s time zone', () => {
  it('ends a campaign valid to 1 May once it is 2 May in Shanghai, even while it is 1 May in UTC', () => {
    const c = makeCampaign({ conditions: { validTo: '2026-05-01' } });
    const v = evaluate(makeInput({ now: SHANGHAI_SATURDAY_UTC_FRIDAY, offers: [c] }));
    expect(v.eligible).toBe(false);
    expect(v.skipped).toMatchObject([{ agreementId: 'c-wuyi', code: 'OUTSIDE_WINDOW' }]);
    expect(v.skipped[0]!.message).toContain('ended 2026-05-01');
    expect(evaluate(makeInput({ now: SHANGHAI_SATURDAY_UTC_FRIDAY, offers: [c], zones: { 'org-gz': 'UTC' } })).eligible).toBe(true);
  });

  it('starts a campaign valid from 2 May at Shanghai midnight, while UTC is still on 1 May', () => {
    const c = makeCampaign({ conditions: { validFrom: '2026-05-02' } });
    expect(evaluate(makeInput({ now: new Date('2026-05-01T15:59:59Z'), offers: [c] })).eligible).toBe(false);
    expect(evaluate(makeInput({ now: new Date('2026-05-01T16:00:00Z'), offers: [c] })).eligible).toBe(true);
  });

  it('includes both the first and the last valid day', () => {
    const c = makeCampaign({ conditions: { validFrom: '2026-05-01', validTo: '2026-05-05' } });
    const on = (d: string) => evaluate(makeInput({ now: new Date(`${d}T12:00:00+08:00`), offers: [c] })).eligible;
    expect([on('2026-04-30'), on('2026-05-01'), on('2026-05-05'), on('2026-05-06')]).toEqual([false, true, true, false]);
  });
});

describe('fixed price for a SKU', () => {
  const carwash = makeOffer({
    id: 'a-carwash',
    merchantId: 'm-carwash',
    orgId: 'org-sc',
    title: '洗车 9元',
    rule: { kind: 'fixed_price', sku: 'carwash', priceFen: 900 },
  });

  it('sells each car wash at 900 fen and leaves other items at their price', () => {
    const items = [
      { sku: 'carwash', qty: 2, unitPriceFen: 3_000 },
      { sku: 'wax', qty: 1, unitPriceFen: 1_500 },
    ];
    const v = evaluate(makeInput({ amountFen: 7_500, items, offers: [carwash] }));
    expect(v.discountFen).toBe(2 * (3_000 - 900));
    expect(v.payableFen).toBe(2 * 900 + 1_500);
    expect(v.lines[0]).toMatchObject({ agreementId: 'a-carwash', funding: { merchantFen: 4_200, unionFen: 0 } });
  });

  it('gives nothing when the sale has no items, and says no item qualifies', () => {
    const v = evaluate(makeInput({ amountFen: 3_000, offers: [carwash] }));
    expect(v).toMatchObject({ eligible: false, discountFen: 0, payableFen: 3_000 });
    expect(v.skipped).toMatchObject([{ agreementId: 'a-carwash', code: 'NO_QUALIFYING_ITEM' }]);
    expect(v.reasons.map((r) => r.code)).toEqual(['NO_AGREEMENT']);
  });

  it('gives nothing for items of another SKU or already at or below the fixed price', () => {
    const items = [
      { sku: 'wax', qty: 1, unitPriceFen: 3_000 },
      { sku: 'carwash', qty: 1, unitPriceFen: 900 },
      { sku: 'carwash', qty: 1, unitPriceFen: 500 },
    ];
    expect(evaluate(makeInput({ amountFen: 4_400, items, offers: [carwash] })).eligible).toBe(false);
  });

  it('never takes off more than the sale amount', () => {
    const items = [{ sku: 'carwash', qty: 3, unitPriceFen: 3_000 }];
    expect(evaluate(makeInput({ amountFen: 1_000, items, offers: [carwash] })).discountFen).toBe(1_000);
  });
});

describe('threshold reduction (满X减Y)', () => {
  const once = makeOffer({ rule: { kind: 'threshold', thresholdFen: 30_000, reductionFen: 10_000 } });
  const repeat = makeOffer({ rule: { kind: 'threshold', thresholdFen: 30_000, reductionFen: 10_000, repeat: true } });

  it('takes Y off once per sale by default, however far the sale passes X', () => {
    expect(evaluate(makeInput({ amountFen: 65_000, offers: [once] })).discountFen).toBe(10_000);
    expect(once.rule).toMatchObject({ repeat: false });
  });

  it('takes Y off per whole multiple of X when it repeats', () => {
    expect(evaluate(makeInput({ amountFen: 65_000, offers: [repeat] })).discountFen).toBe(20_000);
    expect(evaluate(makeInput({ amountFen: 90_000, offers: [repeat] })).discountFen).toBe(30_000);
  });

  it('applies at exactly X and not one fen below', () => {
    expect(evaluate(makeInput({ amountFen: 30_000, offers: [once] })).discountFen).toBe(10_000);
    const below = evaluate(makeInput({ amountFen: 29_999, offers: [once] }));
    expect(below.eligible).toBe(false);
    expect(below.skipped).toMatchObject([{ code: 'THRESHOLD_NOT_MET' }]);
    expect(below.skipped[0]!.message).toContain('29999 < 30000');
  });

  it('never takes off more than the sale, even when Y is larger than X', () => {
    const odd = makeOffer({ rule: { kind: 'threshold', thresholdFen: 100, reductionFen: 500, repeat: true } });
    expect(evaluate(makeInput({ amountFen: 250, offers: [odd] })).discountFen).toBe(250);
    expect(ruleDiscount({ kind: 'threshold', thresholdFen: 100, reductionFen: 500, repeat: false }, 150, undefined)).toEqual({
      ok: true,
      discountFen: 150,
    });
  });
});

describe('maximum discount per sale', () => {
  it('caps the discount at maxDiscountFen', () => {
    const capped = makeOffer({ rule: { kind: 'percent_off', bps: 2_000 }, conditions: { maxDiscountFen: 5_000 } });
    expect(evaluate(makeInput({ amountFen: 100_000, offers: [capped] })).discountFen).toBe(5_000);
    expect(evaluate(makeInput({ amountFen: 10_000, offers: [capped] })).discountFen).toBe(2_000);
  });

  it('compares agreements after their caps when choosing the best', () => {
    const capped = makeOffer({ id: 'a-capped', rule: { kind: 'percent_off', bps: 2_000 }, conditions: { maxDiscountFen: 1_000 } });
    const plain = makeOffer({ id: 'b-plain', rule: { kind: 'percent_off', bps: 1_000 } });
    const v = evaluate(makeInput({ amountFen: 50_000, offers: [capped, plain] }));
    expect(v.lines.map((l) => [l.agreementId, l.discountFen])).toEqual([['b-plain', 5_000]]);
    expect(codesOf(v)).toEqual([['a-capped', 'NOT_BEST']]);
  });

  it('refuses an offer capped at zero as giving nothing', () => {
    const zero = makeOffer({ conditions: { maxDiscountFen: 0 } });
    expect(evaluate(makeInput({ offers: [zero] })).eligible).toBe(false);
  });
});

describe('per-member limits, counted in the signing union’s time zone', () => {
  const daily = makeOffer({ conditions: { limits: { perDay: 1 } } });

  it('refuses a second use on the same Shanghai day', () => {
    const v = evaluate(makeInput({ offers: [daily], usage: { 'a-minmao': ['2026-05-01T08:00:00+08:00'] } }));
    expect(v.eligible).toBe(false);
    expect(v.reasons).toMatchObject([{ code: 'LIMIT_REACHED', agreementId: 'a-minmao' }]);
    expect(v.skipped[0]!.message).toContain('1 a day');
  });

  it('allows a use just after Shanghai midnight although the last one was the same UTC day', () => {
    // Last use 23:30 on 1 May in Shanghai (15:30 UTC); now 00:30 on 2 May in Shanghai (16:30 UTC): both 1 May in UTC.
    const input = { now: SHANGHAI_SATURDAY_UTC_FRIDAY, offers: [daily], usage: { 'a-minmao': ['2026-05-01T15:30:00Z'] } };
    expect(evaluate(makeInput(input)).eligible).toBe(true);
    expect(evaluate(makeInput({ ...input, zones: { 'org-gz': 'UTC' } })).eligible).toBe(false);
  });

  it('counts the day across a DST change in New York by the local calendar', () => {
    const zones = { 'org-gz': 'America/New_York' };
    const usage = { 'a-minmao': ['2026-03-08T05:30:00Z'] }; // 00:30 EST on Sunday 8 March
    // 03:30 UTC on 9 March is 23:30 EDT on 8 March: same day. 04:30 UTC is 00:30 EDT on 9 March: a new day
    // (a fixed −05:00 offset would still say 23:30 on 8 March).
    expect(evaluate(makeInput({ now: new Date('2026-03-09T03:30:00Z'), offers: [daily], zones, usage })).eligible).toBe(false);
    expect(evaluate(makeInput({ now: new Date('2026-03-09T04:30:00Z'), offers: [daily], zones, usage })).eligible).toBe(true);
  });

  it('refuses once the month’s uses reach perMonth, counting the Shanghai month', () => {
    const monthly = makeOffer({ conditions: { limits: { perMonth: 2 } } });
    // 30 April 17:00 UTC is already 1 May 01:00 in Shanghai: it counts for May.
    const usage = { 'a-minmao': ['2026-04-30T17:00:00Z', '2026-04-30T12:00:00+08:00', '2026-04-29T12:00:00+08:00'] };
    expect(evaluate(makeInput({ offers: [monthly], usage: { 'a-minmao': usage['a-minmao'].slice(0, 1) } })).eligible).toBe(true);
    const v = evaluate(makeInput({ offers: [monthly], usage: { 'a-minmao': [...usage['a-minmao'], '2026-05-01T09:00:00+08:00'] } }));
    expect(v.eligible).toBe(false);
    expect(v.skipped[0]!.message).toContain('2 a month');
    // April uses alone do not count against May.
    expect(evaluate(makeInput({ offers: [monthly], usage: { 'a-minmao': usage['a-minmao'].slice(1) } })).eligible).toBe(true);
  });

  it('refuses once the total number of uses reaches the total limit, whenever they were', () => {
    const lifetime = makeOffer({ conditions: { limits: { total: 3 } } });
    const two = ['2025-01-01T12:00:00+08:00', '2025-06-01T12:00:00+08:00'];
    expect(evaluate(makeInput({ offers: [lifetime], usage: { 'a-minmao': two } })).eligible).toBe(true);
    const v = evaluate(makeInput({ offers: [lifetime], usage: { 'a-minmao': [...two, '2026-01-01T12:00:00+08:00'] } }));
    expect(v.eligible).toBe(false);
    expect(v.skipped[0]!.message).toContain('3 in total');
  });

  it('counts only the offer’s own uses', () => {
    const v = evaluate(makeInput({ offers: [daily], usage: { 'a-other': ['2026-05-01T08:00:00+08:00'] } }));
    expect(v.eligible).toBe(true);
  });

  it('limits the campaign once per member per day while the agreement keeps applying', () => {
    const v = evaluate(makeInput({ offers: [minmao, wuyi], usage: { 'c-wuyi': ['2026-05-01T09:00:00+08:00'] } }));
    expect(v.lines.map((l) => l.agreementId)).toEqual(['a-minmao']);
    expect(codesOf(v)).toEqual([['c-wuyi', 'LIMIT_REACHED']]);
  });
});

describe('which unions’ members qualify', () => {
  const kdOnly = makeOffer({ id: 'a-kd', orgId: 'org-kd' });

  it('does not cover a member of a sibling union', () => {
    const v = evaluate(makeInput({ memberOrgId: 'org-ld', offers: [kdOnly] }));
    expect(v.eligible).toBe(false);
    expect(v.skipped).toMatchObject([{ agreementId: 'a-kd', code: 'NOT_COVERED' }]);
    expect(v.reasons.map((r) => r.code)).toEqual(['NO_AGREEMENT']);
  });

  it('does not cover a member of the union above the signer', () => {
    expect(evaluate(makeInput({ memberOrgId: 'org-gz', offers: [kdOnly] })).eligible).toBe(false);
  });

  it('covers the signer’s whole subtree, down to grandchildren', () => {
    const provincial = makeOffer({ orgId: 'org-sc' });
    for (const org of ['org-sc', 'org-gz', 'org-kd', 'org-ld', 'org-db', 'org-sczz']) {
      expect(evaluate(makeInput({ memberOrgId: org, offers: [provincial] })).discountFen).toBe(1_750);
    }
  });

  it('covers the prefecture’s county unions but not the provincial organs’ union beside it', () => {
    expect(evaluate(makeInput({ memberOrgId: 'org-db', offers: [minmao] })).eligible).toBe(true);
    expect(evaluate(makeInput({ memberOrgId: 'org-sczz', offers: [minmao] })).eligible).toBe(false);
  });

  it('narrows to memberOrgIds and their subtrees', () => {
    const narrowed = makeOffer({ orgId: 'org-sc', conditions: { memberOrgIds: ['org-kd', 'org-sczz'] } });
    const ok = (org: string) => evaluate(makeInput({ memberOrgId: org, offers: [narrowed] })).eligible;
    expect(['org-kd', 'org-sczz', 'org-ld', 'org-gz', 'org-sc'].map(ok)).toEqual([true, true, false, false, false]);
    const viaParent = makeOffer({ orgId: 'org-sc', conditions: { memberOrgIds: ['org-gz'] } });
    expect(evaluate(makeInput({ memberOrgId: 'org-ld', offers: [viaParent] })).eligible).toBe(true);
    expect(evaluate(makeInput({ memberOrgId: 'org-sczz', offers: [viaParent] })).skipped).toMatchObject([{ code: 'NOT_COVERED' }]);
  });
});

describe('which stores', () => {
  const storeOne = makeOffer({ conditions: { storeIds: ['s-minmao-1'] } });
  it('applies at a listed store', () => {
    expect(evaluate(makeInput({ storeId: 's-minmao-1', offers: [storeOne] })).eligible).toBe(true);
  });
  it('refuses at a store that is not listed, saying the store does not take part', () => {
    const v = evaluate(makeInput({ storeId: 's-minmao-2', offers: [storeOne] }));
    expect(v.eligible).toBe(false);
    expect(v.skipped).toMatchObject([{ agreementId: 'a-minmao', code: 'STORE_NOT_COVERED' }]);
  });
  it('applies at every store of the merchant when no stores are listed', () => {
    expect(evaluate(makeInput({ storeId: 's-minmao-2', offers: [minmao] })).eligible).toBe(true);
  });
});

describe('campaign budgets', () => {
  it('refuses the campaign when its remaining budget cannot pay the union share, keeping the agreement', () => {
    const v = evaluate(makeInput({ offers: [minmao, wuyi], budgets: { 'c-wuyi': 19_999 } }));
    expect(v.lines.map((l) => l.agreementId)).toEqual(['a-minmao']);
    expect(v.skipped).toMatchObject([{ agreementId: 'c-wuyi', code: 'BUDGET_EXHAUSTED' }]);
    expect(v.skipped[0]!.message).toContain('19999 fen left');
  });

  it('grants the campaign when the remaining budget exactly covers it', () => {
    expect(evaluate(makeInput({ offers: [minmao, wuyi], budgets: { 'c-wuyi': 20_000 } })).discountFen).toBe(21_750);
  });

  it('answers BUDGET_EXHAUSTED when the campaign was the only thing to give', () => {
    const v = evaluate(makeInput({ offers: [wuyi], budgets: { 'c-wuyi': 0 } }));
    expect(v).toMatchObject({ eligible: false, discountFen: 0, payableFen: 35_000 });
    expect(v.reasons).toMatchObject([{ code: 'BUDGET_EXHAUSTED', agreementId: 'c-wuyi' }]);
  });

  it('checks only the union’s share against the budget when the campaign is co-funded', () => {
    const half = makeCampaign({ unionShareBps: 5_000 });
    expect(evaluate(makeInput({ offers: [half], budgets: { 'c-wuyi': 10_000 } })).discountFen).toBe(20_000);
    expect(evaluate(makeInput({ offers: [half], budgets: { 'c-wuyi': 9_999 } })).eligible).toBe(false);
  });
});

describe('offline terminals', () => {
  it('refuses union-funded campaigns but still grants the merchant agreement', () => {
    const v = evaluate(makeInput({ offline: true, offers: [minmao, wuyi] }));
    expect(v.lines.map((l) => l.agreementId)).toEqual(['a-minmao']);
    expect(v.discountFen).toBe(1_750);
    expect(v.skipped).toMatchObject([{ agreementId: 'c-wuyi', code: 'OFFLINE_UNION_FUNDED' }]);
  });

  it('refuses an agreement the union co-funds', () => {
    const coFunded = makeOffer({ unionShareBps: 1 });
    const v = evaluate(makeInput({ offline: true, offers: [coFunded] }));
    expect(v.eligible).toBe(false);
    expect(v.skipped).toMatchObject([{ agreementId: 'a-minmao', code: 'OFFLINE_UNION_FUNDED' }]);
    expect(v.reasons.map((r) => r.code)).toEqual(['NO_AGREEMENT']);
  });

  it('never consults the budget offline', () => {
    let asked = 0;
    const input = makeInput({ offline: true, offers: [wuyi] });
    evaluate({ ...input, remainingBudgetOf: () => (asked++, 1e9) });
    expect(asked).toBe(0);
  });
});

describe('choosing the best agreement', () => {
  const a95 = makeOffer({ id: 'a-95', version: 2, rule: { kind: 'percent_off', bps: 500 } });
  const a90 = makeOffer({ id: 'a-90', version: 5, rule: { kind: 'percent_off', bps: 1_000 } });
  const a80 = makeOffer({ id: 'a-80', version: 1, rule: { kind: 'percent_off', bps: 2_000 } });

  it('applies only the agreement that gives the member most and marks the others NOT_BEST', () => {
    const v = evaluate(makeInput({ amountFen: 10_000, offers: [a95, a80, a90] }));
    expect(v.lines).toHaveLength(1);
    expect(v.lines[0]).toMatchObject({ agreementId: 'a-80', agreementVersion: 1, discountFen: 2_000 });
    expect(v.skipped.map((s) => [s.agreementId, s.agreementVersion, s.code]).sort()).toEqual([
      ['a-90', 5, 'NOT_BEST'],
      ['a-95', 2, 'NOT_BEST'],
    ]);
  });

  it('breaks a tie by the lowest agreement id, whatever order the offers come in', () => {
    const x = makeOffer({ id: 'b-same', rule: { kind: 'percent_off', bps: 1_000 } });
    const y = makeOffer({ id: 'a-same', rule: { kind: 'percent_off', bps: 1_000 } });
    const z = makeOffer({ id: 'c-same', rule: { kind: 'threshold', thresholdFen: 1_000, reductionFen: 1_000 } });
    for (const offers of [
      [x, y, z],
      [z, y, x],
      [y, z, x],
    ]) {
      const v = evaluate(makeInput({ amountFen: 10_000, offers }));
      expect(v.lines.map((l) => l.agreementId)).toEqual(['a-same']);
      expect(v).toEqual(evaluate(makeInput({ amountFen: 10_000, offers: [x, y, z] })));
    }
  });

  it('a better agreement the member is not covered by does not hide a worse one that applies', () => {
    const better = makeOffer({ id: 'a-better', orgId: 'org-ld', rule: { kind: 'percent_off', bps: 5_000 } });
    const v = evaluate(makeInput({ amountFen: 10_000, offers: [better, a95] }));
    expect(v.lines.map((l) => l.agreementId)).toEqual(['a-95']);
    expect(codesOf(v)).toEqual([['a-better', 'NOT_COVERED']]);
  });

  it('picks the best campaign and stacks only one', () => {
    const c100 = makeCampaign({ id: 'c-100', rule: { kind: 'threshold', thresholdFen: 30_000, reductionFen: 10_000 } });
    const c200 = makeCampaign({ id: 'c-200', rule: { kind: 'threshold', thresholdFen: 30_000, reductionFen: 20_000 } });
    const v = evaluate(makeInput({ amountFen: 35_000, offers: [c200, minmao, c100] }));
    expect(v.lines.map((l) => l.agreementId)).toEqual(['a-minmao', 'c-200']);
    expect(codesOf(v)).toEqual([['c-100', 'NOT_BEST']]);
  });

  it('ignores ended offers entirely', () => {
    const ended = makeOffer({ id: 'a-ended', status: 'ended', rule: { kind: 'percent_off', bps: 5_000 } });
    const v = evaluate(makeInput({ offers: [ended, minmao] }));
    expect(v.discountFen).toBe(1_750);
    expect(v.skipped).toEqual([]);
  });
});

describe('reasons when nothing applies', () => {
  const outside = makeOffer({ id: 'a-outside', conditions: { weekdays: [7] } });
  const limited = makeOffer({ id: 'a-limited', conditions: { limits: { total: 1 } } });
  const elsewhere = makeOffer({ id: 'a-elsewhere', orgId: 'org-sczz' });
  const broke = makeCampaign({ id: 'c-broke' });

  it('answers NO_AGREEMENT when the merchant has no offers', () => {
    const v = evaluate(makeInput({ offers: [] }));
    expect(v).toMatchObject({ eligible: false, discountFen: 0, payableFen: 35_000, lines: [], skipped: [] });
    expect(v.reasons).toMatchObject([{ code: 'NO_AGREEMENT', message: expect.any(String), messageZh: '本店无适用的会员优惠' }]);
  });

  it('leads with LIMIT_REACHED over BUDGET_EXHAUSTED and OUTSIDE_WINDOW', () => {
    const v = evaluate(
      makeInput({
        offers: [outside, elsewhere, limited, broke],
        usage: { 'a-limited': ['2026-01-01T00:00:00Z'] },
        budgets: { 'c-broke': 0 },
      }),
    );
    expect(v.reasons).toMatchObject([{ code: 'LIMIT_REACHED', agreementId: 'a-limited' }]);
    expect(v.skipped.map((s) => s.code).sort()).toEqual(['BUDGET_EXHAUSTED', 'LIMIT_REACHED', 'NOT_COVERED', 'OUTSIDE_WINDOW']);
  });

  it('leads with BUDGET_EXHAUSTED over OUTSIDE_WINDOW', () => {
    const v = evaluate(makeInput({ offers: [outside, broke], budgets: { 'c-broke': 0 } }));
    expect(v.reasons.map((r) => r.code)).toEqual(['BUDGET_EXHAUSTED']);
  });

  it('leads with OUTSIDE_WINDOW over a union that is not covered', () => {
    const v = evaluate(makeInput({ offers: [elsewhere, outside] }));
    expect(v.reasons).toMatchObject([{ code: 'OUTSIDE_WINDOW', agreementId: 'a-outside' }]);
  });

  it('gives one headline reason and keeps every per-offer reason in skipped', () => {
    const v = evaluate(makeInput({ offers: [outside, elsewhere] }));
    expect(v.reasons).toHaveLength(1);
    expect(v.skipped).toHaveLength(2);
  });

  it('says nothing in reasons when a discount applies', () => {
    expect(evaluate(makeInput({ offers: [outside, minmao] })).reasons).toEqual([]);
  });
});

describe('quote lines', () => {
  it('cite the agreement id and the version that produced them', () => {
    const v3 = makeOffer({ version: 3 });
    const c7 = makeCampaign({ version: 7 });
    const v = evaluate(makeInput({ offers: [v3, c7] }));
    expect(v.lines.map((l) => [l.agreementId, l.agreementVersion])).toEqual([
      ['a-minmao', 3],
      ['c-wuyi', 7],
    ]);
  });

  it('cite the version in every skipped reason too', () => {
    const v = evaluate(makeInput({ memberOrgId: 'org-sczz', offers: [makeOffer({ version: 4 })] }));
    expect(v.skipped).toMatchObject([{ agreementId: 'a-minmao', agreementVersion: 4, code: 'NOT_COVERED' }]);
  });

  it('split funding so merchantFen + unionFen = discountFen, the union share rounded down', () => {
    const third = makeCampaign({ unionShareBps: 3_333, rule: { kind: 'percent_off', bps: 1_000 } });
    const v = evaluate(makeInput({ amountFen: 12_345, offers: [third] }));
    // 10 % of 12,345 = 1,234; the union pays floor(1,234 × 3,333 / 10,000) = 411; the merchant 823.
    expect(v.lines).toMatchObject([{ discountFen: 1_234, funding: { unionFen: 411, merchantFen: 823, campaignId: 'c-wuyi' } }]);
  });

  it('name a campaignId only on campaign lines', () => {
    const v = evaluate(makeInput({ offers: [minmao, wuyi] }));
    expect(lineOf(v, 'a-minmao')!.funding).not.toHaveProperty('campaignId');
    expect(lineOf(v, 'c-wuyi')!.funding.campaignId).toBe('c-wuyi');
  });
});

describe('unionShare', () => {
  it('gives the union the whole discount at 10,000 bps and none at 0', () => {
    expect(unionShare(20_000, 10_000)).toBe(20_000);
    expect(unionShare(20_000, 0)).toBe(0);
    expect(unionShare(Number.MAX_SAFE_INTEGER, 10_000)).toBe(Number.MAX_SAFE_INTEGER);
  });
  it('rounds a partial share down', () => {
    expect(unionShare(1_001, 5_000)).toBe(500);
  });
});

describe('checkConditions', () => {
  it('passes an offer whose conditions all hold', () => {
    expect(checkConditions(minmao, makeInput({ now: FRIDAY_SHANGHAI_MORNING }))).toBeNull();
  });
  it('checks who before where: a member not covered at a store not listed hears NOT_COVERED', () => {
    const o = makeOffer({ orgId: 'org-ld', conditions: { storeIds: ['s-minmao-2'] } });
    expect(checkConditions(o, makeInput())).toMatchObject({ code: 'NOT_COVERED', agreementId: 'a-minmao', agreementVersion: 1 });
  });
});
