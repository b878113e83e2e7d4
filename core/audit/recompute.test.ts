import { describe, expect, it } from 'vitest';
import { evaluate } from '../rules/engine.ts';
import { makeCampaign, makeInput, makeOffer } from '../rules/fixtures.ts';
import type { Offer } from '../domain.ts';
import { recomputeAll, recomputeOne } from './recompute.ts';

const agreement = makeOffer();
const campaign = makeCampaign();
const v2 = makeOffer({ version: 2, rule: { kind: 'percent_off', bps: 1000 } });
const fixed = makeOffer({ id: 'a-carwash', rule: { kind: 'fixed_price', sku: 'carwash', priceFen: 900 } });
const versions: Offer[] = [agreement, campaign, v2, fixed];
const lookup = (id: string, v: number) => versions.find((o) => o.id === id && o.version === v);

function redemptionFor(amountFen: number, offers: Offer[] = [agreement, campaign]) {
  const v = evaluate(makeInput({ amountFen, offers }));
  return { id: `rd-${amountFen}`, amountFen, discountFen: v.discountFen, payableFen: v.payableFen, lines: v.lines };
}

describe('recompute', () => {
  it('finds nothing wrong with what the engine computed, at and around the campaign threshold', () => {
    const rs = [100, 31_577, 31_578, 35_000, 1_000_000, 7].map((a) => redemptionFor(a));
    // 31,578 − floor(5% of it) = 30,000 reaches the threshold; 31,577 leaves 29,999.
    expect(rs.find((r) => r.amountFen === 31_578)!.lines).toHaveLength(2);
    expect(rs.find((r) => r.amountFen === 31_577)!.lines).toHaveLength(1);
    expect(recomputeAll(rs, lookup)).toEqual({ checked: 6, boundsOnly: 0, mismatches: [] });
  });

  it('flags a line that took more than its cited version gives, and names the version', () => {
    const r = redemptionFor(35_000);
    r.lines[0]!.discountFen += 100;
    r.lines[0]!.funding.merchantFen += 100;
    r.discountFen += 100;
    r.payableFen -= 100;
    const { mismatches } = recomputeOne(r, lookup);
    expect(mismatches).toHaveLength(1);
    expect(mismatches[0]).toMatchObject({
      agreementId: 'a-minmao',
      agreementVersion: 1,
      field: 'lines.discountFen',
      expected: 1750,
      actual: 1850,
    });
    expect(mismatches[0]!.explanation).toContain('version 1 gives ¥17.50');
  });

  it('judges each line by the version it cites, not the current one', () => {
    const r = redemptionFor(10_000, [v2]);
    expect(r.lines[0]).toMatchObject({ agreementVersion: 2, discountFen: 1000 });
    expect(recomputeOne(r, lookup).mismatches).toEqual([]);
    r.lines[0]!.agreementVersion = 1;
    expect(recomputeOne(r, lookup).mismatches[0]).toMatchObject({ expected: 500, actual: 1000 });
  });

  it('flags wrong funding splits, wrong totals and unknown versions', () => {
    const r = redemptionFor(35_000);
    r.lines[1]!.funding = { merchantFen: 20_000, unionFen: 0, campaignId: 'c-wuyi' };
    r.payableFen += 1;
    const fields = recomputeOne(r, lookup).mismatches.map((m) => m.field);
    expect(fields).toEqual(['payableFen', 'lines.funding']);
    const ghost = { ...redemptionFor(35_000), id: 'x' };
    ghost.lines[0]!.agreementVersion = 9;
    expect(recomputeOne(ghost, lookup).mismatches.map((m) => m.field)).toContain('agreementVersion');
  });

  it('checks only the bounds of fixed-price lines, whose items are not recorded', () => {
    const ok = {
      id: 'w',
      amountFen: 3000,
      discountFen: 2100,
      payableFen: 900,
      lines: [
        { agreementId: 'a-carwash', agreementVersion: 1, title: 'x', discountFen: 2100, funding: { merchantFen: 2100, unionFen: 0 } },
      ],
    };
    expect(recomputeOne(ok, lookup)).toEqual({ mismatches: [], boundsOnly: 1 });
    const over = { ...ok, amountFen: 2000, payableFen: -100 };
    expect(recomputeOne(over, lookup).mismatches.map((m) => m.field)).toContain('lines.discountFen');
  });

  it('recomputes fixed-price lines from the recorded items', () => {
    const line = {
      agreementId: 'a-carwash',
      agreementVersion: 1,
      title: 'x',
      discountFen: 2100,
      funding: { merchantFen: 2100, unionFen: 0 },
    };
    const ok = {
      id: 'w',
      amountFen: 3000,
      discountFen: 2100,
      payableFen: 900,
      lines: [line],
      items: [{ sku: 'carwash', qty: 1, unitPriceFen: 3000 }],
    };
    expect(recomputeOne(ok, lookup)).toEqual({ mismatches: [], boundsOnly: 0 });
    // Two washes at ¥30 were rung up, but ¥42 off was recorded for one: the items say ¥21.
    const wrong = {
      ...ok,
      amountFen: 6000,
      discountFen: 4200,
      payableFen: 1800,
      lines: [{ ...line, discountFen: 4200, funding: { merchantFen: 4200, unionFen: 0 } }],
      items: [{ sku: 'carwash', qty: 1, unitPriceFen: 3000 }],
    };
    expect(recomputeOne(wrong, lookup).mismatches).toContainEqual(
      expect.objectContaining({ field: 'lines.discountFen', expected: 2100, actual: 4200 }),
    );
  });
});
