/**
 * The authority model: who may read and change what. Pure functions over the actor, the target and the
 * reference data (unions, merchants, offers); every route and the socket.io rooms ask here, none decides
 * on its own. README.md "Security model" has the same rules as a table.
 *
 * - A merchant belongs to the union that brought it in (`Merchant.orgId`). A union's admin manages the
 *   unions of its subtree (members, cards, their users) and the merchants its subtree brought in (names,
 *   stores, terminals, pairing codes, merchant admins, and the offers signed there). Signing an offer
 *   gives no management: one union's admin never changes another's merchant.
 * - A union's users read the redemptions of the merchants its subtree brought in, and of those where its
 *   subtree signed an offer still active. Where every offer it signed has ended, it keeps reading the
 *   redemptions made before the last one ended, and nothing more (no live events, stores or terminals).
 * - A union's own auditors and admins set its settings (anomaly thresholds); its users and those of the
 *   unions above it read them.
 * - A root union's users see and manage everything; a merchant admin its own merchant; a terminal its store.
 */
import type { Merchant, Offer, Org, User } from '../core/domain.ts';
import { subtreeOf } from '../core/org-tree.ts';

/** The reference data every decision reads. Offers are the current version of each. */
export interface Reference {
  orgs: readonly Org[];
  merchants: readonly Merchant[];
  offers: readonly Offer[];
}

export type Principal =
  | { kind: 'terminal'; terminalId: string; storeId: string; merchantId: string }
  | { kind: 'user'; user: Pick<User, 'id' | 'role' | 'orgId' | 'merchantId'> };

export interface Authority {
  principal: Principal;
  /** The caller's union and every union below it (empty for merchant admins and terminals). */
  orgs: ReadonlySet<string>;
  /** A root union's user: every union and merchant. */
  root: boolean;
  /** Merchants whose records (names, stores, terminals, users, offers) the caller oversees; undefined = all. */
  oversees: ReadonlySet<string> | undefined;
  /**
   * Merchants whose redemptions the caller reads, each with the instant (ms) before which they were made,
   * or Infinity for all of them and the live events; undefined = every merchant, without limit.
   */
  reads: ReadonlyMap<string, number> | undefined;
  /** A terminal reads only its own store. */
  storeId?: string;
}

/**
 * The union that brought a merchant in. Merchants recorded before the field existed fall back to the
 * signer of their oldest offer, so an upgraded data directory keeps its managers.
 */
export function broughtInBy(ref: Reference, merchantId: string): string | undefined {
  const m = ref.merchants.find((x) => x.id === merchantId);
  if (!m) return undefined;
  if (m.orgId) return m.orgId;
  let first: Offer | undefined;
  for (const o of ref.offers)
    if (o.merchantId === merchantId && (!first || o.createdAt < first.createdAt || (o.createdAt === first.createdAt && o.id < first.id)))
      first = o;
  return first?.orgId;
}

export function authorityOf(p: Principal, ref: Reference): Authority {
  if (p.kind === 'terminal') {
    return {
      principal: p,
      orgs: new Set(),
      root: false,
      oversees: new Set([p.merchantId]),
      reads: new Map([[p.merchantId, Infinity]]),
      storeId: p.storeId,
    };
  }
  const u = p.user;
  if (u.role === 'merchant_admin') {
    const mine = u.merchantId ? [u.merchantId] : [];
    return { principal: p, orgs: new Set(), root: false, oversees: new Set(mine), reads: new Map(mine.map((m) => [m, Infinity])) };
  }
  const home = ref.orgs.find((o) => o.id === u.orgId);
  if (!home) return { principal: p, orgs: new Set(), root: false, oversees: new Set(), reads: new Map() };
  const orgs = subtreeOf(ref.orgs, home.id);
  if (home.parentId === null) return { principal: p, orgs, root: true, oversees: undefined, reads: undefined };
  const oversees = new Set(ref.merchants.filter((m) => orgs.has(broughtInBy(ref, m.id) ?? '')).map((m) => m.id));
  const reads = new Map<string, number>([...oversees].map((m) => [m, Infinity]));
  for (const o of ref.offers) {
    if (!orgs.has(o.orgId) || oversees.has(o.merchantId)) continue;
    // An ended offer's current version was written when it ended: that instant bounds what stays readable.
    const until = o.status === 'active' ? Infinity : Date.parse(o.createdAt);
    reads.set(o.merchantId, Math.max(reads.get(o.merchantId) ?? -Infinity, until));
  }
  return { principal: p, orgs, root: false, oversees, reads };
}

const isAdmin = (a: Authority) => a.principal.kind === 'user' && a.principal.user.role === 'admin';
const isUnionUser = (a: Authority) => a.principal.kind === 'user' && a.principal.user.role !== 'merchant_admin';

/** Whether the caller reads some of this merchant's redemptions (names and filters of the portal). */
export function readsMerchant(a: Authority, merchantId: string): boolean {
  return !a.reads || a.reads.has(merchantId);
}

/** Whether the caller hears this merchant's live events and sees its new redemptions. */
export function readsMerchantLive(a: Authority, merchantId: string): boolean {
  return !a.reads || a.reads.get(merchantId) === Infinity;
}

/** One redemption: its merchant in read scope, made before the scope ended, and the caller's store for a terminal. */
export function readsRedemption(a: Authority, r: { merchantId: string; storeId: string; createdAt: string }): boolean {
  if (a.storeId !== undefined && r.storeId !== a.storeId) return false;
  if (!a.reads) return true;
  const until = a.reads.get(r.merchantId);
  return until !== undefined && (until === Infinity || Date.parse(r.createdAt) < until);
}

/** Reads a merchant's records (stores, terminals, its users, its offers): union users over what their subtree brought in. */
export function overseesMerchant(a: Authority, merchantId: string): boolean {
  return isUnionUser(a) && (!a.oversees || a.oversees.has(merchantId));
}

/** Changes a merchant's names, stores, terminals, pairing codes and merchant admins. */
export function managesMerchant(a: Authority, merchantId: string): boolean {
  return isAdmin(a) && (!a.oversees || a.oversees.has(merchantId));
}

/** Reads a union's members, cards and users. */
export function overseesOrg(a: Authority, orgId: string): boolean {
  return isUnionUser(a) && a.orgs.has(orgId);
}

/** Changes a union's members, cards and users. */
export function managesOrg(a: Authority, orgId: string): boolean {
  return isAdmin(a) && a.orgs.has(orgId);
}

/**
 * Signs or changes an offer: an admin of a union that manages the merchant, signing for a union of its
 * own subtree. Checked on the offer as it was and as it will be.
 */
export function signsOffer(a: Authority, o: Pick<Offer, 'merchantId' | 'orgId'>): boolean {
  return managesMerchant(a, o.merchantId) && a.orgs.has(o.orgId);
}

/** Reads an offer: its signer is in the caller's subtree, or the caller oversees or reads the merchant. */
export function readsOffer(a: Authority, o: Pick<Offer, 'merchantId' | 'orgId'>): boolean {
  return a.root || a.orgs.has(o.orgId) || readsMerchant(a, o.merchantId);
}

/** A portal user's account: union users by their union, merchant admins by their merchant. */
export function managesUser(a: Authority, u: Pick<User, 'role' | 'orgId' | 'merchantId'>): boolean {
  return u.role === 'merchant_admin' ? !!u.merchantId && managesMerchant(a, u.merchantId) : !!u.orgId && managesOrg(a, u.orgId);
}

export function overseesUser(a: Authority, u: Pick<User, 'role' | 'orgId' | 'merchantId'>): boolean {
  return u.role === 'merchant_admin' ? !!u.merchantId && overseesMerchant(a, u.merchantId) : !!u.orgId && overseesOrg(a, u.orgId);
}

/** Reads a union's settings (its anomaly thresholds): the users of that union and of the unions above it. */
export function readsUnionSettings(a: Authority, orgId: string): boolean {
  return isUnionUser(a) && a.orgs.has(orgId);
}

/** Changes a union's settings: that union's own auditors and admins, not those above or below it. */
export function setsUnionSettings(a: Authority, orgId: string): boolean {
  return isUnionUser(a) && a.principal.kind === 'user' && a.principal.user.orgId === orgId;
}

/** Issues a pairing code for a store: its merchant's admin, or an admin managing the merchant. */
export function pairsTerminalAt(a: Authority, shop: { merchantId: string }): boolean {
  if (a.principal.kind !== 'user') return false;
  const u = a.principal.user;
  return (u.role === 'merchant_admin' && u.merchantId === shop.merchantId) || managesMerchant(a, shop.merchantId);
}

/** Voids a redemption: a terminal of its store, or its merchant's admin. */
export function voidsRedemption(a: Authority, r: { merchantId: string; storeId: string }): boolean {
  const p = a.principal;
  if (p.kind === 'terminal') return p.storeId === r.storeId;
  return p.user.role === 'merchant_admin' && p.user.merchantId === r.merchantId;
}
