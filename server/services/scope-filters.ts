/**
 * A filter that names a merchant, store, terminal or union outside the caller's scope is answered 404,
 * like a record outside it (CONTRACT.md: "anything else is 404"), rather than an empty page that
 * would confirm the name exists.
 */
import { AppError } from '../../core/errors.ts';
import type { Redemption } from '../../core/wire.ts';
import type { HuikaStore, RedemptionFilter } from '../store/store.ts';
import { canSeeMerchant, canSeeRedemption, hasCutoffs, type Scope } from './scope.ts';

export interface ScopedFilterNames {
  merchantId?: string | undefined;
  storeId?: string | undefined;
  terminalId?: string | undefined;
  /** a union (the member's union, or the union of a report) */
  orgId?: string | undefined;
}

export async function assertInScope(store: HuikaStore, scope: Scope, q: ScopedFilterNames): Promise<void> {
  const nope = (what: string) => new AppError('NOT_FOUND', `No such ${what} in your scope.`);
  if (q.merchantId !== undefined && (!canSeeMerchant(scope, q.merchantId) || !(await store.merchant(q.merchantId)))) throw nope('merchant');
  if (q.storeId !== undefined) {
    const shop = await store.shop(q.storeId);
    if (!shop || !canSeeMerchant(scope, shop.merchantId) || (scope.storeId && scope.storeId !== shop.id)) throw nope('store');
  }
  if (q.terminalId !== undefined) {
    const t = await store.terminal(q.terminalId);
    const shop = t ? await store.shop(t.storeId) : undefined;
    if (!shop || !canSeeMerchant(scope, shop.merchantId) || (scope.storeId && scope.storeId !== shop.id)) throw nope('terminal');
  }
  if (q.orgId !== undefined) {
    const known = (await store.orgs()).some((o) => o.id === q.orgId);
    if (!known || (scope.orgSubtree && !scope.orgSubtree.has(q.orgId))) throw nope('union');
  }
}

/**
 * A page of redemptions the caller may read. Where some merchant is readable only up to an instant (its
 * offers ended), the store's page is narrowed here and refilled from the next page, so paging still works.
 */
export async function listInScope(
  store: HuikaStore,
  scope: Scope,
  f: RedemptionFilter,
): Promise<{ items: Redemption[]; nextBeforeSeq?: number }> {
  if (!hasCutoffs(scope)) return store.listRedemptions(f);
  const items: Redemption[] = [];
  let before = f.beforeSeq;
  for (;;) {
    const page = await store.listRedemptions({
      ...f,
      ...(before !== undefined ? { beforeSeq: before } : {}),
      limit: f.limit - items.length,
    });
    for (const r of page.items) if (canSeeRedemption(scope, r)) items.push(r);
    if (page.nextBeforeSeq === undefined) return { items };
    if (items.length >= f.limit) return { items, nextBeforeSeq: page.nextBeforeSeq };
    before = page.nextBeforeSeq;
  }
}
