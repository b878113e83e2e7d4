import { describe, expect, it } from 'vitest';
import { evaluate } from './engine.ts';
import { makeCampaign, makeInput, makeOffer } from './fixtures.ts';

const minmao = makeOffer({ title: '会员9.5折', titleEn: '5% off' });
const wuyi = makeCampaign({ title: '工会五一满300减200', titleEn: 'Union May Day 200 off 300' });

describe('a missed 满减 threshold explained with figures', () => {
  it('says what is left after the agreement, the threshold, and how much more sale reaches it', () => {
    const v = evaluate(makeInput({ amountFen: 30_000, offers: [minmao, wuyi] }));
    const miss = v.skipped.find((s) => s.code === 'THRESHOLD_NOT_MET')!;
    expect(miss.messageZh).toBe('会员9.5折后 ¥285.00，未满 ¥300.00，再消费 ¥15.78 可享工会五一满300减200');
    expect(miss.message).toBe('¥285.00 after 5% off is below the ¥300.00 threshold; ¥15.78 more reaches Union May Day 200 off 300.');
    // The figure is exact: ¥315.78 reaches the threshold after 9.5折, one fen less does not.
    expect(evaluate(makeInput({ amountFen: 31_578, offers: [minmao, wuyi] })).lines.map((l) => l.agreementId)).toContain(wuyi.id);
    expect(evaluate(makeInput({ amountFen: 31_577, offers: [minmao, wuyi] })).lines.map((l) => l.agreementId)).not.toContain(wuyi.id);
  });

  it('without an agreement, says the sale itself is short', () => {
    const miss = evaluate(makeInput({ amountFen: 29_000, offers: [wuyi] })).skipped[0]!;
    expect(miss.messageZh).toBe('¥290.00，未满 ¥300.00，再消费 ¥10.00 可享工会五一满300减200');
  });
});
