/**
 * Who may do what on the administration API, as the authority model (server/authority.ts) decides: an
 * `admin` changes records of its union's subtree and of the merchants that subtree brought in; a
 * `union_auditor` reads them; a merchant admin has no business here. Records outside are answered
 * as 404, never 403, so their existence is not revealed.
 */
import type { Request } from 'express';
import type { Merchant, Org, User } from '../../core/domain.ts';
import { authorityOf, type Authority } from '../authority.ts';
import { AppError } from '../../core/errors.ts';
import type { AppContext } from '../context.ts';
import { requireUser } from '../http/auth.ts';
import type { AuditBy } from '../store/admin-store.ts';
import { subtreeOf } from './scope.ts';

export interface AdminScope {
  user: User;
  orgs: Org[];
  /** The user's union and every union below it. */
  subtree: Set<string>;
  /** Whether the user's union is a root (sees every merchant). */
  root: boolean;
  /** The decision behind the fields above; merchants are asked of it. */
  authority: Authority;
}

export async function adminScope(ctx: AppContext, req: Request, mode: 'read' | 'write'): Promise<AdminScope> {
  const user = requireUser(req, mode === 'write' ? ['admin'] : ['admin', 'union_auditor']);
  const orgs = await ctx.store.orgs();
  const mine = orgs.find((o) => o.id === user.orgId);
  if (!mine) throw new AppError('FORBIDDEN', 'Your account is not attached to a union.');
  const merchants = await ctx.store.merchants();
  const authority = authorityOf({ kind: 'user', user }, { orgs, merchants, offers: await ctx.store.offers() });
  return { user, orgs, subtree: subtreeOf(orgs, mine.id), root: mine.parentId === null, authority };
}

/**
 * Merchants a union oversees (and its admins manage): every one for a root union; otherwise those a union
 * of its subtree brought in. Signing an offer at a merchant gives no say over it (server/authority.ts).
 */
export function visibleMerchantIds(s: AdminScope, merchants: readonly Merchant[]): Set<string> {
  const all = s.authority.oversees;
  return new Set(merchants.filter((m) => !all || all.has(m.id)).map((m) => m.id));
}

export async function merchantScope(ctx: AppContext, s: AdminScope): Promise<Set<string>> {
  return visibleMerchantIds(s, await ctx.store.merchants());
}

export function auditBy(ctx: AppContext, user: User): AuditBy {
  return { userId: user.id, username: user.username, at: ctx.now() };
}

/** A store's WriteResult → its value, or the matching AppError. */
export function unwrap<T>(r: { kind: 'ok'; value: T } | { kind: 'refused'; code: 'NOT_FOUND' | 'CONFLICT'; message: string }): T {
  if (r.kind === 'refused') throw new AppError(r.code, r.message);
  return r.value;
}

export const orgName = (orgs: readonly Org[], id: string | null | undefined) => orgs.find((o) => o.id === id)?.name ?? id ?? '';
