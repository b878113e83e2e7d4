/**
 * The administration the core needs: offers (agreements and campaigns, versioned, audited).
 * Card status moved to admin-cards.ts.
 * Scope: an admin or union user acts within its union's subtree.
 */
import { Router, type Request } from 'express';
import type { Offer } from '../../core/domain.ts';
import { AppError } from '../../core/errors.ts';
import { mergeOfferPatch, offerPatchSchema, offerWriteSchema } from '../../core/wire-offer.ts';
import type { AppContext } from '../context.ts';
import { requireUser } from '../http/auth.ts';
import { parseOr400, route } from '../http/errors.ts';
import { auditBy, unwrap } from '../services/admin-scope.ts';
import { managesMerchant, signsOffer } from '../authority.ts';
import { canSeeMerchant, referenceOf, scopeOf, subtreeOf } from '../services/scope.ts';

// One schema for creating and changing an offer (core/wire-offer.ts): the money rules hold for both.
const offerInput = offerWriteSchema;
const offerPatch = offerPatchSchema;

export function adminRouter(ctx: AppContext): Router {
  const r = Router();

  r.get(
    '/agreements',
    route(async (req, res) => {
      const scope = scopeOf(req.actor!, await referenceOf(ctx.store));
      const merchantId = typeof req.query.merchantId === 'string' ? req.query.merchantId : undefined;
      const items = (await ctx.store.offers()).filter(
        (o) => canSeeMerchant(scope, o.merchantId) && (!merchantId || o.merchantId === merchantId),
      );
      res.json({ items });
    }),
  );

  /** The authority model decides (server/authority.ts): only a union managing the merchant signs there, for its own subtree. */
  async function checkSigner(req: Request, offer: Pick<Offer, 'orgId' | 'merchantId' | 'conditions'>) {
    const ref = await referenceOf(ctx.store);
    const { authority } = scopeOf(req.actor!, ref);
    const orgs = ref.orgs;
    if (!managesMerchant(authority, offer.merchantId))
      throw new AppError('NOT_FOUND', '不在您管理范围内的商户 · No such merchant in your scope');
    if (!signsOffer(authority, offer)) throw new AppError('FORBIDDEN', 'You may only sign for your union or a union below it.');
    const signer = subtreeOf(orgs, offer.orgId);
    for (const o of offer.conditions.memberOrgIds ?? []) {
      if (!signer.has(o))
        throw new AppError('VALIDATION_FAILED', `memberOrgIds: ${o} is not under ${offer.orgId}`, [
          { path: 'conditions.memberOrgIds', message: 'outside the signing union' },
        ]);
    }
    if (!(await ctx.store.merchant(offer.merchantId)))
      throw new AppError('VALIDATION_FAILED', 'unknown merchant', [{ path: 'merchantId', message: 'unknown merchant' }]);
  }

  r.post(
    '/agreements',
    route(async (req, res) => {
      const user = requireUser(req, ['admin']);
      const input = parseOr400(offerInput, req.body);
      if (await ctx.store.offerVersion(input.id, 1)) throw new AppError('CONFLICT', `offer ${input.id} exists; PUT a new version`);
      await checkSigner(req, input);
      const saved = unwrap(
        await ctx.store.admin.saveOffer({ ...input, version: 1, createdAt: ctx.now().toISOString() }, auditBy(ctx, user)),
      );
      await ctx.realtime.agreementsChanged({
        merchantId: saved.merchantId,
        offerId: saved.id,
        version: saved.version,
        at: saved.createdAt,
      });
      res.status(201).json(saved);
    }),
  );

  /** Editing makes a new version; redemptions keep citing the version they used. */
  r.put(
    '/agreements/:id',
    route(async (req, res) => {
      const user = requireUser(req, ['admin']);
      const cur = (await ctx.store.offers()).find((o) => o.id === req.params.id);
      if (!cur) throw new AppError('NOT_FOUND');
      await checkSigner(req, cur); // before validating, so a stranger's offer is 404 whatever the body
      const patch = parseOr400(offerPatch, req.body);
      // The changed offer is judged as a whole, by the same schema as a new one.
      const merged = parseOr400(offerInput, mergeOfferPatch(cur, patch));
      const next: Offer = { ...merged, version: cur.version + 1, createdAt: ctx.now().toISOString() };
      await checkSigner(req, next);
      const saved = unwrap(await ctx.store.admin.saveOffer(next, auditBy(ctx, user)));
      await ctx.realtime.agreementsChanged({
        merchantId: saved.merchantId,
        offerId: saved.id,
        version: saved.version,
        at: saved.createdAt,
      });
      res.json(saved);
    }),
  );

  r.get(
    '/agreements/:id/versions/:version',
    route(async (req, res) => {
      const o = await ctx.store.offerVersion(String(req.params.id), Number(req.params.version));
      const scope = scopeOf(req.actor!, await referenceOf(ctx.store));
      if (!o || !canSeeMerchant(scope, o.merchantId)) throw new AppError('NOT_FOUND');
      res.json(o);
    }),
  );

  return r;
}

/** The request schemas above, for the OpenAPI document (server/routes/openapi.ts). */
export const adminOfferSchemas = { offerInput, offerPatch };
