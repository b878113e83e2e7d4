/**
 * What an actor may see, as the routes' filters: derived from the one authority model (server/authority.ts).
 * A merchant admin: its merchant. A union user: the merchants its subtree brought in or signed with
 * (an ended offer keeps only the redemptions made before it ended). A terminal: its own store.
 */
import type { Offer } from '../../core/domain.ts';
import type { Actor } from '../http/auth.ts';
import { authorityOf, readsMerchant, readsRedemption, type Authority, type Principal, type Reference } from '../authority.ts';
import type { HuikaStore } from '../store/store.ts';

// The org-tree walks live in core/ (the terminal needs them offline); re-exported for the routes.
export { pathOf, subtreeOf } from '../../core/org-tree.ts';

export interface Scope {
  /** undefined = every merchant */
  merchantIds?: ReadonlySet<string>;
  storeId?: string;
  /** The unions whose campaigns this actor settles; undefined = not a union user. */
  orgSubtree?: ReadonlySet<string>;
  /** The decision behind the filters: ask it for anything finer (a redemption's date, management). */
  authority: Authority;
}

export function principalOf(actor: Actor): Principal {
  return actor.kind === 'terminal'
    ? { kind: 'terminal', terminalId: actor.terminal.id, storeId: actor.shop.id, merchantId: actor.shop.merchantId }
    : { kind: 'user', user: actor.user };
}

export async function referenceOf(store: HuikaStore): Promise<Reference> {
  const [orgs, merchants, offers] = await Promise.all([store.orgs(), store.merchants(), store.offers()]);
  return { orgs, merchants, offers };
}

export async function authorityFor(store: HuikaStore, actor: Actor): Promise<Authority> {
  return authorityOf(principalOf(actor), await referenceOf(store));
}

export function scopeOf(actor: Actor, ref: Reference): Scope {
  const authority = authorityOf(principalOf(actor), ref);
  const isUnion = actor.kind === 'user' && actor.user.role !== 'merchant_admin';
  return {
    ...(authority.reads ? { merchantIds: new Set(authority.reads.keys()) } : {}),
    ...(authority.storeId ? { storeId: authority.storeId } : {}),
    ...(isUnion ? { orgSubtree: authority.orgs } : {}),
    authority,
  };
}

export function canSeeMerchant(scope: Scope, merchantId: string): boolean {
  return readsMerchant(scope.authority, merchantId);
}

export function canSeeRedemption(scope: Scope, r: { merchantId: string; storeId: string; createdAt: string }): boolean {
  return readsRedemption(scope.authority, r);
}

/** Whether a filter result needs the per-redemption check (some merchant is readable only up to an instant). */
export function hasCutoffs(scope: Scope): boolean {
  return !!scope.authority.reads && [...scope.authority.reads.values()].some((v) => v !== Infinity);
}

/** Offers visible to the caller (listing agreements). */
export const offerVisible = (scope: Scope, o: Pick<Offer, 'merchantId'>) => canSeeMerchant(scope, o.merchantId);
