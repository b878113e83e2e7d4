/** A terminal's question: is this member eligible here, and what is the discount? */
import { randomUUID } from 'node:crypto';
import { maskMemberNo, maskName } from '../../core/mask.ts';
import { evaluate } from '../../core/rules/engine.ts';
import { reason } from '../../core/rules/reasons.ts';
import { NO_USES } from '../../core/rules/usage-count.ts';
import type { Quote, QuoteRequest } from '../../core/wire.ts';
import type { AppContext } from '../context.ts';
import type { Actor } from '../http/auth.ts';
import { pathOf } from './scope.ts';
import { resolveMember } from './resolve-member.ts';

export async function createQuote(ctx: AppContext, actor: Extract<Actor, { kind: 'terminal' }>, req: QuoteRequest): Promise<Quote> {
  const now = ctx.now();
  const expiresMs = now.getTime() + ctx.quoteTtlSeconds * 1000;
  const base = {
    quoteId: `q-${randomUUID()}`,
    expiresAt: new Date(expiresMs).toISOString(),
    amountFen: req.amountFen,
  };
  const who = await resolveMember(ctx, req.credential.type, req.credential.data);
  const memberView = who.member ? { maskedName: maskName(who.member.name), memberNoMasked: maskMemberNo(who.member.memberNo) } : undefined;
  const shared = {
    terminalId: actor.terminal.id,
    storeId: actor.shop.id,
    merchantId: actor.shop.merchantId,
    credentialType: req.credential.type,
    expiresMs,
    ...(req.items ? { items: req.items } : {}),
    ...(who.cardLast4 ? { cardLast4: who.cardLast4 } : {}),
  };
  if (!who.ok) {
    const quote: Quote = {
      ...base,
      eligible: false,
      ...(memberView ? { member: memberView } : {}),
      reasons: [reason(who.code, who.detail)],
      skipped: [],
      lines: [],
      discountFen: 0,
      payableFen: req.amountFen,
    };
    ctx.quotes.put({ quote, ...shared });
    return quote;
  }
  const { member } = who;
  const [orgs, offers] = await Promise.all([ctx.store.orgs(), ctx.store.activeOffers(actor.shop.merchantId)]);
  const usage = await ctx.store.usage(member.id, offers.filter((o) => o.conditions.limits).map((o) => o.id), now);
  const budgets = new Map<string, number>();
  for (const o of offers) if (o.budgetFen !== undefined) budgets.set(o.id, await ctx.store.remainingBudget(o.id));
  const tz = new Map(orgs.map((o) => [o.id, o.timeZone]));
  const verdict = evaluate({
    now,
    amountFen: req.amountFen,
    ...(req.items ? { items: req.items } : {}),
    storeId: actor.shop.id,
    memberOrgPath: pathOf(orgs, member.orgId),
    offers,
    timeZoneOf: (id) => tz.get(id) ?? 'Asia/Shanghai',
    usageOf: (id) => usage.get(id) ?? NO_USES,
    remainingBudgetOf: (id) => budgets.get(id) ?? 0,
  });
  const quote: Quote = { ...base, ...verdict, member: memberView! };
  ctx.quotes.put({
    quote,
    ...shared,
    memberId: member.id,
    memberOrgId: member.orgId,
    memberNoMasked: memberView!.memberNoMasked,
    ...(who.card ? { cardId: who.card.id } : {}),
    ...(who.qrNonce ? { qrNonce: who.qrNonce } : {}),
  });
  return quote;
}
