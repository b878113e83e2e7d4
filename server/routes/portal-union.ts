/**
 * Union auditors' checks over the redemptions at merchants their subtree signed: "discounts honoured"
 * (recomputed from the cited agreement versions), anomaly flags, and statistics.
 */
import { Router, type Request } from 'express';
import { anomalySettingsSchema, findAnomalies } from '../../core/audit/anomalies.ts';
import { recomputeAll } from '../../core/audit/recompute.ts';
import type { Offer } from '../../core/domain.ts';
import { auditQuerySchema, statsQuerySchema, type AnomalyReport } from '../../core/wire-portal.ts';
import type { AppContext } from '../context.ts';
import { requireUser } from '../http/auth.ts';
import { parseOr400, route } from '../http/errors.ts';
import { rangeMs } from '../services/date-range.ts';
import { allRedemptions, callerScope, callerZone, unionFenOf } from '../services/portal-data.ts';
import { assertInScope } from '../services/scope-filters.ts';
import { statsOf } from '../services/stats.ts';

const ROLES = ['admin', 'union_auditor'] as const;
const BASELINE_MS = 28 * 86_400_000;

export function portalUnionRouter(ctx: AppContext): Router {
  const r = Router();

  async function scoped(req: Request, q: { merchantId?: string | undefined; from?: string | undefined; to?: string | undefined }) {
    const user = requireUser(req, ROLES);
    const scope = await callerScope(ctx, req);
    await assertInScope(ctx.store, scope, { merchantId: q.merchantId });
    const tz = await callerZone(ctx, req);
    const merchantIds = q.merchantId ? new Set([q.merchantId]) : scope.merchantIds;
    return { user, scope, tz, merchantIds, range: rangeMs(q.from, q.to, tz) };
  }

  r.get(
    '/audit/recompute',
    route(async (req, res) => {
      const q = parseOr400(auditQuerySchema, req.query, 'query');
      const { merchantIds, range, scope } = await scoped(req, q);
      const rs = await allRedemptions(ctx, { ...(merchantIds ? { merchantIds } : {}), ...range }, scope);
      const versions = new Map<string, Offer | undefined>();
      for (const x of rs)
        for (const l of x.lines) {
          const k = `${l.agreementId}@${l.agreementVersion}`;
          if (!versions.has(k)) versions.set(k, await ctx.store.offerVersion(l.agreementId, l.agreementVersion));
        }
      res.json(recomputeAll(rs, (id, v) => versions.get(`${id}@${v}`)));
    }),
  );

  r.get(
    '/audit/anomalies',
    route(async (req, res) => {
      const q = parseOr400(auditQuerySchema.extend(anomalySettingsSchema.shape), req.query, 'query');
      const { merchantIds, range, tz, scope } = await scoped(req, q);
      // The days before the range are the terminals' "usual" volume.
      const from = range.fromMs === undefined ? undefined : range.fromMs - BASELINE_MS;
      const rs = await allRedemptions(
        ctx,
        {
          ...(merchantIds ? { merchantIds } : {}),
          ...(from !== undefined ? { fromMs: from } : {}),
          ...(range.toMs !== undefined ? { toMs: range.toMs } : {}),
        },
        scope,
      );
      const members = await ctx.store.memberIdsOf(rs.map((x) => x.id));
      const statements = await ctx.store.statements(scope.orgSubtree ?? new Set());
      const hours = new Map((await ctx.store.merchants()).flatMap((m) => (m.openingHours ? [[m.id, m.openingHours] as const] : [])));
      const flags = findAnomalies(
        rs.map((x) => ({
          id: x.id,
          memberKey: members.get(x.id) ?? x.id,
          memberNoMasked: x.memberNoMasked,
          merchantId: x.merchantId,
          terminalId: x.terminalId,
          createdAt: x.createdAt,
          status: x.status,
          ...(x.voidedAt ? { voidedAt: x.voidedAt } : {}),
          unionFen: unionFenOf(x),
        })),
        statements,
        {
          timeZone: tz,
          ...range,
          // Each merchant's own opening hours decide what an odd hour is; the union's thresholds come with the query.
          hoursOf: (id) => hours.get(id),
          ...Object.fromEntries(
            Object.entries({
              burstCount: q.burstCount,
              burstMinutes: q.burstMinutes,
              volumeFactor: q.volumeFactor,
              volumeMin: q.volumeMin,
            }).filter(([, v]) => v !== undefined),
          ),
        },
      );
      const body: AnomalyReport = {
        checked: rs.filter((x) => range.fromMs === undefined || Date.parse(x.createdAt) >= range.fromMs).length,
        flags,
      };
      res.json(body);
    }),
  );

  r.get(
    '/stats',
    route(async (req, res) => {
      const q = parseOr400(statsQuerySchema, req.query, 'query');
      const { merchantIds, range, scope } = await scoped(req, q);
      const rs = await allRedemptions(ctx, { ...(merchantIds ? { merchantIds } : {}), status: 'committed', ...range }, scope);
      const members = await ctx.store.memberIdsOf(rs.map((x) => x.id));
      const subtree = scope.orgSubtree ?? new Set<string>();
      // Every budgeted, union-funded offer the union's subtree signed (campaigns and co-funded agreements),
      // and union money counted as settlement counts it (core/union-money.ts).
      const offers = await ctx.store.offers();
      const settled = new Set(offers.filter((o) => subtree.has(o.orgId)).map((o) => o.id));
      const campaigns: (Offer & { spentFen: number })[] = [];
      for (const o of offers) {
        if (!settled.has(o.id) || (o.kind !== 'campaign' && o.unionShareBps === 0) || (q.merchantId && o.merchantId !== q.merchantId))
          continue;
        const budget = o.budgetFen ?? 0;
        campaigns.push({ ...o, spentFen: o.budgetFen === undefined ? 0 : budget - (await ctx.store.remainingBudget(o.id)) });
      }
      res.json(statsOf(rs, members, campaigns, (id) => settled.has(id)));
    }),
  );
  return r;
}
