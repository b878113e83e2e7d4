/** A terminal's question: is this member eligible here, and what is the discount? */
import { randomFillSync } from 'node:crypto';
import type { Offer, Org } from '../../core/domain.ts';
import { AppError } from '../../core/errors.ts';
import { maskMemberNo, maskName } from '../../core/mask.ts';
import { pathOf } from '../../core/org-tree.ts';
import { evaluate } from '../../core/rules/engine.ts';
import { reason } from '../../core/rules/reasons.ts';
import { NO_USES } from '../../core/rules/usage-count.ts';
import type { Quote, QuoteRequest } from '../../core/wire.ts';
import type { AppContext } from '../context.ts';
import type { Actor } from '../http/auth.ts';
import type { QuoteRecord } from '../store/quote-store.ts';
import { resolveMember } from './resolve-member.ts';

/**
 * What the engine asks of a merchant's offers on every quote, worked out once per offer list and union
 * tree. Keyed by the identity of the arrays the store returns: the embedded store hands out the same
 * arrays until its reference data changes, so a change is seen by the next quote; a backend that
 * returns fresh arrays each time simply gets no reuse.
 */
interface MerchantPlan {
  offers: readonly Offer[];
  limitedIds: readonly string[];
  budgetedIds: readonly string[];
  timeZoneOf: (orgId: string) => string;
  pathOf: (orgId: string) => readonly string[];
}

const plans = new WeakMap<readonly Org[], WeakMap<readonly Offer[], MerchantPlan>>();

function planFor(orgs: readonly Org[], offers: readonly Offer[]): MerchantPlan {
  let byOffers = plans.get(orgs);
  if (!byOffers) plans.set(orgs, (byOffers = new WeakMap()));
  let plan = byOffers.get(offers);
  if (!plan) {
    const tz = new Map(orgs.map((o) => [o.id, o.timeZone]));
    const paths = new Map<string, readonly string[]>();
    plan = {
      offers,
      limitedIds: offers.filter((o) => o.conditions.limits).map((o) => o.id),
      budgetedIds: offers.filter((o) => o.budgetFen !== undefined).map((o) => o.id),
      timeZoneOf: (id) => tz.get(id) ?? 'Asia/Shanghai',
      pathOf: (orgId) => {
        let p = paths.get(orgId);
        if (!p) paths.set(orgId, (p = pathOf(orgs as Org[], orgId)));
        return p;
      },
    };
    byOffers.set(offers, plan);
  }
  return plan;
}

/**
 * A quote id: 128 random bits as base64url, from a pooled buffer. Why not randomUUID: measured here, a
 * string from randomUUID keeps about 500 bytes of heap alive (half of an outstanding quote's cost); this
 * one about 60.
 */
const ID_BYTES = 16;
const POOL = Buffer.alloc(ID_BYTES * 1024);
let poolAt = POOL.length;
function newQuoteId(): string {
  if (poolAt === POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  poolAt += ID_BYTES;
  return `q-${POOL.toString('base64url', poolAt - ID_BYTES, poolAt)}`;
}

export async function createQuote(ctx: AppContext, actor: Extract<Actor, { kind: 'terminal' }>, req: QuoteRequest): Promise<Quote> {
  const now = ctx.now();
  const expiresMs = now.getTime() + ctx.quoteTtlSeconds * 1000;
  const quoteId = newQuoteId();
  const expiresAt = new Date(expiresMs).toISOString();
  const who = await resolveMember(ctx, req.credential.type, req.credential.data);
  const memberView = who.member ? { maskedName: maskName(who.member.name), memberNoMasked: maskMemberNo(who.member.memberNo) } : undefined;
  const rec: QuoteRecord = {
    quoteId,
    terminalId: actor.terminal.id,
    storeId: actor.shop.id,
    merchantId: actor.shop.merchantId,
    expiresMs,
    eligible: false,
    credentialType: req.credential.type,
    amountFen: req.amountFen,
    discountFen: 0,
    payableFen: req.amountFen,
    lines: [],
  };
  if (!who.ok) {
    await keep(ctx, rec);
    return {
      quoteId,
      expiresAt,
      amountFen: req.amountFen,
      eligible: false,
      ...(memberView ? { member: memberView } : {}),
      reasons: [reason(who.code, who.detail)],
      skipped: [],
      lines: [],
      discountFen: 0,
      payableFen: req.amountFen,
    };
  }
  const { member } = who;
  const [orgs, offers] = await Promise.all([ctx.store.orgs(), ctx.store.activeOffers(actor.shop.merchantId)]);
  const plan = planFor(orgs, offers);
  const usage = plan.limitedIds.length ? await ctx.store.usage(member.id, plan.limitedIds, now) : undefined;
  const budgets = new Map<string, number>();
  for (const id of plan.budgetedIds) budgets.set(id, await ctx.store.remainingBudget(id));
  const verdict = evaluate({
    now,
    amountFen: req.amountFen,
    ...(req.items ? { items: req.items } : {}),
    storeId: actor.shop.id,
    memberOrgPath: plan.pathOf(member.orgId),
    offers: plan.offers,
    timeZoneOf: plan.timeZoneOf,
    usageOf: (id) => usage?.get(id) ?? NO_USES,
    remainingBudgetOf: (id) => budgets.get(id) ?? 0,
  });
  // One object literal of one shape: built in steps, a record fell into dictionary mode and doubled in size.
  const kept: QuoteRecord = verdict.eligible
    ? {
        quoteId,
        terminalId: rec.terminalId,
        storeId: rec.storeId,
        merchantId: rec.merchantId,
        expiresMs,
        eligible: true,
        credentialType: rec.credentialType,
        memberId: member.id,
        memberOrgId: member.orgId,
        memberNoMasked: memberView!.memberNoMasked,
        ...(who.card ? { cardId: who.card.id } : {}),
        ...(who.cardLast4 ? { cardLast4: who.cardLast4 } : {}),
        ...(who.qrNonce ? { qrNonce: who.qrNonce } : {}),
        ...(req.items ? { items: req.items } : {}),
        amountFen: req.amountFen,
        discountFen: verdict.discountFen,
        payableFen: verdict.payableFen,
        lines: verdict.lines,
      }
    : rec;
  await keep(ctx, kept);
  return { quoteId, expiresAt, ...verdict, member: memberView! };
}

/** A quote the table has no room for is refused outright: a promise the server could not keep is never shown. */
async function keep(ctx: AppContext, rec: QuoteRecord): Promise<void> {
  if ((await ctx.quotes.put(rec)) === 'full') throw new AppError('QUOTES_FULL');
}
