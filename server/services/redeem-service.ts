/** Commit a quote as a redemption: idempotent per key, durable before it answers, budgets exact. */
import { AppError } from '../../core/errors.ts';
import { memberRefusal } from '../../core/rules/eligibility.ts';
import { limitReached } from '../../core/rules/engine.ts';
import type { Redemption, RedemptionRequest } from '../../core/wire.ts';
import type { AppContext } from '../context.ts';
import type { Actor } from '../http/auth.ts';

export type RedeemOutcome = { status: 201 | 200; redemption: Redemption };

export async function redeem(ctx: AppContext, actor: Extract<Actor, { kind: 'terminal' }>, req: RedemptionRequest): Promise<RedeemOutcome> {
  // A retry after a restart finds its redemption by key even though the quote itself is gone.
  const replay = async (): Promise<RedeemOutcome | undefined> => {
    const prior = await ctx.store.redemptionByKey(req.idempotencyKey);
    if (!prior) return undefined;
    if (prior.quoteId !== req.quoteId) throw new AppError('IDEMPOTENCY_CONFLICT');
    if (prior.terminalId !== actor.terminal.id) throw new AppError('IDEMPOTENCY_CONFLICT');
    const { quoteId: _q, ...redemption } = prior;
    return { status: 200, redemption };
  };
  const prior = await replay();
  if (prior) return prior;
  const q = await ctx.quotes.get(req.quoteId);
  if (!q || q.terminalId !== actor.terminal.id) {
    // A concurrent retry of the same key may have committed and taken the quote since the check above.
    const late = await replay();
    if (late) return late;
    throw new AppError('QUOTE_NOT_FOUND');
  }
  const now = ctx.now();
  if (now.getTime() > q.expiresMs) throw new AppError('QUOTE_EXPIRED');
  if (!q.eligible || !q.memberId) throw new AppError('QUOTE_NOT_ELIGIBLE');

  // The card may have been reported lost since the quote: refuse within the quote's lifetime too.
  const [member, card] = await Promise.all([ctx.store.member(q.memberId), q.cardId ? ctx.store.card(q.cardId) : undefined]);
  const refusal = memberRefusal(member, card);
  if (refusal) throw new AppError('CARD_REFUSED', undefined, { reason: refusal });

  const result = await ctx.store.commitRedemption(
    {
      idempotencyKey: req.idempotencyKey,
      quoteId: req.quoteId,
      memberId: q.memberId,
      memberOrgId: q.memberOrgId!,
      merchantId: q.merchantId,
      storeId: q.storeId,
      terminalId: q.terminalId,
      memberNoMasked: q.memberNoMasked!,
      credentialType: q.credentialType,
      ...(q.cardLast4 ? { cardLast4: q.cardLast4 } : {}),
      amountFen: q.amountFen,
      discountFen: q.discountFen,
      payableFen: q.payableFen,
      lines: q.lines,
      ...(q.items ? { items: q.items } : {}),
      createdAt: now.toISOString(),
      offline: false,
      ...(q.qrNonce ? { qrNonce: q.qrNonce } : {}),
    },
    (offer, used) => limitReached(offer, used),
  );
  if (result.kind === 'refused') throw new AppError(result.code, undefined, { detail: result.message });
  // Honoured once: a retry finds its redemption by key, and the table gets its room back now, not at expiry.
  await ctx.quotes.take(req.quoteId);
  if (result.kind === 'created') ctx.realtime.redemptionCommitted(result.redemption);
  return { status: result.kind === 'created' ? 201 : 200, redemption: result.redemption };
}
