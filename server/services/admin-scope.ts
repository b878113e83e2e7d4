/**
 * Who may do what on the administration API. An `admin` changes records of its union's subtree; a
 * `union_auditor` reads them; a merchant admin has no business here. Records outside the subtree are
 * answered as 404, never 403, so their existence is not revealed.
 */
import type { Request } from 'express';
import type { Merchant, Offer, Org, User } from '../../core/domain.ts';
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
}

export async function adminScope(ctx: AppContext, req: Request, mode: 'read' | 'write'): Promise<AdminScope> {
  const user = requireUser(req, mode === 'write' ? ['admin'] : ['admin', 'union_auditor']);
  const orgs = await ctx.store.orgs();
  const mine = orgs.find((o) => o.id === user.orgId);
  if (!mine) throw new AppError('FORBIDDEN', 'Your account is not attached to a union.');
  return { user, orgs, subtree: subtreeOf(orgs, mine.id), root: mine.parentId === null };
}

/**
 * Merchants a union manages: every one for a root union; otherwise those registered by a union of the
 * subtree or that signed an agreement or campaign with one.
 */
export function visibleMerchantIds(s: AdminScope, merchants: readonly Merchant[], offers: readonly Offer[]): Set<string> {
  if (s.root) return new Set(merchants.map((m) => m.id));
  const ids = new Set(merchants.filter((m) => m.orgId && s.subtree.has(m.orgId)).map((m) => m.id));
  for (const o of offers) if (s.subtree.has(o.orgId)) ids.add(o.merchantId);
  return ids;
}

export async function merchantScope(ctx: AppContext, s: AdminScope): Promise<Set<string>> {
  return visibleMerchantIds(s, await ctx.store.merchants(), await ctx.store.offers());
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
