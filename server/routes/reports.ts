import { Router } from 'express';
import { AppError } from '../../core/errors.ts';
import { settlementQuerySchema, type Settlement } from '../../core/wire.ts';
import type { AppContext } from '../context.ts';
import { requireUser } from '../http/auth.ts';
import { parseOr400, route } from '../http/errors.ts';
import { rangeMs } from '../services/date-range.ts';
import { subtreeOf } from '../services/scope.ts';

export function reportsRouter(ctx: AppContext): Router {
  const r = Router();
  /**
   * Union money owed to merchants: committed (not voided) redemptions' campaign lines, for campaigns
   * signed by `orgId` or a union below it (default: the caller's union). Only inside the caller's subtree.
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
      const signers = subtreeOf(orgs, orgId);
      const campaigns = new Set((await ctx.store.offers()).filter((o) => o.kind === 'campaign' && signers.has(o.orgId)).map((o) => o.id));
      const tz = orgs.find((o) => o.id === orgId)?.timeZone ?? 'Asia/Shanghai';
      const { fromMs, toMs } = rangeMs(q.from, q.to, tz);
      const rows = await ctx.store.settlement(campaigns, fromMs, toMs);
      const body: Settlement = { rows, totalUnionFen: rows.reduce((s, x) => s + x.unionFen, 0) };
      res.json(body);
    }),
  );
  return r;
}
