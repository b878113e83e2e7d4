/**
 * What an actor may see. A merchant admin: its merchant. A union user: the merchants that its union or
 * a union below it signed an agreement or campaign with (CONTRACT.md). A terminal: its own store.
 */
import type { Offer, Org } from '../../core/domain.ts';
import type { Actor } from '../http/auth.ts';
import { subtreeOf } from '../../core/org-tree.ts';

// The org-tree walks live in core/ (the terminal needs them offline); re-exported for the routes.
export { pathOf, subtreeOf } from '../../core/org-tree.ts';

export interface Scope {
  /** undefined = every merchant */
  merchantIds?: ReadonlySet<string>;
  storeId?: string;
  /** The unions whose campaigns this actor settles; undefined = not a union user. */
  orgSubtree?: ReadonlySet<string>;
}

export function scopeOf(actor: Actor, orgs: readonly Org[], offers: readonly Offer[]): Scope {
  if (actor.kind === 'terminal') return { merchantIds: new Set([actor.shop.merchantId]), storeId: actor.shop.id };
  const u = actor.user;
  if (u.role === 'merchant_admin') return { merchantIds: new Set(u.merchantId ? [u.merchantId] : []) };
  const subtree = subtreeOf(orgs, u.orgId ?? '');
  const root = orgs.find((o) => o.id === u.orgId);
  if (u.role === 'admin' && root && root.parentId === null) return { orgSubtree: subtree };
  return { merchantIds: new Set(offers.filter((o) => subtree.has(o.orgId)).map((o) => o.merchantId)), orgSubtree: subtree };
}

export function canSeeMerchant(scope: Scope, merchantId: string): boolean {
  return !scope.merchantIds || scope.merchantIds.has(merchantId);
}
