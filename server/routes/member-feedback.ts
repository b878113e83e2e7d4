/**
 * Members' feedback as the portals read it (CONTRACT.md v2: `GET /feedback`, scoped like redemptions):
 * merchants see feedback on their own redemptions and unions on what their subtree may see, never who
 * gave it. Union users answer and close complaints; the yearly grade is computed with its rule.
 */
import { Router, type Request } from 'express';
import { AppError } from '../../core/errors.ts';
import { byMonth, GRADE_RULE, gradesOf, summarise } from '../../core/feedback-grade.ts';
import { localParts } from '../../core/local-time.ts';
import { complaintAnswerSchema, feedbackQuerySchema } from '../../core/wire-member.ts';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { requireUser } from '../http/auth.ts';
import { parseOr400, route } from '../http/errors.ts';
import { rangeMs } from '../services/date-range.ts';
import { canSeeMerchant, canSeeRedemption, referenceOf, scopeOf, subtreeOf } from '../services/scope.ts';
import { assertInScope } from '../services/scope-filters.ts';
import type { Feedback } from '../store/member-store.ts';
import { publicFeedback } from './member.ts';

const UNION_ROLES = ['admin', 'union_auditor'] as const;

export function memberFeedbackRouter(ctx: AppContext): Router {
  const r = Router();

  async function zoneOf(req: Request): Promise<string> {
    const a = req.actor!;
    const orgs = await ctx.store.orgs();
    return (a.kind === 'user' && orgs.find((o) => o.id === a.user.orgId)?.timeZone) || 'Asia/Shanghai';
  }

  /**
   * Feedback the caller may read, narrowed by the query; with `limit`, one page of the store's newest-first
   * order and the cursor of its last row (read before the scope check drops any, so none is skipped).
   */
  async function visiblePage(req: Request, q: z.infer<typeof feedbackQuerySchema>): Promise<{ items: Feedback[]; nextCursor?: string }> {
    requireUser(req);
    const scope = scopeOf(req.actor!, await referenceOf(ctx.store));
    await assertInScope(ctx.store, scope, q);
    const orgs = await ctx.store.orgs();
    const items = await ctx.store.memberSide.feedback({
      ...(q.merchantId ? { merchantIds: new Set([q.merchantId]) } : scope.merchantIds ? { merchantIds: scope.merchantIds } : {}),
      ...(q.orgId ? { memberOrgIds: subtreeOf(orgs, q.orgId) } : {}),
      ...(q.complaint ? { complaintStatus: q.complaint } : {}),
      ...rangeMs(q.from, q.to, await zoneOf(req)),
      ...(q.cursor ? { before: q.cursor } : {}),
      ...(q.limit ? { limit: q.limit + 1 } : {}),
    });
    const more = q.limit !== undefined && items.length > q.limit;
    const page = more ? items.slice(0, q.limit) : items;
    return {
      items: page.filter((f) => canSeeRedemption(scope, { merchantId: f.merchantId, storeId: f.storeId, createdAt: f.redemptionAt })),
      ...(more ? { nextCursor: page[page.length - 1]!.id } : {}),
    };
  }
  const visible = async (req: Request, q: z.infer<typeof feedbackQuerySchema>) => (await visiblePage(req, q)).items;

  r.get(
    '/feedback',
    route(async (req, res) => {
      const { items, nextCursor } = await visiblePage(req, parseOr400(feedbackQuerySchema, req.query, 'query'));
      res
        .set('Cache-Control', 'no-store')
        .json({ items: items.map(publicFeedback), summary: summarise(items), ...(nextCursor ? { nextCursor } : {}) });
    }),
  );

  /** Ratings by month per merchant, and the year's grade with the rule that gives it. */
  r.get(
    '/feedback/grades',
    route(async (req, res) => {
      const q = parseOr400(
        // A year's grades read all of its feedback: no paging here.
        feedbackQuerySchema.omit({ limit: true, cursor: true }).extend({
          year: z
            .string()
            .regex(/^\d{4}$/)
            .optional(),
        }),
        req.query,
        'query',
      );
      const tz = await zoneOf(req);
      const year = q.year ?? localParts(ctx.now(), tz).month.slice(0, 4);
      const items = await visible(req, { ...q, from: `${year}-01-01`, to: `${year}-12-31` });
      const months = byMonth(items, tz);
      res.set('Cache-Control', 'no-store').json({
        year,
        timeZone: tz,
        rule: GRADE_RULE,
        grades: gradesOf(items, year, tz),
        monthly: [...months].map(([merchantId, m]) => ({ merchantId, months: [...m].map(([month, s]) => ({ month, ...s })) })),
      });
    }),
  );

  async function complaintFor(req: Request, id: string): Promise<{ by: string }> {
    const user = requireUser(req, UNION_ROLES);
    const f = await ctx.store.memberSide.feedbackById(id);
    const scope = scopeOf(req.actor!, await referenceOf(ctx.store));
    if (
      !f?.complaint ||
      !canSeeMerchant(scope, f.merchantId) ||
      !canSeeRedemption(scope, { merchantId: f.merchantId, storeId: f.storeId, createdAt: f.redemptionAt })
    ) {
      throw new AppError('NOT_FOUND', 'No such complaint in your scope.');
    }
    return { by: user.username };
  }

  r.post(
    '/feedback/:id/answer',
    route(async (req, res) => {
      const id = String(req.params.id);
      const { by } = await complaintFor(req, id);
      const body = parseOr400(complaintAnswerSchema, req.body);
      const out = await ctx.store.memberSide.advanceComplaint(id, 'answered', by, ctx.now(), body.answer);
      if (out.kind === 'refused') throw new AppError(out.code, out.message);
      res.json(publicFeedback(out.feedback));
    }),
  );

  r.post(
    '/feedback/:id/close',
    route(async (req, res) => {
      const id = String(req.params.id);
      const { by } = await complaintFor(req, id);
      const out = await ctx.store.memberSide.advanceComplaint(id, 'closed', by, ctx.now());
      if (out.kind === 'refused') throw new AppError(out.code, out.message);
      res.json(publicFeedback(out.feedback));
    }),
  );

  return r;
}
