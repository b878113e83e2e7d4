import { Router, type Request, type RequestHandler } from 'express';
import { AppError } from '../../core/errors.ts';
import { redemptionQuerySchema, redemptionRequestSchema, voidRequestSchema, type Redemption } from '../../core/wire.ts';
import type { AppContext } from '../context.ts';
import { requireTerminal } from '../http/auth.ts';
import { parseOr400, route } from '../http/errors.ts';
import { csvFormatOf, redemptionsCsv } from '../services/csv-redemptions.ts';
import { rangeMs } from '../services/date-range.ts';
import { redeem, type RedeemOutcome } from '../services/redeem-service.ts';
import { voidsRedemption } from '../authority.ts';
import { canSeeMerchant, canSeeRedemption, referenceOf, scopeOf, subtreeOf } from '../services/scope.ts';
import { assertInScope, listInScope } from '../services/scope-filters.ts';
import type { RedemptionFilter } from '../store/store.ts';

const CSV_MAX_ROWS = 100_000;

/** The redemption for an authenticated request with a parsed body; shared with the front layer (server/http/hot-routes.ts). */
export async function redemptionAnswer(ctx: AppContext, req: Request): Promise<RedeemOutcome> {
  const actor = requireTerminal(req);
  const body = parseOr400(redemptionRequestSchema, req.body);
  return redeem(ctx, actor, body);
}

/** POST /api/v1/redemptions. app.ts also mounts it ahead of the API router, beside the quote route. */
export function postRedemption(ctx: AppContext): RequestHandler {
  return route(async (req, res) => {
    const out = await redemptionAnswer(ctx, req);
    res.status(out.status).json(out.redemption);
  });
}

export function redemptionsRouter(ctx: AppContext): Router {
  const r = Router();

  async function scopeFor(req: Request) {
    return scopeOf(req.actor!, await referenceOf(ctx.store));
  }

  /** The caller's filters narrowed to the caller's scope; a filter naming something outside it is 404. */
  async function filterFor(req: Request, limit?: number): Promise<RedemptionFilter> {
    const q = parseOr400(redemptionQuerySchema, req.query, 'query');
    const scope = await scopeFor(req);
    await assertInScope(ctx.store, scope, q);
    const orgs = await ctx.store.orgs();
    let merchantIds = scope.merchantIds;
    if (q.merchantId) merchantIds = canSeeMerchant(scope, q.merchantId) ? new Set([q.merchantId]) : new Set();
    const storeId = scope.storeId ?? q.storeId;
    if (scope.storeId && q.storeId && q.storeId !== scope.storeId) merchantIds = new Set();
    const actor = req.actor!;
    const tz = (actor.kind === 'user' && orgs.find((o) => o.id === actor.user.orgId)?.timeZone) || 'Asia/Shanghai';
    return {
      ...(merchantIds ? { merchantIds } : {}),
      ...(storeId ? { storeId } : {}),
      ...(q.terminalId ? { terminalId: q.terminalId } : {}),
      ...(q.orgId ? { memberOrgIds: subtreeOf(orgs, q.orgId) } : {}),
      ...(q.status ? { status: q.status } : {}),
      ...(q.funding ? { funding: q.funding } : {}),
      ...(q.receiptNo !== undefined ? { receiptNo: q.receiptNo } : {}),
      ...(q.cursor ? { beforeSeq: Number(q.cursor) } : {}),
      ...rangeMs(q.from, q.to, tz),
      limit: limit ?? q.limit,
    };
  }

  async function visible(req: Request, id: string): Promise<Redemption> {
    const red = await ctx.store.redemption(id);
    const scope = await scopeFor(req);
    if (!red || !canSeeRedemption(scope, red)) throw new AppError('NOT_FOUND');
    return red;
  }

  r.post('/redemptions', postRedemption(ctx));

  r.get(
    '/redemptions.csv',
    route(async (req, res) => {
      const { items } = await listInScope(ctx.store, await scopeFor(req), await filterFor(req, CSV_MAX_ROWS));
      const [orgs, merchants, shops] = await Promise.all([ctx.store.orgs(), ctx.store.merchants(), ctx.store.shops()]);
      const actor = req.actor!;
      const tz = (actor.kind === 'user' && orgs.find((o) => o.id === actor.user.orgId)?.timeZone) || 'Asia/Shanghai';
      const byId = <T extends { id: string; name: string }>(xs: T[]) => new Map(xs.map((x) => [x.id, x.name]));
      const [m, st, o] = [byId(merchants), byId(shops), byId(orgs)];
      const csv = redemptionsCsv(items, csvFormatOf(req.query), tz, {
        merchant: (id) => m.get(id),
        store: (id) => st.get(id),
        org: (id) => o.get(id),
      });
      res.type('text/csv; charset=utf-8').setHeader('Content-Disposition', 'attachment; filename="redemptions.csv"');
      res.send(csv);
    }),
  );

  r.get(
    '/redemptions',
    route(async (req, res) => {
      const { items, nextBeforeSeq } = await listInScope(ctx.store, await scopeFor(req), await filterFor(req));
      res.json({ items, nextCursor: nextBeforeSeq === undefined ? null : String(nextBeforeSeq) });
    }),
  );

  r.get(
    '/redemptions/:id',
    route(async (req, res) => {
      res.json(await visible(req, String(req.params.id)));
    }),
  );

  r.post(
    '/redemptions/:id/void',
    route(async (req, res) => {
      const actor = req.actor!;
      const red = await visible(req, String(req.params.id));
      if (!voidsRedemption((await scopeFor(req)).authority, red))
        throw new AppError('FORBIDDEN', 'Only a terminal of the same store or the merchant admin may void.');
      const { reason } = parseOr400(voidRequestSchema, req.body);
      const by = actor.kind === 'terminal' ? `terminal:${actor.terminal.id}` : `user:${actor.user.id}`;
      const out = await ctx.store.voidRedemption(red.id, reason, by, ctx.now());
      if (out.kind === 'refused') throw new AppError(out.code, out.message);
      ctx.realtime.redemptionVoided(out.redemption);
      res.json(out.redemption);
    }),
  );
  return r;
}
