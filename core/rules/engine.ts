/**
 * The rules engine: given a member, a sale and the merchant's offers, what discount applies and why.
 * Pure: no clock, no storage. It "computes actions"; committing usage and budgets is the store's job.
 * Stacking (CONTRACT.md): the best single agreement, then at most one campaign, whose threshold is
 * tested against the amount after the agreement's discount.
 */
import { thresholdText } from './threshold-text.ts';
import { localParts, minutesOf } from '../local-time.ts';
import type { Offer } from '../domain.ts';
import { percentOf, type Fen } from '../money.ts';
import type { Item, Line } from '../wire.ts';
import { reason, type ReasonCode } from './reasons.ts';
import { ruleDiscount } from './rule-discount.ts';
import type { UsageCount } from './usage-count.ts';

export type EngineReason = ReturnType<typeof reason>;
export type Skipped = EngineReason & { agreementId: string; agreementVersion: number };

export interface EngineInput {
  now: Date;
  amountFen: Fen;
  items?: readonly Item[];
  storeId: string;
  /** The member's union followed by every union above it, nearest first. */
  memberOrgPath: readonly string[];
  /** Active offers (current versions) of the store's merchant. */
  offers: readonly Offer[];
  timeZoneOf: (orgId: string) => string;
  /** This member's committed, not voided uses of the offer: on the local day and month of `now` (the offer's union's zone), and in total. */
  usageOf: (offerId: string) => UsageCount;
  /** Union money still unspent in a campaign's budget. */
  remainingBudgetOf: (offerId: string) => Fen;
  /** Offline terminals cannot check budgets, so union-funded offers are refused there. */
  offline?: boolean;
}

export interface Verdict {
  eligible: boolean;
  reasons: EngineReason[];
  skipped: Skipped[];
  lines: Line[];
  amountFen: Fen;
  discountFen: Fen;
  payableFen: Fen;
}

type Applied = { offer: Offer; discountFen: Fen };

function skip(offer: Offer, code: ReasonCode, detail?: string): Skipped {
  return { ...reason(code, detail, offer.id), agreementId: offer.id, agreementVersion: offer.version };
}

/** Conditions that do not depend on the sale amount: who, where, when, how often. */
export function checkConditions(offer: Offer, input: EngineInput): Skipped | null {
  const c = offer.conditions;
  const path = input.memberOrgPath;
  if (!path.includes(offer.orgId)) return skip(offer, 'NOT_COVERED');
  if (c.memberOrgIds && !c.memberOrgIds.some((o) => path.includes(o))) return skip(offer, 'NOT_COVERED');
  if (c.storeIds && !c.storeIds.includes(input.storeId)) return skip(offer, 'STORE_NOT_COVERED');
  if (input.offline && offer.unionShareBps > 0) return skip(offer, 'OFFLINE_UNION_FUNDED');

  const tz = input.timeZoneOf(offer.orgId);
  const local = localParts(input.now, tz);
  if (c.validFrom && local.date < c.validFrom) return skip(offer, 'OUTSIDE_WINDOW', `starts ${c.validFrom} (${tz})`);
  if (c.validTo && local.date > c.validTo) return skip(offer, 'OUTSIDE_WINDOW', `ended ${c.validTo} (${tz})`);
  if (c.weekdays && !c.weekdays.includes(local.weekday)) {
    return skip(offer, 'OUTSIDE_WINDOW', `valid on ISO weekdays ${c.weekdays.join(',')}; today is ${local.weekday} (${tz})`);
  }
  if (c.hours) {
    const from = minutesOf(c.hours.from);
    const to = minutesOf(c.hours.to);
    const m = local.minuteOfDay;
    // A window such as 22:00–02:00 wraps past midnight.
    const inside = from <= to ? m >= from && m < to : m >= from || m < to;
    if (!inside) return skip(offer, 'OUTSIDE_WINDOW', `valid ${c.hours.from}–${c.hours.to} (${tz})`);
  }
  const limited = limitReached(offer, input.usageOf(offer.id));
  if (limited) return skip(offer, 'LIMIT_REACHED', limited);
  return null;
}

/**
 * Whether a member with these uses (counted for the day and month of the sale) may use the offer once
 * more; the limit's description when not. The store runs this again inside its commit, with its own
 * counters, so a race cannot exceed a limit.
 */
export function limitReached(offer: Offer, used: UsageCount): string | null {
  const limits = offer.conditions.limits;
  if (!limits) return null;
  if (limits.total !== undefined && used.total >= limits.total) return `${limits.total} in total`;
  if (limits.perDay !== undefined && used.day >= limits.perDay) return `${limits.perDay} a day`;
  if (limits.perMonth !== undefined && used.month >= limits.perMonth) return `${limits.perMonth} a month`;
  return null;
}

function tryOffer(offer: Offer, baseFen: Fen, input: EngineInput): Applied | Skipped {
  const blocked = checkConditions(offer, input);
  if (blocked) return blocked;
  const out = ruleDiscount(offer.rule, baseFen, input.items);
  if (!out.ok) return skip(offer, out.code, out.detail);
  let discountFen = out.discountFen;
  if (offer.conditions.maxDiscountFen !== undefined) discountFen = Math.min(discountFen, offer.conditions.maxDiscountFen);
  if (discountFen <= 0) return skip(offer, 'NO_QUALIFYING_ITEM', 'nothing to take off');
  // Every union-funded line draws on its offer's budget, whatever the offer's kind; union money without a
  // budget (refused by core/wire-offer.ts, but older data may hold one) is never granted.
  if (offer.unionShareBps > 0) {
    const unionFen = unionShare(discountFen, offer.unionShareBps);
    const remaining = offer.budgetFen === undefined ? 0 : input.remainingBudgetOf(offer.id);
    if (unionFen > remaining) return skip(offer, 'BUDGET_EXHAUSTED', `${remaining} fen left`);
  }
  return { offer, discountFen };
}

export function unionShare(discountFen: Fen, unionShareBps: number): Fen {
  return unionShareBps >= 10000 ? discountFen : percentOf(discountFen, unionShareBps);
}

function toLine(a: Applied): Line {
  const unionFen = unionShare(a.discountFen, a.offer.unionShareBps);
  return {
    agreementId: a.offer.id,
    agreementVersion: a.offer.version,
    title: a.offer.title,
    discountFen: a.discountFen,
    funding: {
      merchantFen: a.discountFen - unionFen,
      unionFen,
      ...(a.offer.kind === 'campaign' ? { campaignId: a.offer.id } : {}),
    },
  };
}

const isApplied = (x: Applied | Skipped): x is Applied => 'offer' in x;
const byId = (a: Offer, b: Offer) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.version - b.version);

/** Order in which a failed sale's reasons are reported: the most actionable first. */
const HEADLINE: ReasonCode[] = ['LIMIT_REACHED', 'BUDGET_EXHAUSTED', 'OUTSIDE_WINDOW'];

export function evaluate(input: EngineInput): Verdict {
  const active = input.offers.filter((o) => o.status === 'active').sort(byId);
  const skipped: Skipped[] = [];

  // 1. The single best agreement for the member (ties: the lowest id, so quotes are reproducible).
  let best: Applied | undefined;
  for (const offer of active.filter((o) => o.kind === 'agreement')) {
    const r = tryOffer(offer, input.amountFen, input);
    if (!isApplied(r)) skipped.push(r);
    else if (!best || r.discountFen > best.discountFen) {
      if (best) skipped.push(skip(best.offer, 'NOT_BEST'));
      best = r;
    } else skipped.push(skip(offer, 'NOT_BEST'));
  }
  const afterAgreement = input.amountFen - (best?.discountFen ?? 0);

  // 2. At most one campaign, judged on what is left to pay.
  let campaign: Applied | undefined;
  for (const offer of active.filter((o) => o.kind === 'campaign')) {
    const r = tryOffer(offer, afterAgreement, input);
    if (!isApplied(r)) skipped.push(r);
    else if (!campaign || r.discountFen > campaign.discountFen) {
      if (campaign) skipped.push(skip(campaign.offer, 'NOT_BEST'));
      campaign = r;
    } else skipped.push(skip(offer, 'NOT_BEST'));
  }

  // A 满减 missed after the agreement's discount: say by how much, in figures (only on a miss, so cheap).
  if (!campaign)
    for (const sk of skipped)
      if (sk.code === 'THRESHOLD_NOT_MET') {
        const offer = active.find((o) => o.id === sk.agreementId && o.kind === 'campaign');
        const text = offer && thresholdText(offer, best?.offer, input.amountFen, input.items);
        if (text) Object.assign(sk, text);
      }

  const applied = [best, campaign].filter((a): a is Applied => a !== undefined);
  const lines = applied.map(toLine);
  const discountFen = lines.reduce((s, l) => s + l.discountFen, 0);
  const eligible = lines.length > 0;
  const reasons: EngineReason[] = [];
  if (!eligible) {
    const code = HEADLINE.find((c) => skipped.some((s) => s.code === c));
    const first = code ? skipped.find((s) => s.code === code) : undefined;
    reasons.push(first ? reason(code!, undefined, first.agreementId) : reason('NO_AGREEMENT'));
  }
  return { eligible, reasons, skipped, lines, amountFen: input.amountFen, discountFen, payableFen: input.amountFen - discountFen };
}
