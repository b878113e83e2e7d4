/**
 * Redemptions a terminal made while offline, uploaded with their idempotency keys. Each is accepted,
 * accepted with flags, or rejected, with reasons. Every sale is recomputed with the offer versions it
 * cites (the engine the terminal ran offline), and what cannot be true is rejected, never stored as sent:
 * union money, another merchant's offer, an unknown member, and any line or total that is not what those
 * versions give for this sale (DISCOUNT_MISMATCH). What the terminal could not know (a card lost
 * meanwhile, uses at other terminals) is flagged.
 */
import { evaluate, limitReached } from '../../core/rules/engine.ts';
import { NO_USES } from '../../core/rules/usage-count.ts';
import { maskMemberNo } from '../../core/mask.ts';
import type { Offer } from '../../core/domain.ts';
import type { OfflineOutcome, OfflineRedemption } from '../../core/wire-terminal.ts';
import type { Line } from '../../core/wire.ts';
import type { AppContext } from '../context.ts';
import type { Actor } from '../http/auth.ts';
import { pathOf } from './scope.ts';

type Reason = { code: string; message: string };
const r = (code: string, message: string): Reason => ({ code, message });
const MAX_BACKDATE_MS = 7 * 24 * 3600_000;

export async function acceptOffline(
  ctx: AppContext,
  actor: Extract<Actor, { kind: 'terminal' }>,
  item: OfflineRedemption,
): Promise<OfflineOutcome> {
  const key = item.idempotencyKey;
  const prior = await ctx.store.redemptionByKey(key);
  if (prior) {
    const { quoteId: _q, ...redemption } = prior;
    if (prior.terminalId !== actor.terminal.id)
      return { idempotencyKey: key, outcome: 'rejected', reasons: [r('IDEMPOTENCY_CONFLICT', 'this key belongs to another terminal')] };
    return { idempotencyKey: key, outcome: redemption.flags?.length ? 'flagged' : 'accepted', reasons: redemption.flags ?? [], redemption };
  }
  const reject = (...reasons: Reason[]): OfflineOutcome => ({ idempotencyKey: key, outcome: 'rejected', reasons });
  const member = await ctx.store.member(item.memberId);
  if (!member) return reject(r('CARD_UNKNOWN', 'no such member'));
  if (item.payableFen + item.discountFen !== item.amountFen)
    return reject(r('DISCOUNT_MISMATCH', 'payable and discount do not add up to the amount'));

  const offers: Offer[] = [];
  for (const line of item.lines) {
    const o = await ctx.store.offerVersion(line.agreementId, line.agreementVersion);
    if (!o || o.merchantId !== actor.shop.merchantId)
      return reject(r('NO_AGREEMENT', `${line.agreementId}@${line.agreementVersion} is not an offer of this merchant`));
    if (o.unionShareBps > 0 || line.funding.unionFen > 0)
      return reject(r('OFFLINE_UNION_FUNDED', `${line.title}: union money is never granted offline`));
    offers.push(o);
  }
  const at = new Date(item.createdAt);
  const now = ctx.now();
  const flags: Reason[] = [];
  if (at.getTime() > now.getTime() + 5 * 60_000) flags.push(r('CLOCK_AHEAD', 'the terminal clock was ahead of the server'));
  if (now.getTime() - at.getTime() > MAX_BACKDATE_MS) flags.push(r('LATE_UPLOAD', 'uploaded more than 7 days after the sale'));
  if (at.getTime() - Date.parse(item.snapshotIssuedAt) > ctx.offlineMaxAgeSeconds * 1000)
    flags.push(r('SNAPSHOT_STALE', 'the terminal used a snapshot older than allowed'));

  // Recompute with the versions the terminal cited, as the rules stood at the time of the sale.
  const orgs = await ctx.store.orgs();
  const tz = new Map(orgs.map((o) => [o.id, o.timeZone]));
  const usage = await ctx.store.usage(
    member.id,
    offers.map((o) => o.id),
    at,
  );
  const verdict = evaluate({
    now: at,
    amountFen: item.amountFen,
    ...(item.items ? { items: item.items } : {}),
    storeId: actor.shop.id,
    memberOrgPath: pathOf(orgs, member.orgId),
    offers: offers.map((o) => ({ ...o, status: 'active' as const })),
    timeZoneOf: (id) => tz.get(id) ?? 'Asia/Shanghai',
    usageOf: () => NO_USES,
    remainingBudgetOf: () => 0,
    offline: true,
  });
  // Stored only as the cited versions give it for this sale, line by line: never as the terminal sent it.
  const mismatch = offlineMismatch(item, verdict.lines, verdict.discountFen);
  if (mismatch) return reject(r('DISCOUNT_MISMATCH', mismatch));
  for (const o of offers) {
    // The server's counters for the sale's local day and month: uses it knew of on that day, whenever made.
    const why = limitReached(o, usage.get(o.id) ?? NO_USES);
    if (why) flags.push(r('LIMIT_EXCEEDED', `${o.title}: ${why}, counting the uses the server knew of`));
  }
  const card = item.cardId ? await ctx.store.card(item.cardId) : undefined;
  if (card && card.status !== 'activated' && Date.parse(card.updatedAt) <= at.getTime())
    flags.push(r('CARD_LOST', `the card was ${card.status} before the sale`));
  if (member.status === 'suspended') flags.push(r('MEMBER_SUSPENDED', 'the member is suspended'));
  const replayed = (): Reason =>
    r('QR_REPLAYED', 'this member code was already used for another sale (a screenshot at a second store?) · 此会员码已用于另一笔交易');
  // The discount was given at the till, so a second use of one code is kept, flagged, not lost; the nonce
  // is recorded only with its first use.
  let qrNonce = item.qrNonce;
  if (qrNonce && (await ctx.store.qrNonceUsed(qrNonce))) {
    flags.push(replayed());
    qrNonce = undefined;
  }
  const commit = (nonce: string | undefined) =>
    ctx.store.commitRedemption(
      {
        idempotencyKey: key,
        quoteId: `offline:${key}`,
        memberId: member.id,
        memberOrgId: member.orgId,
        merchantId: actor.shop.merchantId,
        storeId: actor.shop.id,
        terminalId: actor.terminal.id,
        memberNoMasked: maskMemberNo(member.memberNo),
        credentialType: item.credentialType,
        ...(item.cardLast4 ? { cardLast4: item.cardLast4 } : {}),
        amountFen: item.amountFen,
        discountFen: verdict.discountFen,
        payableFen: verdict.payableFen,
        lines: verdict.lines,
        ...(item.items ? { items: item.items } : {}),
        createdAt: at.toISOString(),
        offline: true,
        ...(nonce ? { qrNonce: nonce } : {}),
        ...(flags.length ? { flags } : {}),
      },
      // Limits were already judged above (as flags): the discount was given at the till.
      () => null,
    );
  let result = await commit(qrNonce);
  if (result.kind === 'refused' && result.code === 'QR_REPLAYED') {
    // Another upload took the nonce between the check and the commit.
    flags.push(replayed());
    result = await commit(undefined);
  }
  if (result.kind === 'refused') return reject(r(result.code, result.message));
  if (result.kind === 'created') ctx.realtime.redemptionCommitted(result.redemption);
  return { idempotencyKey: key, outcome: flags.length ? 'flagged' : 'accepted', reasons: flags, redemption: result.redemption };
}

/**
 * How an uploaded sale differs from what the cited offer versions give for it (the same engine the
 * terminal ran offline, so an honest terminal always matches); null when every line and the total agree.
 */
export function offlineMismatch(
  item: Pick<OfflineRedemption, 'lines' | 'discountFen'>,
  expected: readonly Line[],
  expectedFen: number,
): string | null {
  const key = (l: Line) => `${l.agreementId}@${l.agreementVersion}`;
  const want = new Map(expected.map((l) => [key(l), l]));
  for (const l of item.lines) {
    const e = want.get(key(l));
    if (!e) return `${key(l)}: the rules give no discount from this offer for this sale · 该协议对此笔交易不给优惠`;
    if (l.discountFen !== e.discountFen || l.funding.merchantFen !== e.funding.merchantFen || l.funding.unionFen !== e.funding.unionFen) {
      return `${key(l)}: the rules give ${e.discountFen} fen (merchant ${e.funding.merchantFen}, union ${e.funding.unionFen}), the terminal recorded ${l.discountFen} (merchant ${l.funding.merchantFen}, union ${l.funding.unionFen}) · 优惠金额与协议不符`;
    }
    want.delete(key(l));
  }
  const missing = [...want.keys()];
  if (missing.length) return `the terminal left out ${missing.join(', ')}, which the rules give for this sale · 缺少应有的优惠行`;
  if (item.discountFen !== expectedFen)
    return `the rules give ${expectedFen} fen in total, the terminal gave ${item.discountFen} · 优惠合计与协议不符`;
  return null;
}
