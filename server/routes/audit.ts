import { Router } from 'express';
import type { AppContext } from '../context.ts';
import { requireUser } from '../http/auth.ts';
import { route } from '../http/errors.ts';

export function auditRouter(ctx: AppContext): Router {
  const r = Router();
  r.get(
    '/audit/verify',
    route(async (req, res) => {
      requireUser(req, ['admin', 'union_auditor']);
      const check = await ctx.store.verifyLedger();
      if (!check.ok) ctx.log.warn({ check }, 'redemption log failed verification');
      res.json(check);
    }),
  );
  return r;
}
