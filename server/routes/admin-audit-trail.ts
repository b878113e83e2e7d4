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
import { moneyEvents, readable } from '../services/audit-readable.ts';
import { csvFormatOf } from '../services/csv-redemptions.ts';

/** Kinds that live outside the administrative trail and are merged into it for reading. */
const MONEY = new Set(['statement', 'redemption']);

const query = z.object({
  entity: z
    .enum(['member', 'card', 'merchant', 'store', 'terminal', 'offer', 'user', 'import', 'statement', 'redemption', 'union_settings'])
    .optional(),
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
      ...(q.entity && !MONEY.has(q.entity) ? { entity: q.entity as AuditFilter['entity'] & string } : {}),
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
      const tz = s.orgs.find((o) => o.id === s.user.orgId)?.timeZone ?? 'Asia/Shanghai';
      const money = !q.entity || MONEY.has(q.entity);
      const page = q.entity && MONEY.has(q.entity) ? { items: [] } : await ctx.store.admin.auditTrail(await filterOf(s, q, q.limit));
      const items = await readable(ctx, page.items, tz);
      // Statement steps and voids are not links of the trail's chain: merged into the first page, back to its
      // oldest entry (all of them when the trail has no more pages).
      if (money && !q.cursor && !q.id && !q.username) {
        const since = page.nextBeforeSeq !== undefined ? items.at(-1)?.at : undefined;
        const events = (
          await moneyEvents(ctx, { orgIds: s.subtree, ...(s.root ? {} : { merchantIds: await merchantScope(ctx, s) }) }, tz, since)
        ).filter((e) => !q.entity || e.entity === q.entity);
        items.push(...events);
        items.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : b.seq - a.seq));
      }
      res.json({ items, nextCursor: page.nextBeforeSeq ?? null });
    }),
  );

  r.get(
    '/admin/audit-trail.csv',
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'read');
      const q = parseOr400(query, req.query, 'query');
      const { items } = await ctx.store.admin.auditTrail(await filterOf(s, q, 100_000));
      const raw = csvFormatOf(req.query) === 'raw';
      const tz = s.orgs.find((o) => o.id === s.user.orgId)?.timeZone ?? 'Asia/Shanghai';
      const csv = raw
        ? toCsv(
            ['seq', 'at', 'by', 'action', 'entity', 'id', 'note', 'before', 'after'],
            items.map((e) => [
              e.seq,
              e.at,
              e.by.username,
              e.action,
              e.entity,
              e.id,
              e.note ?? '',
              JSON.stringify(e.before),
              JSON.stringify(e.after),
            ]),
          )
        : toCsv(
            [
              '序号 seq',
              `时间 time (${tz})`,
              '操作人 by',
              '操作 action',
              '对象 record',
              '编号 id',
              '说明 note',
              '修改前 before',
              '修改后 after',
            ],
            (await readable(ctx, items, tz)).map((e) => [
              e.seq,
              e.atLocal,
              e.by.username,
              e.action,
              e.subject,
              e.id,
              e.note ?? '',
              JSON.stringify(e.before),
              JSON.stringify(e.after),
            ]),
          );
      res.type('text/csv; charset=utf-8').set('Content-Disposition', 'attachment; filename="audit-trail.csv"').send(csv);
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
