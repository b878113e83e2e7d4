/**
 * Why a 满减 campaign did not apply, with the figures: "会员9.5折后 ¥285.00，未满 ¥300.00，再消费 ¥15.79 可享
 * 工会五一满300减200". The threshold is tested after the merchant discount (CONTRACT.md stacking), which a
 * cashier cannot see from the sale amount alone.
 */
import { formatYuan, type Fen } from '../money.ts';
import type { Offer } from '../domain.ts';
import type { Item } from '../wire.ts';
import { ruleDiscount } from './rule-discount.ts';

export interface ThresholdText {
  message: string;
  messageZh: string;
}

/** What the best agreement leaves to pay on a sale of `amountFen`, capped as the engine caps it. */
function leftAfter(agreement: Offer | undefined, amountFen: Fen, items: readonly Item[] | undefined): Fen {
  if (!agreement) return amountFen;
  const out = ruleDiscount(agreement.rule, amountFen, items);
  const off = out.ok ? Math.min(out.discountFen, agreement.conditions.maxDiscountFen ?? Number.MAX_SAFE_INTEGER) : 0;
  return amountFen - off;
}

export function thresholdText(
  campaign: Offer,
  agreement: Offer | undefined,
  amountFen: Fen,
  items: readonly Item[] | undefined,
): ThresholdText | undefined {
  if (campaign.rule.kind !== 'threshold') return undefined;
  const threshold = campaign.rule.thresholdFen;
  const base = leftAfter(agreement, amountFen, items);
  // The smallest sale whose remainder reaches the threshold: what is left grows with the sale, so bisect.
  let lo = amountFen;
  let hi = amountFen + 2 * threshold + 100;
  if (leftAfter(agreement, hi, items) < threshold) return undefined;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (leftAfter(agreement, mid, items) >= threshold) hi = mid;
    else lo = mid + 1;
  }
  const more = lo - amountFen;
  const after = agreement ? `${agreement.title}后 ` : '';
  const afterEn = agreement ? ` after ${agreement.titleEn ?? agreement.title}` : '';
  return {
    messageZh: `${after}${formatYuan(base)}，未满 ${formatYuan(threshold)}，再消费 ${formatYuan(more)} 可享${campaign.title}`,
    message: `${formatYuan(base)}${afterEn} is below the ${formatYuan(threshold)} threshold; ${formatYuan(more)} more reaches ${campaign.titleEn ?? campaign.title}.`,
  };
}
