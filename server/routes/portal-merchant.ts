/**
 * The merchant portal's reads beyond the core contract: who am I (names for menus), daily and monthly
 * totals per store (and their CSV), and the merchant's terminals with last-seen and status.
 */
import { Router, type Request } from 'express';
import { isoInZone } from '../../core/local-time.ts';
import { AppError } from '../../core/errors.ts';
import {
  pairingRequestSchema,
  portalMeSchema,
  totalsQuerySchema,
  type PairingResponse,
  type PortalMe,
  type TerminalStatus,
} from '../../core/wire-portal.ts';
import type { AppContext } from '../context.ts';
import { requireUser } from '../http/auth.ts';
import { parseOr400, route } from '../http/errors.ts';
import { overseesMerchant, pairsTerminalAt, readsMerchantLive } from '../authority.ts';
import { sha256 } from '../security/hashing.ts';
import { auditBy, unwrap } from '../services/admin-scope.ts';
import { toCsv } from '../services/csv.ts';
import { yuanCell } from '../services/csv-money.ts';
import { rangeMs } from '../services/date-range.ts';
import { allRedemptions, callerScope, callerZone } from '../services/portal-data.ts';
import { canSeeMerchant } from '../services/scope.ts';
import { assertInScope } from '../services/scope-filters.ts';
import { totalsOf } from '../services/totals.ts';
import { newPairingCode } from './admin-merchants.ts';

export function portalMerchantRouter(ctx: AppContext): Router {
  const r = Router();

  r.get(
    '/portal/me',
    route(async (req, res) => {
      const user = requireUser(req);
      const scope = await callerScope(ctx, req);
      const orgs = await ctx.store.orgs();
      const merchants = (await ctx.store.merchants()).filter((m) => canSeeMerchant(scope, m.id));
      const stores = (await ctx.store.shops()).filter((s) => canSeeMerchant(scope, s.merchantId));
      const storeIds = new Set(stores.map((s) => s.id));
      const org = orgs.find((o) => o.id === user.orgId);
      const merchant = user.merchantId ? merchants.find((m) => m.id === user.merchantId) : undefined;
      const body: PortalMe = {
        user: {
          id: user.id,
          username: user.username,
          displayName: user.displayName,
          role: user.role,
          orgId: user.orgId,
          merchantId: user.merchantId,
        },
        org: org ? { id: org.id, name: org.name, ...(org.nameEn ? { nameEn: org.nameEn } : {}) } : null,
        merchant: merchant ? { id: merchant.id, name: merchant.name, ...(merchant.nameEn ? { nameEn: merchant.nameEn } : {}) } : null,
        timeZone: await callerZone(ctx, req),
        serverTime: ctx.now().toISOString(),
        merchants: merchants.map((m) => ({ id: m.id, name: m.name, ...(m.nameEn ? { nameEn: m.nameEn } : {}) })),
        stores: stores.map((s) => ({ id: s.id, merchantId: s.merchantId, name: s.name, ...(s.nameEn ? { nameEn: s.nameEn } : {}) })),
        terminals: (await ctx.store.terminals()).filter((t) => storeIds.has(t.storeId)).map((t) => ({ id: t.id, storeId: t.storeId })),
        // Unions: the caller's subtree (union users), or those named as members' unions (all, for names).
        orgs: orgs
          .filter((o) => !scope.orgSubtree || scope.orgSubtree.has(o.id))
          .map((o) => ({ id: o.id, name: o.name, ...(o.nameEn ? { nameEn: o.nameEn } : {}), parentId: o.parentId })),
      };
      res.json(portalMeSchema.parse(body));
    }),
  );

  async function totalsFor(req: Request) {
    requireUser(req);
    const q = parseOr400(totalsQuerySchema, req.query, 'query');
    const scope = await callerScope(ctx, req);
    await assertInScope(ctx.store, scope, { storeId: q.storeId });
    const tz = await callerZone(ctx, req);
    const rs = await allRedemptions(
      ctx,
      {
        ...(scope.merchantIds ? { merchantIds: scope.merchantIds } : {}),
        ...(q.storeId ? { storeId: q.storeId } : {}),
        status: 'committed',
        ...rangeMs(q.from, q.to, tz),
      },
      scope,
    );
    return totalsOf(rs, q.granularity, tz);
  }

  r.get(
    '/merchant/totals.csv',
    route(async (req, res) => {
      const t = await totalsFor(req);
      const names = new Map((await ctx.store.shops()).map((s) => [s.id, s.name]));
      const csv = toCsv(
        [
          t.granularity === 'day' ? '日期 date' : '月份 month',
          '门店 store',
          '门店编号 store id',
          '笔数 count',
          '销售额 sales (CNY)',
          '优惠 discount (CNY)',
          '商家让利 merchant-funded (CNY)',
          '工会应付 union owes (CNY)',
        ],
        [
          ...t.rows.map((x) => [
            x.period,
            names.get(x.storeId) ?? x.storeId,
            x.storeId,
            x.count,
            yuanCell(x.salesFen),
            yuanCell(x.discountFen),
            yuanCell(x.merchantFen),
            yuanCell(x.unionFen),
          ]),
          [
            '合计 total',
            '',
            '',
            t.total.count,
            yuanCell(t.total.salesFen),
            yuanCell(t.total.discountFen),
            yuanCell(t.total.merchantFen),
            yuanCell(t.total.unionFen),
          ],
        ],
      );
      res.type('text/csv; charset=utf-8').setHeader('Content-Disposition', `attachment; filename="totals-${t.granularity}.csv"`);
      res.send(csv);
    }),
  );

  r.get(
    '/merchant/totals',
    route(async (req, res) => {
      res.json(await totalsFor(req));
    }),
  );

  r.get(
    '/merchant/terminals',
    route(async (req, res) => {
      const user = requireUser(req, ['merchant_admin', 'admin']);
      const { authority } = await callerScope(ctx, req);
      // Terminals are the merchant's own, or a union's that brought it in: reading its redemptions is not enough.
      const mine = (merchantId: string) =>
        user.role === 'merchant_admin' ? readsMerchantLive(authority, merchantId) : overseesMerchant(authority, merchantId);
      const stores = new Map((await ctx.store.shops()).filter((s) => mine(s.merchantId)).map((s) => [s.id, s]));
      const now = ctx.now();
      const tz = await callerZone(ctx, req);
      const items: TerminalStatus[] = (await ctx.store.terminals())
        .filter((t) => stores.has(t.storeId))
        .map((t) => {
          const seen = ctx.realtime.presence.lastSeen(t.id) ?? (t.lastSeenAt ? new Date(t.lastSeenAt) : undefined);
          const state: TerminalStatus['state'] = t.tokenHash
            ? ctx.realtime.presence.isOnline(t.id, now)
              ? 'online'
              : 'offline'
            : t.pairingCodeHash
              ? 'pending'
              : 'never';
          return { id: t.id, storeId: t.storeId, state, enrolledAt: t.enrolledAt, lastSeenAt: seen ? isoInZone(seen, tz) : null };
        });
      res.json({ items });
    }),
  );

  /** A new terminal for one of the merchant's stores; the pairing code is answered once and kept only as a hash. */
  r.post(
    '/merchant/terminals',
    route(async (req, res) => {
      const user = requireUser(req, ['merchant_admin']);
      const { storeId } = parseOr400(pairingRequestSchema, req.body);
      const shop = await ctx.store.shop(storeId);
      if (!shop || !pairsTerminalAt((await callerScope(ctx, req)).authority, shop))
        throw new AppError('NOT_FOUND', 'No such store of yours.');
      const existing = new Set((await ctx.store.terminals()).map((t) => t.id));
      const stem = `t-${shop.id.replace(/^s-/, '')}`;
      let id = stem;
      for (let n = 2; existing.has(id); n++) id = `${stem}-${n}`;
      const pairingCode = newPairingCode();
      const t = unwrap(
        await ctx.store.admin.saveTerminal(
          { id, storeId: shop.id, pairingCodeHash: sha256(pairingCode), tokenHash: null, enrolledAt: null, lastSeenAt: null },
          auditBy(ctx, user),
          'create',
        ),
      );
      ctx.log.info({ terminalId: t.id, storeId: shop.id, by: user.username }, 'pairing code issued');
      const body: PairingResponse = { terminalId: t.id, storeId: shop.id, pairingCode };
      res.status(201).json(body);
    }),
  );
  return r;
}
