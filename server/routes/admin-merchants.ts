/**
 * Merchants, their stores and terminals. A union manages the merchants it registered or signed with
 * (admin-scope.ts); a new terminal gets a one-time pairing code, shown once and stored only as a hash.
 */
import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { idSchema, type Merchant, type Terminal } from '../../core/domain.ts';
import { AppError } from '../../core/errors.ts';
import type { AppContext } from '../context.ts';
import { parseOr400, route } from '../http/errors.ts';
import { managesMerchant, overseesMerchant } from '../authority.ts';
import { sha256 } from '../security/hashing.ts';
import { adminScope, auditBy, merchantScope, orgName, unwrap, type AdminScope } from '../services/admin-scope.ts';
import { merchantsCsv } from '../services/csv-admin.ts';
import { csvFormatOf } from '../services/csv-redemptions.ts';

const names = { name: z.string().trim().min(1).max(100), nameEn: z.string().trim().max(100).optional() };
const merchantBody = z.object({ id: idSchema, ...names });
/** regionOrgId: the union of the store's district or county (its offline snapshot's members); null clears it. */
const region = { regionOrgId: idSchema.nullable().optional() };
const storeBody = z.object({ id: idSchema, merchantId: idSchema, ...names, ...region });
const namesBody = z.object(names);
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, '时间应为 24 小时制 HH:MM，如 09:00 · a time as HH:MM, 24-hour, such as 09:00');
/**
 * A merchant's names, and optionally its opening hours (odd-hours anomalies are judged against them; `to`
 * before `from` runs past midnight, equal means always open) and its sale maximum in fen (above it the
 * cashier confirms once more). Absent keeps the value, null clears it.
 */
const merchantUpdateBody = z.object({
  ...names,
  openingHours: z.object({ from: hhmm, to: hhmm }).nullable().optional(),
  maxSaleFen: z
    .number({ error: '单笔上限应为整数（分）· the sale maximum is a whole number of fen' })
    .int('单笔上限应为整数（分）· the sale maximum is a whole number of fen')
    .min(100, '单笔上限至少 ¥1.00 · the sale maximum is at least ¥1.00')
    .max(100_000_000_000, '单笔上限最多 ¥1,000,000,000.00 · the sale maximum is at most ¥1,000,000,000.00')
    .nullable()
    .optional(),
});
const storeUpdateBody = z.object({ ...names, ...region });
const terminalBody = z.object({ id: idSchema.optional(), storeId: idSchema });
const byMerchant = z.object({ merchantId: idSchema.optional(), storeId: idSchema.optional() });

/** Unambiguous when read aloud or typed at a till: no 0/O, 1/I. */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export function newPairingCode(): string {
  const b = randomBytes(8);
  return `PAIR-${[...b].map((x) => ALPHABET[x % ALPHABET.length]).join('')}`;
}

export function adminMerchantsRouter(ctx: AppContext): Router {
  const r = Router();

  /** A merchant the caller oversees (reads) or, for a change, manages (authority.ts); anything else is 404. */
  async function merchantIn(s: AdminScope, id: string, mode: 'read' | 'write' = 'read'): Promise<Merchant> {
    const m = await ctx.store.merchant(id);
    if (!m || !(mode === 'write' ? managesMerchant(s.authority, m.id) : overseesMerchant(s.authority, m.id)))
      throw new AppError('NOT_FOUND');
    return m;
  }
  async function shopIn(s: AdminScope, id: string, mode: 'read' | 'write' = 'read') {
    const shop = await ctx.store.shop(id);
    if (!shop) throw new AppError('NOT_FOUND');
    await merchantIn(s, shop.merchantId, mode);
    return shop;
  }
  /** The region a store write asks for: a union inside the caller's subtree; undefined keeps, null clears. */
  function regionIn(s: AdminScope, asked: string | null | undefined, cur: string | undefined) {
    if (asked === null) return {};
    const id = asked ?? cur;
    if (asked !== undefined && !s.subtree.has(asked))
      throw new AppError('VALIDATION_FAILED', `区域工会 ${asked} 不在您的管辖范围内 · region union ${asked} is not one of your unions`);
    return id ? { regionOrgId: id } : {};
  }
  const terminalView = (t: Terminal, merchantId: string) => ({
    id: t.id,
    storeId: t.storeId,
    merchantId,
    paired: t.tokenHash !== null,
    waitingForPairing: t.pairingCodeHash !== null,
    enrolledAt: t.enrolledAt,
    lastSeenAt: t.lastSeenAt,
  });

  async function merchantRows(s: AdminScope) {
    const ids = await merchantScope(ctx, s);
    const shops = await ctx.store.shops();
    const terminals = await ctx.store.terminals();
    const shopMerchant = new Map(shops.map((x) => [x.id, x.merchantId]));
    return (await ctx.store.merchants())
      .filter((m) => ids.has(m.id))
      .map((m) => ({
        ...m,
        orgName: m.orgId ? orgName(s.orgs, m.orgId) : undefined,
        storeCount: shops.filter((x) => x.merchantId === m.id).length,
        terminalCount: terminals.filter((t) => shopMerchant.get(t.storeId) === m.id).length,
      }));
  }

  r.get(
    '/admin/merchants',
    route(async (req, res) => {
      res.json({ items: await merchantRows(await adminScope(ctx, req, 'read')) });
    }),
  );

  r.get(
    '/admin/merchants.csv',
    route(async (req, res) => {
      const rows = await merchantRows(await adminScope(ctx, req, 'read'));
      res
        .type('text/csv; charset=utf-8')
        .set('Content-Disposition', 'attachment; filename="merchants.csv"')
        .send(merchantsCsv(rows, csvFormatOf(req.query)));
    }),
  );

  r.post(
    '/admin/merchants',
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'write');
      const b = parseOr400(merchantBody, req.body);
      const m: Merchant = { id: b.id, name: b.name, ...(b.nameEn ? { nameEn: b.nameEn } : {}), orgId: s.user.orgId! };
      res.status(201).json(unwrap(await ctx.store.admin.saveMerchant(m, auditBy(ctx, s.user), 'create')));
    }),
  );

  r.put(
    '/admin/merchants/:id',
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'write');
      const cur = await merchantIn(s, String(req.params.id), 'write');
      const b = parseOr400(merchantUpdateBody, req.body);
      const { nameEn: _old, openingHours, maxSaleFen, ...rest } = cur;
      const hours = b.openingHours === undefined ? openingHours : (b.openingHours ?? undefined);
      const max = b.maxSaleFen === undefined ? maxSaleFen : (b.maxSaleFen ?? undefined);
      const m: Merchant = {
        ...rest,
        name: b.name,
        ...(b.nameEn ? { nameEn: b.nameEn } : {}),
        ...(hours ? { openingHours: hours } : {}),
        ...(max ? { maxSaleFen: max } : {}),
      };
      res.json(unwrap(await ctx.store.admin.saveMerchant(m, auditBy(ctx, s.user), 'update')));
    }),
  );

  r.get(
    '/admin/stores',
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'read');
      const q = parseOr400(byMerchant, req.query, 'query');
      if (q.merchantId) await merchantIn(s, q.merchantId);
      const ids = await merchantScope(ctx, s);
      res.json({
        items: (await ctx.store.shops()).filter((x) => ids.has(x.merchantId) && (!q.merchantId || x.merchantId === q.merchantId)),
      });
    }),
  );

  r.post(
    '/admin/stores',
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'write');
      const b = parseOr400(storeBody, req.body);
      await merchantIn(s, b.merchantId, 'write');
      res.status(201).json(
        unwrap(
          await ctx.store.admin.saveShop(
            {
              id: b.id,
              merchantId: b.merchantId,
              name: b.name,
              ...(b.nameEn ? { nameEn: b.nameEn } : {}),
              ...regionIn(s, b.regionOrgId, undefined),
            },
            auditBy(ctx, s.user),
            'create',
          ),
        ),
      );
    }),
  );

  r.put(
    '/admin/stores/:id',
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'write');
      const cur = await shopIn(s, String(req.params.id), 'write');
      const b = parseOr400(storeUpdateBody, req.body);
      res.json(
        unwrap(
          await ctx.store.admin.saveShop(
            {
              id: cur.id,
              merchantId: cur.merchantId,
              name: b.name,
              ...(b.nameEn ? { nameEn: b.nameEn } : {}),
              ...regionIn(s, b.regionOrgId, cur.regionOrgId),
            },
            auditBy(ctx, s.user),
            'update',
          ),
        ),
      );
    }),
  );

  r.get(
    '/admin/terminals',
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'read');
      const q = parseOr400(byMerchant, req.query, 'query');
      if (q.merchantId) await merchantIn(s, q.merchantId);
      if (q.storeId) await shopIn(s, q.storeId);
      const ids = await merchantScope(ctx, s);
      const shopMerchant = new Map((await ctx.store.shops()).map((x) => [x.id, x.merchantId]));
      const items = (await ctx.store.terminals())
        .map((t) => terminalView(t, shopMerchant.get(t.storeId) ?? ''))
        .filter(
          (t) => ids.has(t.merchantId) && (!q.merchantId || t.merchantId === q.merchantId) && (!q.storeId || t.storeId === q.storeId),
        );
      res.json({ items });
    }),
  );

  /** Answers the pairing code once; only its hash is kept. */
  r.post(
    '/admin/terminals',
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'write');
      const b = parseOr400(terminalBody, req.body);
      const shop = await shopIn(s, b.storeId, 'write');
      const existing = new Set((await ctx.store.terminals()).map((t) => t.id));
      let id = b.id ?? `t-${shop.id.replace(/^s-/, '')}`;
      for (let n = 2; !b.id && existing.has(id); n++) id = `t-${shop.id.replace(/^s-/, '')}-${n}`;
      const pairingCode = newPairingCode();
      const t = unwrap(
        await ctx.store.admin.saveTerminal(
          { id, storeId: shop.id, pairingCodeHash: sha256(pairingCode), tokenHash: null, enrolledAt: null, lastSeenAt: null },
          auditBy(ctx, s.user),
          'create',
        ),
      );
      res.status(201).json({ terminal: terminalView(t, shop.merchantId), pairingCode });
    }),
  );

  /** A lost or replaced till: its token stops working at once and a new pairing code is issued. */
  r.post(
    '/admin/terminals/:id/re-pair',
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'write');
      const cur = await ctx.store.terminal(String(req.params.id));
      if (!cur) throw new AppError('NOT_FOUND');
      const shop = await shopIn(s, cur.storeId, 'write');
      const pairingCode = newPairingCode();
      const t = unwrap(
        await ctx.store.admin.saveTerminal(
          { ...cur, pairingCodeHash: sha256(pairingCode), tokenHash: null, enrolledAt: null },
          auditBy(ctx, s.user),
          'repair',
        ),
      );
      ctx.realtime.terminalCutOff(t.id); // its open socket too, not only its next request
      res.json({ terminal: terminalView(t, shop.merchantId), pairingCode });
    }),
  );

  /** A stolen or retired till: its token and any pending pairing code stop working at once, sockets included. */
  r.post(
    '/admin/terminals/:id/revoke',
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'write');
      const cur = await ctx.store.terminal(String(req.params.id));
      if (!cur) throw new AppError('NOT_FOUND');
      const shop = await shopIn(s, cur.storeId, 'write');
      const t = unwrap(
        await ctx.store.admin.saveTerminal(
          { ...cur, pairingCodeHash: null, tokenHash: null, enrolledAt: null },
          auditBy(ctx, s.user),
          'repair',
        ),
      );
      ctx.realtime.terminalCutOff(t.id);
      res.json({ terminal: terminalView(t, shop.merchantId) });
    }),
  );

  return r;
}

/** The request schemas above, for the OpenAPI document (server/routes/openapi.ts). */
export const adminMerchantSchemas = { merchantBody, storeBody, namesBody, merchantUpdateBody, storeUpdateBody, terminalBody, byMerchant };
