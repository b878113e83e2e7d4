/**
 * "Discounts honoured": recompute each redemption from the agreement versions it cites, with the same
 * rule arithmetic as the engine, and list every difference. Pure: the caller looks the versions up.
 */
import type { Offer } from '../domain.ts';
import { formatYuan, percentOf } from '../money.ts';
import { unionShare } from '../rules/engine.ts';
import { ruleDiscount } from '../rules/rule-discount.ts';
import type { Redemption } from '../wire.ts';
import type { RecomputeMismatch, RecomputeReport } from '../wire-portal.ts';

export type VersionLookup = (agreementId: string, version: number) => Offer | undefined;

type Recomputable = Pick<Redemption, 'id' | 'amountFen' | 'discountFen' | 'payableFen' | 'lines' | 'items'>;

const yuan = (n: number) => formatYuan(n);

/** The discount the cited rule gives on a base; undefined when it needs the sale's items and they were not recorded. */
export function expectedDiscount(offer: Offer, baseFen: number, items?: Redemption['items']): { fen: number; why: string } | undefined {
  const rule = offer.rule;
  if (rule.kind === 'fixed_price' && !items) return undefined;
  const out = ruleDiscount(rule, baseFen, items);
  let fen = out.ok ? out.discountFen : 0;
  const cap = offer.conditions.maxDiscountFen;
  if (cap !== undefined) fen = Math.min(fen, cap);
  const why =
    rule.kind === 'percent_off'
      ? `${rule.bps} bps off ${yuan(baseFen)} = ${yuan(percentOf(baseFen, rule.bps))}${cap !== undefined ? `, capped at ${yuan(cap)}` : ''}`
      : rule.kind === 'fixed_price'
        ? `${rule.sku} at ${yuan(rule.priceFen)} on the recorded items`
        : out.ok
          ? `${yuan(rule.reductionFen)} off at ${yuan(rule.thresholdFen)}${rule.repeat ? ' per multiple' : ''} on ${yuan(baseFen)}`
          : `${yuan(baseFen)} does not reach the ${yuan(rule.thresholdFen)} threshold`;
  return { fen, why };
}

export function recomputeOne(r: Recomputable, lookup: VersionLookup): { mismatches: RecomputeMismatch[]; boundsOnly: number } {
  const out: RecomputeMismatch[] = [];
  let boundsOnly = 0;
  const miss = (m: Omit<RecomputeMismatch, 'redemptionId'>) => out.push({ redemptionId: r.id, ...m });

  const sum = r.lines.reduce((s, l) => s + l.discountFen, 0);
  if (sum !== r.discountFen) {
    miss({
      field: 'discountFen',
      expected: sum,
      actual: r.discountFen,
      explanation: `the lines add up to ${yuan(sum)} but the redemption records ${yuan(r.discountFen)} off`,
      explanationZh: `各行优惠合计 ${yuan(sum)}，但记录的优惠为 ${yuan(r.discountFen)}`,
    });
  }
  if (r.payableFen !== r.amountFen - r.discountFen) {
    miss({
      field: 'payableFen',
      expected: r.amountFen - r.discountFen,
      actual: r.payableFen,
      explanation: `payable should be ${yuan(r.amountFen)} − ${yuan(r.discountFen)}`,
      explanationZh: `应付应为 ${yuan(r.amountFen)} − ${yuan(r.discountFen)}`,
    });
  }
  if (r.discountFen > r.amountFen) {
    miss({
      field: 'discountFen',
      expected: r.amountFen,
      actual: r.discountFen,
      explanation: 'the discount exceeds the sale',
      explanationZh: '优惠金额超过消费金额',
    });
  }

  // The engine applies the agreement to the whole sale, then the campaign to what is left (CONTRACT.md).
  let agreementFen = 0;
  const ordered = [...r.lines].sort((a, b) => Number(!!a.funding.campaignId) - Number(!!b.funding.campaignId));
  for (const line of ordered) {
    const offer = lookup(line.agreementId, line.agreementVersion);
    const cite = { agreementId: line.agreementId, agreementVersion: line.agreementVersion };
    if (!offer) {
      miss({
        ...cite,
        field: 'agreementVersion',
        expected: 'a recorded version',
        actual: `${line.agreementId}@${line.agreementVersion}`,
        explanation: 'the cited agreement version does not exist',
        explanationZh: '引用的协议版本不存在',
      });
      continue;
    }
    const isCampaign = offer.kind === 'campaign';
    const base = isCampaign ? r.amountFen - agreementFen : r.amountFen;
    if (!isCampaign) agreementFen += line.discountFen;
    const exp = expectedDiscount(offer, base, r.items);
    if (!exp) {
      boundsOnly++;
      if (line.discountFen > base) {
        miss({
          ...cite,
          field: 'lines.discountFen',
          expected: base,
          actual: line.discountFen,
          explanation: `a fixed-price line cannot take off more than ${yuan(base)}`,
          explanationZh: `特价优惠不能超过 ${yuan(base)}`,
        });
      }
    } else if (exp.fen !== line.discountFen) {
      miss({
        ...cite,
        field: 'lines.discountFen',
        expected: exp.fen,
        actual: line.discountFen,
        explanation: `version ${offer.version} gives ${yuan(exp.fen)} (${exp.why}); recorded ${yuan(line.discountFen)}`,
        explanationZh: `按第 ${offer.version} 版应优惠 ${yuan(exp.fen)}，记录为 ${yuan(line.discountFen)}`,
      });
    }
    const unionFen = unionShare(line.discountFen, offer.unionShareBps);
    if (line.funding.unionFen !== unionFen || line.funding.merchantFen !== line.discountFen - unionFen) {
      miss({
        ...cite,
        field: 'lines.funding',
        expected: `union ${unionFen} / merchant ${line.discountFen - unionFen}`,
        actual: `union ${line.funding.unionFen} / merchant ${line.funding.merchantFen}`,
        explanation: `version ${offer.version} has the union pay ${offer.unionShareBps / 100}% of ${yuan(line.discountFen)}`,
        explanationZh: `按第 ${offer.version} 版，工会应承担 ${yuan(unionFen)}，商家 ${yuan(line.discountFen - unionFen)}`,
      });
    }
    if (isCampaign !== !!line.funding.campaignId || (isCampaign && line.funding.campaignId !== offer.id)) {
      miss({
        ...cite,
        field: 'lines.funding.campaignId',
        expected: isCampaign ? offer.id : '',
        actual: line.funding.campaignId ?? '',
        explanation: 'the campaign named in the funding does not match the cited offer',
        explanationZh: '资金来源中的活动与引用的协议不符',
      });
    }
  }
  return { mismatches: out, boundsOnly };
}

export function recomputeAll(rs: Iterable<Recomputable>, lookup: VersionLookup): RecomputeReport {
  let checked = 0;
  let boundsOnly = 0;
  const mismatches: RecomputeMismatch[] = [];
  for (const r of rs) {
    checked++;
    const one = recomputeOne(r, lookup);
    boundsOnly += one.boundsOnly;
    mismatches.push(...one.mismatches);
  }
  return { checked, boundsOnly, mismatches };
}
