/**
 * Settlement statements of union money owed to merchants: drafted from committed redemptions of a
 * period, then approved, then paid, each step recorded with who and when. Only inside the caller's union subtree.
 */
import { Router, type Request } from 'express';
import { AppError } from '../../core/errors.ts';
import { startOfLocalDate, nextDate } from '../../core/local-time.ts';
import { statementCreateSchema, type Statement, type StatementSummary } from '../../core/wire-portal.ts';
import type { AppContext } from '../context.ts';
import { requireUser } from '../http/auth.ts';
import { parseOr400, route } from '../http/errors.ts';
import { toCsv } from '../services/csv.ts';
import { yuanCell } from '../services/csv-money.ts';
import { allRedemptions } from '../services/portal-data.ts';
import { subtreeOf } from '../services/scope.ts';
import { draftRows, pendingAdjustments } from '../services/statement-draft.ts';
import { unionSettles } from '../services/union-settles.ts';

const ROLES = ['admin', 'union_auditor'] as const;
const summary = ({ redemptionIds, ...s }: Statement): StatementSummary => ({ ...s, redemptionCount: redemptionIds.length });

export function statementsRouter(ctx: AppContext): Router {
  const r = Router();

  async function mine(req: Request) {
    const user = requireUser(req, ROLES);
    return { user, subtree: subtreeOf(await ctx.store.orgs(), user.orgId ?? '') };
  }
  async function visible(req: Request): Promise<Statement> {
    const { subtree } = await mine(req);
    const s = await ctx.store.statement(String(req.params.id));
    if (!s || !subtree.has(s.orgId)) throw new AppError('NOT_FOUND');
    return s;
  }

  r.get(
    '/statements',
    route(async (req, res) => {
      const { subtree } = await mine(req);
      res.json({ items: (await ctx.store.statements(subtree)).map(summary) });
    }),
  );

  r.post(
    '/statements',
    route(async (req, res) => {
      const { user, subtree } = await mine(req);
      const body = parseOr400(statementCreateSchema, req.body);
      const orgId = body.orgId ?? user.orgId ?? '';
      if (!subtree.has(orgId)) throw new AppError('NOT_FOUND', 'No such union in your scope.');
      const settles = unionSettles(await ctx.store.orgs(), await ctx.store.offers(), orgId);
      const tz = settles.timeZone;
      const rs = await allRedemptions(ctx, {
        merchantIds: settles.merchantIds,
        status: 'committed',
        fromMs: startOfLocalDate(body.from, tz).getTime(),
        toMs: startOfLocalDate(nextDate(body.to), tz).getTime(),
      });
      const drafted = draftRows(rs, settles.counts);
      // Approved and paid statements never change: voids of what they counted are deducted here instead.
      const adjustments = pendingAdjustments(
        (await ctx.store.statements(new Set([orgId]))).filter((x) => x.orgId === orgId),
        await allRedemptions(ctx, { merchantIds: settles.merchantIds, status: 'voided' }),
        settles.counts,
      );
      const adjustmentFen = adjustments.reduce((a, x) => a + x.unionFen, 0);
      const out = await ctx.store.createStatement({
        orgId,
        from: body.from,
        to: body.to,
        timeZone: tz,
        status: 'draft',
        ...drafted,
        adjustments,
        adjustmentFen,
        netUnionFen: drafted.totalUnionFen - adjustmentFen,
        createdAt: ctx.now().toISOString(),
        createdBy: user.username,
      });
      if (out.kind === 'refused') throw new AppError(out.code, out.message);
      const s = out.statement;
      ctx.log.info({ statementId: s.id, orgId, by: user.username, totalUnionFen: s.totalUnionFen }, 'statement drafted');
      res.status(201).json(summary(s));
    }),
  );

  r.get(
    '/statements/:id.csv',
    route(async (req, res) => {
      const s = await visible(req);
      const merchants = new Map((await ctx.store.merchants()).map((m) => [m.id, m.name]));
      const offers = new Map((await ctx.store.offers()).map((o) => [o.id, o.title]));
      const csv = toCsv(
        [
          '结算单 statement',
          '期间 period',
          '状态 status',
          '商户 merchant',
          '商户编号 merchant id',
          '活动 campaign',
          '活动编号 campaign id',
          '笔数 count',
          '工会资金 union money (CNY)',
        ],
        [
          ...s.rows.map((x) => [
            s.id,
            `${s.from}~${s.to}`,
            s.status,
            merchants.get(x.merchantId) ?? x.merchantId,
            x.merchantId,
            offers.get(x.campaignId) ?? x.campaignId,
            x.campaignId,
            x.count,
            yuanCell(x.unionFen),
          ]),
          [
            s.id,
            `${s.from}~${s.to}`,
            s.status,
            '合计 total',
            '',
            '',
            '',
            s.rows.reduce((a, x) => a + x.count, 0),
            yuanCell(s.totalUnionFen),
          ],
          ...(s.adjustments ?? []).map((a) => [
            s.id,
            `${s.from}~${s.to}`,
            s.status,
            `扣回 deducted: ${a.redemptionId} voided after ${a.statementId}`,
            a.merchantId,
            offers.get(a.campaignId) ?? a.campaignId,
            a.campaignId,
            1,
            yuanCell(a.unionFen),
          ]),
          ...((s.adjustments ?? []).length
            ? [[s.id, `${s.from}~${s.to}`, s.status, '应付 net owed', '', '', '', '', yuanCell(s.totalUnionFen - (s.adjustmentFen ?? 0))]]
            : []),
        ],
      );
      res.type('text/csv; charset=utf-8').setHeader('Content-Disposition', `attachment; filename="${s.id}.csv"`);
      res.send(csv);
    }),
  );

  r.get(
    '/statements/:id',
    route(async (req, res) => {
      res.json(summary(await visible(req)));
    }),
  );

  for (const [step, to] of [
    ['approve', 'approved'],
    ['pay', 'paid'],
    ['cancel', 'cancelled'],
  ] as const) {
    r.post(
      `/statements/:id/${step}`,
      route(async (req, res) => {
        const { user } = await mine(req);
        const s = await visible(req);
        // Four eyes: whoever drafted a statement neither approves it nor records its payment (the approver may).
        if (to !== 'cancelled' && s.createdBy === user.username) {
          throw new AppError(
            'FOUR_EYES',
            `${user.username} 起草了 ${s.id}，须由另一人${step === 'approve' ? '审批' : '登记付款'} · ${user.username} drafted ${s.id}; someone else must ${step === 'approve' ? 'approve it' : 'record its payment'}.`,
          );
        }
        if (to === 'approved') {
          // A draft that counts a redemption voided since is out of date: approve a fresh draft instead of paying for it now and deducting it later.
          const counted = new Set(s.redemptionIds);
          const merchants = new Set(s.rows.map((x) => x.merchantId));
          const stale = (await allRedemptions(ctx, { merchantIds: merchants, status: 'voided' }))
            .filter((x) => counted.has(x.id))
            .map((x) => x.id);
          if (stale.length)
            throw new AppError(
              'CONFLICT',
              `${s.id} 制单后其中 ${stale.join('、')} 已撤销，请作废本单并重新生成 · ${s.id} counts ${stale.join(', ')}, voided since it was drafted; cancel it and draft again`,
              { voidedSinceDraft: stale },
            );
        }
        const out = await ctx.store.advanceStatement(s.id, to, user.username, ctx.now());
        if (out.kind === 'refused') throw new AppError(out.code, out.message);
        ctx.log.info({ statementId: s.id, status: to, by: user.username }, `statement ${to}`);
        res.json(summary(out.statement));
      }),
    );
  }
  return r;
}
