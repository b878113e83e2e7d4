/**
 * The audit trail of administrative changes (who, when, what, before/after), newest first, and its
 * hash-chain check. A union reads the entries about its subtree's unions and the merchants it manages.
 */
import { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import type { AppContext } from '../context.ts';
import { parseOr400, route } from '../http/errors.ts';
import type { AuditFilter } from '../store/admin-store.ts';
import { adminScope, merchantScope, type AdminScope } from '../services/admin-scope.ts';
import { toCsv } from '../services/csv.ts';

const query = z.object({
  entity: z.enum(['member', 'card', 'merchant', 'store', 'terminal', 'offer', 'user', 'import']).optional(),
  id: z.string().max(100).optional(),
  username: z.string().max(64).optional(),
  cursor: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export function adminAuditTrailRouter(ctx: AppContext): Router {
  const r = Router();

  async function filterOf(s: AdminScope, q: z.infer<typeof query>, limit: number): Promise<AuditFilter> {
    return {
      ...(s.root ? {} : { orgIds: s.subtree, merchantIds: await merchantScope(ctx, s) }),
      ...(q.entity ? { entity: q.entity } : {}),
      ...(q.id ? { id: q.id } : {}),
      ...(q.username ? { username: q.username } : {}),
      ...(q.cursor ? { beforeSeq: q.cursor } : {}),
      limit,
    };
  }

  r.get(
    '/admin/audit-trail',
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'read');
      const q = parseOr400(query, req.query, 'query');
      const page = await ctx.store.admin.auditTrail(await filterOf(s, q, q.limit));
      res.json({ items: page.items, nextCursor: page.nextBeforeSeq ?? null });
    }),
  );

  r.get(
    '/admin/audit-trail.csv',
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'read');
      const q = parseOr400(query, req.query, 'query');
      const { items } = await ctx.store.admin.auditTrail(await filterOf(s, q, 100_000));
      const rows = items.map((e) => [e.seq, e.at, e.by.username, e.action, e.entity, e.id, e.note ?? '', JSON.stringify(e.before), JSON.stringify(e.after)]);
      res
        .type('text/csv; charset=utf-8')
        .set('Content-Disposition', 'attachment; filename="audit-trail.csv"')
        .send(toCsv(['seq', 'at', 'by', 'action', 'entity', 'id', 'note', 'before', 'after'], rows));
    }),
  );

  r.get(
    '/admin/audit-trail/verify',
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'read');
      if (!s.root) throw new AppError('NOT_FOUND', 'The whole trail is checked by the root union.');
      res.json(await ctx.store.admin.verifyAuditTrail());
    }),
  );

  return r;
}

/** The request schemas above, for the OpenAPI document (server/routes/openapi.ts). */
export const auditTrailSchemas = { query };
