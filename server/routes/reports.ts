import { Router } from 'express';
import { AppError } from '../../core/errors.ts';
import { settlementQuerySchema, type Settlement } from '../../core/wire.ts';
import type { AppContext } from '../context.ts';
import { requireUser } from '../http/auth.ts';
import { parseOr400, route } from '../http/errors.ts';
import { rangeMs } from '../services/date-range.ts';
import { allRedemptions } from '../services/portal-data.ts';
import { subtreeOf } from '../services/scope.ts';
import { pendingAdjustments } from '../services/statement-draft.ts';
import { unionSettles } from '../services/union-settles.ts';

export function reportsRouter(ctx: AppContext): Router {
  const r = Router();
  /**
   * Union money owed to merchants: committed (not voided) redemptions' union-funded lines, for offers of
   * any kind signed by `orgId` or a union below it (default: the caller's union). Only inside the caller's subtree.
   */
  r.get(
    '/reports/settlement',
    route(async (req, res) => {
      const user = requireUser(req, ['admin', 'union_auditor']);
      const q = parseOr400(settlementQuerySchema, req.query, 'query');
      const orgs = await ctx.store.orgs();
      const mine = subtreeOf(orgs, user.orgId ?? '');
      const orgId = q.orgId ?? user.orgId ?? '';
      if (!mine.has(orgId)) throw new AppError('NOT_FOUND', 'No such union in your scope.');
      const settles = unionSettles(orgs, await ctx.store.offers(), orgId);
      const { fromMs, toMs } = rangeMs(q.from, q.to, settles.timeZone);
      const rows = await ctx.store.settlement(settles.offerIds, fromMs, toMs);
      // Voids of what an approved or paid statement counted: the rows no longer hold them, the next statement deducts them.
      const pending = pendingAdjustments(
        (await ctx.store.statements(new Set([orgId]))).filter((x) => x.orgId === orgId),
        await allRedemptions(ctx, { merchantIds: settles.merchantIds, status: 'voided' }),
        settles.counts,
      );
      const body: Settlement = {
        rows,
        totalUnionFen: rows.reduce((s, x) => s + x.unionFen, 0),
        pendingAdjustments: pending,
        pendingAdjustmentFen: pending.reduce((s, x) => s + x.unionFen, 0),
      };
      res.json(body);
    }),
  );
  return r;
}
