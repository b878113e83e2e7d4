/**
 * Union auditors' checks over the redemptions at merchants their subtree signed: "discounts honoured"
 * (recomputed from the cited agreement versions), anomaly flags, and statistics.
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import { anomalySettingsSchema, findAnomalies } from '../../core/audit/anomalies.ts';
import { recomputeAll } from '../../core/audit/recompute.ts';
import { ANOMALY_DEFAULTS, anomalyThresholdsSchema, idSchema, type Offer } from '../../core/domain.ts';
import { AppError } from '../../core/errors.ts';
import { auditQuerySchema, statsQuerySchema, type AnomalyReport, type AnomalySettingsView } from '../../core/wire-portal.ts';
import { readsUnionSettings, setsUnionSettings } from '../authority.ts';
import type { AppContext } from '../context.ts';
import { requireUser } from '../http/auth.ts';
import { parseOr400, route } from '../http/errors.ts';
import { rangeMs } from '../services/date-range.ts';
import { adminScope, auditBy, unwrap } from '../services/admin-scope.ts';
import { allRedemptions, callerScope, callerZone, unionFenOf } from '../services/portal-data.ts';
import { assertInScope } from '../services/scope-filters.ts';
import { statsOf } from '../services/stats.ts';

const ROLES = ['admin', 'union_auditor'] as const;
const BASELINE_MS = 28 * 86_400_000;
/** Whose thresholds: the caller's own union unless another one (above which the caller sits) is named. */
const settingsQuery = z.object({ orgId: idSchema.optional() });

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

  /** A union's anomaly thresholds (its stored settings, or the defaults) and whether the caller may change them. */
  async function settingsView(req: Request, mode: 'read' | 'write'): Promise<AnomalySettingsView & { by: ReturnType<typeof auditBy> }> {
    const s = await adminScope(ctx, req, 'read');
    const orgId = parseOr400(settingsQuery, req.query, 'query').orgId ?? s.user.orgId!;
    if (!readsUnionSettings(s.authority, orgId)) throw new AppError('NOT_FOUND');
    const mayChange = setsUnionSettings(s.authority, orgId);
    if (mode === 'write' && !mayChange)
      throw new AppError(
        'FORBIDDEN',
        '只有该工会自己的审计员和管理员可以修改阈值 · only that union’s own auditors and admins change its thresholds',
      );
    const saved = await ctx.store.admin.unionSettings(orgId);
    return {
      orgId,
      thresholds: saved?.anomaly ?? ANOMALY_DEFAULTS,
      defaults: ANOMALY_DEFAULTS,
      ...(saved ? { updatedAt: saved.updatedAt, updatedBy: saved.updatedBy } : {}),
      mayChange,
      by: auditBy(ctx, s.user),
    };
  }

  r.get(
    '/audit/anomaly-settings',
    route(async (req, res) => {
      const { by: _by, ...view } = await settingsView(req, 'read');
      res.json(view);
    }),
  );

  r.put(
    '/audit/anomaly-settings',
    route(async (req, res) => {
      const { by, ...view } = await settingsView(req, 'write');
      const thresholds = parseOr400(anomalyThresholdsSchema, req.body);
      const saved = unwrap(
        await ctx.store.admin.saveUnionSettings(
          { orgId: view.orgId, anomaly: thresholds, updatedAt: by.at.toISOString(), updatedBy: by.username },
          by,
        ),
      );
      const body: AnomalySettingsView = { ...view, thresholds: saved.anomaly, updatedAt: saved.updatedAt, updatedBy: saved.updatedBy };
      res.json(body);
    }),
  );

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
      const { merchantIds, range, tz, scope, user } = await scoped(req, q);
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
      // The caller's union's saved thresholds; a query parameter overrides one for a single look.
      const saved = user.orgId ? (await ctx.store.admin.unionSettings(user.orgId))?.anomaly : undefined;
      const t = saved ?? ANOMALY_DEFAULTS;
      const flags = findAnomalies(
        rs.map((x) => ({
          id: x.id,
          receiptNo: x.receiptNo,
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
          // Each merchant's own opening hours decide what an odd hour is.
          hoursOf: (id) => hours.get(id),
          burstCount: q.burstCount ?? t.burstCount,
          burstMinutes: q.burstMinutes ?? t.burstMinutes,
          volumeFactor: q.volumeFactor ?? t.volumeFactor,
          volumeMin: q.volumeMin ?? t.volumeMin,
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
