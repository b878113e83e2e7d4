/** What one rule takes off a sale, before conditions, caps and funding. */
import { percentOf, type Fen } from '../money.ts';
import type { Rule } from '../domain.ts';
import type { Item } from '../wire.ts';

export type RuleOutcome = { ok: true; discountFen: Fen } | { ok: false; code: 'THRESHOLD_NOT_MET' | 'NO_QUALIFYING_ITEM'; detail: string };

export function ruleDiscount(rule: Rule, baseFen: Fen, items: readonly Item[] | undefined): RuleOutcome {
  switch (rule.kind) {
    case 'percent_off':
      return { ok: true, discountFen: percentOf(baseFen, rule.bps) };
    case 'threshold': {
      if (baseFen < rule.thresholdFen) return { ok: false, code: 'THRESHOLD_NOT_MET', detail: `${baseFen} < ${rule.thresholdFen} fen` };
      const times = rule.repeat ? Math.floor(baseFen / rule.thresholdFen) : 1;
      return { ok: true, discountFen: Math.min(baseFen, times * rule.reductionFen) };
    }
    case 'fixed_price': {
      let off = 0;
      for (const it of items ?? []) {
        if (it.sku === rule.sku && it.unitPriceFen > rule.priceFen) off += (it.unitPriceFen - rule.priceFen) * it.qty;
      }
      if (off === 0) return { ok: false, code: 'NO_QUALIFYING_ITEM', detail: `needs sku ${rule.sku} priced above ${rule.priceFen} fen` };
      return { ok: true, discountFen: Math.min(baseFen, off) };
    }
  }
}
