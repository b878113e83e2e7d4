/** Offers described the way members read them: 9.5折, 满300减200, 洗车9元. */
import type { Offer, Rule } from '../../../core/domain.ts';
import { formatYuan } from '../../../core/money.ts';

const plainYuan = (fen: number) => (fen % 100 === 0 ? String(fen / 100) : (fen / 100).toFixed(2));

export function ruleZh(rule: Rule): string {
  switch (rule.kind) {
    case 'percent_off': {
      const zhe = (10000 - rule.bps) / 1000;
      return `${zhe}折`;
    }
    case 'threshold':
      return `满${plainYuan(rule.thresholdFen)}减${plainYuan(rule.reductionFen)}${rule.repeat ? '（上不封顶）' : ''}`;
    case 'fixed_price':
      return `特价${plainYuan(rule.priceFen)}元`;
  }
}

export function ruleEn(rule: Rule): string {
  switch (rule.kind) {
    case 'percent_off':
      return `${rule.bps / 100}% off`;
    case 'threshold':
      return `${formatYuan(rule.reductionFen)} off ${formatYuan(rule.thresholdFen)}${rule.repeat ? ', per multiple' : ''}`;
    case 'fixed_price':
      return `${rule.sku} for ${formatYuan(rule.priceFen)}`;
  }
}

const WD = ['', '一', '二', '三', '四', '五', '六', '日'];
export function conditionsZh(o: Offer): string[] {
  const c = o.conditions;
  const out: string[] = [];
  if (c.validFrom || c.validTo) out.push(`有效期 ${c.validFrom ?? '…'} 至 ${c.validTo ?? '…'}`);
  if (c.weekdays) out.push(`每周${c.weekdays.map((d) => WD[d]).join('、')}`);
  if (c.hours) out.push(`${c.hours.from}–${c.hours.to}`);
  if (c.limits?.perDay) out.push(`每人每天 ${c.limits.perDay} 次`);
  if (c.limits?.perMonth) out.push(`每人每月 ${c.limits.perMonth} 次`);
  if (c.limits?.total) out.push(`每人共 ${c.limits.total} 次`);
  if (c.maxDiscountFen !== undefined) out.push(`最多优惠 ${formatYuan(c.maxDiscountFen)}`);
  if (c.storeIds) out.push(`限门店 ${c.storeIds.join('、')}`);
  return out;
}
