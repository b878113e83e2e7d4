/**
 * The agreement editor's reads: offers a union signed (with what is left of campaign budgets), every
 * version of one, and a preview that runs the rules engine on a sample sale without recording anything.
 * Creating and versioning offers stays in admin.ts (POST/PUT /agreements).
 */
import { Router } from 'express';
import { z } from 'zod';
import { fen, idSchema, type Offer } from '../../core/domain.ts';
import { AppError } from '../../core/errors.ts';
import { evaluate } from '../../core/rules/engine.ts';
import { NO_USES } from '../../core/rules/usage-count.ts';
import { itemSchema } from '../../core/wire.ts';
import { offerWriteSchema } from '../../core/wire-offer.ts';
import type { AppContext } from '../context.ts';
import { parseOr400, route } from '../http/errors.ts';
import { adminScope, type AdminScope } from '../services/admin-scope.ts';
import { pathOf } from '../services/scope.ts';

// The editor previews exactly what it could save: the same schema as POST and PUT /agreements.
const draftSchema = offerWriteSchema;

const previewSchema = z.object({
  merchantId: idSchema,
  storeId: idSchema.optional(),
  /** The editor's unsaved offer: previewed in place of the saved version with the same id. */
  draft: draftSchema.optional(),
  amountFen: fen.max(100_000_000_00),
  items: z.array(itemSchema).max(100).optional(),
  memberOrgId: idSchema,
  at: z.iso.datetime({ offset: true }).optional(),
});

export function adminAgreementsRouter(ctx: AppContext): Router {
  const r = Router();

  /** A union sees the offers it or a union below it signed; the root sees all. */
  const visible = (s: AdminScope, o: Pick<Offer, 'orgId'>) => s.root || s.subtree.has(o.orgId);

  r.get(
    '/admin/agreements',
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'read');
      const merchants = new Map((await ctx.store.merchants()).map((m) => [m.id, m]));
      const items = [];
      for (const o of await ctx.store.offers()) {
        if (!visible(s, o)) continue;
        items.push({
          ...o,
          merchantName: merchants.get(o.merchantId)?.name ?? o.merchantId,
          ...(o.budgetFen !== undefined ? { remainingBudgetFen: await ctx.store.remainingBudget(o.id) } : {}),
        });
      }
      items.sort((a, b) => a.merchantId.localeCompare(b.merchantId) || a.id.localeCompare(b.id));
      res.json({ items });
    }),
  );

  r.get(
    '/admin/agreements/:id/versions',
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'read');
      const versions = await ctx.store.admin.offerVersions(String(req.params.id));
      if (versions.length === 0 || !visible(s, versions[versions.length - 1]!)) throw new AppError('NOT_FOUND');
      res.json({ items: versions });
    }),
  );

  r.post(
    '/admin/agreements/preview',
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'read');
      const p = parseOr400(previewSchema, req.body);
      if (!s.subtree.has(p.memberOrgId)) throw new AppError('NOT_FOUND', 'No such union in your scope.');
      if (p.draft && (p.draft.merchantId !== p.merchantId || !s.subtree.has(p.draft.orgId)))
        throw new AppError('NOT_FOUND', 'The draft must be for this merchant and signed in your scope.');
      const shops = (await ctx.store.shops()).filter((x) => x.merchantId === p.merchantId);
      const shop = p.storeId ? shops.find((x) => x.id === p.storeId) : shops[0];
      if (!(await ctx.store.merchant(p.merchantId)) || !shop) throw new AppError('NOT_FOUND', 'No such merchant or store.');
      const orgs = await ctx.store.orgs();
      let offers = await ctx.store.activeOffers(p.merchantId);
      if (p.draft) {
        const cur = offers.find((o) => o.id === p.draft!.id);
        const draft: Offer = { ...p.draft, version: (cur?.version ?? 0) + 1, createdAt: ctx.now().toISOString() };
        offers = [...offers.filter((o) => o.id !== draft.id), draft];
      }
      // Budget left = the (possibly edited) budget minus what the saved campaign has already granted.
      const budgets = new Map<string, number>();
      const saved = new Map((await ctx.store.offers()).map((o) => [o.id, o]));
      for (const o of offers) {
        if (o.budgetFen === undefined) continue;
        const cur = saved.get(o.id);
        const spent = cur?.budgetFen !== undefined ? cur.budgetFen - (await ctx.store.remainingBudget(o.id)) : 0;
        budgets.set(o.id, Math.max(0, o.budgetFen - spent));
      }
      const tz = new Map(orgs.map((o) => [o.id, o.timeZone]));
      const verdict = evaluate({
        now: p.at ? new Date(p.at) : ctx.now(),
        amountFen: p.amountFen,
        ...(p.items ? { items: p.items } : {}),
        storeId: shop.id,
        memberOrgPath: pathOf(orgs, p.memberOrgId),
        offers,
        timeZoneOf: (id) => tz.get(id) ?? 'Asia/Shanghai',
        // A sample member who has used nothing yet: limits are shown as conditions, not counted.
        usageOf: () => NO_USES,
        remainingBudgetOf: (id) => budgets.get(id) ?? 0,
      });
      res.json({ ...verdict, storeId: shop.id });
    }),
  );

  return r;
}

/** The request schemas above, for the OpenAPI document (server/routes/openapi.ts). */
export const adminAgreementSchemas = { previewSchema };
