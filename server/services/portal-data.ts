/** Reads shared by the portal routers: the caller's scope and zone, and every redemption a filter matches. */
import type { Request } from 'express';
import type { Redemption } from '../../core/wire.ts';
import type { AppContext } from '../context.ts';
import type { RedemptionFilter } from '../store/store.ts';
import { canSeeRedemption, hasCutoffs, referenceOf, scopeOf, type Scope } from './scope.ts';

export async function callerScope(ctx: AppContext, req: Request): Promise<Scope> {
  return scopeOf(req.actor!, await referenceOf(ctx.store));
}

/** The zone of the caller's union (merchants: the default, Asia/Shanghai). */
export async function callerZone(ctx: AppContext, req: Request): Promise<string> {
  const a = req.actor!;
  if (a.kind !== 'user' || !a.user.orgId) return 'Asia/Shanghai';
  return (await ctx.store.orgs()).find((o) => o.id === a.user.orgId)?.timeZone ?? 'Asia/Shanghai';
}

/**
 * Every matching redemption, newest first (reports read them all; the embedded store holds them in memory).
 * With the caller's scope, only those it may read (an ended offer's merchant: those made before it ended).
 */
export async function allRedemptions(ctx: AppContext, f: Omit<RedemptionFilter, 'limit'>, scope?: Scope): Promise<Redemption[]> {
  const items = (await ctx.store.listRedemptions({ ...f, limit: Number.MAX_SAFE_INTEGER })).items;
  return scope && hasCutoffs(scope) ? items.filter((r) => canSeeRedemption(scope, r)) : items;
}

export const unionFenOf = (r: Redemption) => r.lines.reduce((s, l) => s + l.funding.unionFen, 0);
export const merchantFenOf = (r: Redemption) => r.lines.reduce((s, l) => s + l.funding.merchantFen, 0);
