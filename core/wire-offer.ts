/**
 * The one schema of an offer as an admin writes it (POST /agreements, PUT /agreements/:id, the editor's
 * preview). The money rules live here, not in a route: creating and changing an offer are judged alike,
 * because a PUT is validated as the whole offer it would produce (its patch merged onto the current one).
 */
import type { z } from 'zod';
import { conditionsSchema, offerSchema, ruleSchema, type Offer } from './domain.ts';

const offerFields = offerSchema
  .omit({ version: true, createdAt: true })
  .extend({ conditions: conditionsSchema.default({}), rule: ruleSchema });

/** Rules across fields; each issue names the field an editor must change. */
function offerRules(o: z.infer<typeof offerFields>, ctx: z.RefinementCtx): void {
  // Union money without a budget would be unlimited: whoever funds with union money says how much, for every offer kind.
  if (o.unionShareBps > 0 && o.budgetFen === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: 'union-funded offers (unionShareBps > 0) need budgetFen · 工会出资须设预算',
      path: ['budgetFen'],
    });
  }
  if (o.conditions.hours && o.conditions.hours.from === o.conditions.hours.to) {
    ctx.addIssue({ code: 'custom', message: 'an empty hours window never applies', path: ['conditions', 'hours'] });
  }
}

/** A whole offer as written: id, merchant, kind, signer, rule, conditions, funding. */
export const offerWriteSchema = offerFields.superRefine(offerRules);
export type OfferWrite = z.infer<typeof offerWriteSchema>;

/**
 * What a PUT may carry: any of the editable fields. No defaults here (an absent `conditions` keeps the
 * current ones rather than resetting them); the merged result is then checked with offerWriteSchema.
 */
export const offerPatchSchema = offerSchema
  .omit({ version: true, createdAt: true, id: true, merchantId: true, kind: true })
  .extend({ conditions: conditionsSchema.optional() })
  .partial();
export type OfferPatch = z.infer<typeof offerPatchSchema>;

/** The offer a PUT would produce, before validation: the current version with the patch laid over it. */
export function mergeOfferPatch(cur: Offer, patch: OfferPatch): unknown {
  const { version: _v, createdAt: _c, ...fields } = cur;
  const next: Record<string, unknown> = { ...fields };
  for (const [k, v] of Object.entries(patch)) if (v !== undefined) next[k] = v;
  return next;
}
