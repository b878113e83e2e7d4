import { describe, expect, it } from 'vitest';
import { evaluate } from './rules/engine.ts';
import { makeCampaign, makeInput, makeOffer } from './rules/fixtures.ts';
import { fundedOfferOf, unionDraws, unionFenOwed } from './union-money.ts';
import type { Line } from './wire.ts';

const line = (o: Partial<Line> & Pick<Line, 'agreementId' | 'funding'>): Line => ({
  agreementVersion: 1,
  title: 't',
  discountFen: o.funding.merchantFen + o.funding.unionFen,
  ...o,
});

describe('union money, counted one way', () => {
  const lines = [
    line({ agreementId: 'a-co', funding: { merchantFen: 100, unionFen: 300 } }),
    line({ agreementId: 'c-wuyi', funding: { merchantFen: 0, unionFen: 2000, campaignId: 'c-wuyi' } }),
    line({ agreementId: 'a-plain', funding: { merchantFen: 500, unionFen: 0 } }),
  ];

  it('draws each union-funded line on its campaign, or on the co-funded agreement itself', () => {
    expect(lines.map(fundedOfferOf)).toEqual(['a-co', 'c-wuyi', 'a-plain']);
    expect(unionDraws({ status: 'committed', lines })).toEqual([
      { offerId: 'a-co', unionFen: 300 },
      { offerId: 'c-wuyi', unionFen: 2000 },
    ]);
  });

  it('counts only the offers a union settles, and nothing of a voided redemption', () => {
    expect(unionFenOwed({ status: 'committed', lines }, (id) => id === 'c-wuyi')).toBe(2000);
    expect(unionFenOwed({ status: 'voided', lines })).toBe(0);
  });
});

describe('the engine and union money', () => {
  it('grants no union money from an offer without a budget, whatever its kind', () => {
    const noBudget = makeOffer({ unionShareBps: 10000 });
    const v = evaluate(makeInput({ offers: [noBudget] }));
    expect(v.eligible).toBe(false);
    expect(v.skipped).toEqual([expect.objectContaining({ agreementId: 'a-minmao', code: 'BUDGET_EXHAUSTED' })]);
  });

  it('checks a co-funded agreement against its own budget, as a campaign', () => {
    const coFunded = makeOffer({ unionShareBps: 10000, budgetFen: 1000 });
    // 500 bps of 35,000 = 1,750 fen of union money: more than the 1,000 left.
    expect(evaluate(makeInput({ offers: [coFunded], budgets: { 'a-minmao': 1000 } })).eligible).toBe(false);
    expect(evaluate(makeInput({ offers: [coFunded], budgets: { 'a-minmao': 1750 } })).lines).toEqual([
      expect.objectContaining({ agreementId: 'a-minmao', funding: { merchantFen: 0, unionFen: 1750 } }),
    ]);
    expect(evaluate(makeInput({ offers: [makeCampaign({ budgetFen: undefined })] })).eligible).toBe(false);
  });
});
