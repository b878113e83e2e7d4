import { describe, expect, it } from 'vitest';
import { makeCampaign, makeOffer } from './rules/fixtures.ts';
import { issuesToDetails } from './wire.ts';
import { mergeOfferPatch, offerPatchSchema, offerWriteSchema } from './wire-offer.ts';

const { version: _v, createdAt: _c, ...agreement } = makeOffer({ conditions: { weekdays: [1, 2, 3, 4, 5] } });

describe('offerWriteSchema: one schema for creating and changing an offer', () => {
  it('needs budgetFen for union money of every offer kind', () => {
    for (const kind of ['agreement', 'campaign'] as const) {
      const r = offerWriteSchema.safeParse({ ...agreement, kind, unionShareBps: 1 });
      expect(r.success).toBe(false);
      expect(issuesToDetails(r.error!)).toEqual([expect.objectContaining({ path: 'budgetFen' })]);
      expect(offerWriteSchema.safeParse({ ...agreement, kind, unionShareBps: 1, budgetFen: 0 }).success).toBe(true);
    }
    expect(offerWriteSchema.safeParse({ ...agreement, unionShareBps: 0 }).success).toBe(true);
  });

  it('judges a change as the whole offer it makes: a patch adding union money without a budget fails', () => {
    const patch = offerPatchSchema.parse({ unionShareBps: 10000 });
    const r = offerWriteSchema.safeParse(mergeOfferPatch(makeOffer(), patch));
    expect(r.success).toBe(false);
    expect(issuesToDetails(r.error!)).toEqual([expect.objectContaining({ path: 'budgetFen' })]);
    // The campaign already has a budget: raising its share is fine.
    expect(offerWriteSchema.safeParse(mergeOfferPatch(makeCampaign(), offerPatchSchema.parse({ unionShareBps: 5000 }))).success).toBe(true);
  });

  it('keeps what a patch leaves out (no default resets the conditions) and drops version and createdAt', () => {
    const patch = offerPatchSchema.parse({ title: '新标题' });
    expect(patch).toEqual({ title: '新标题' });
    const merged = offerWriteSchema.parse(mergeOfferPatch(makeOffer({ version: 3, conditions: { weekdays: [6, 7] } }), patch));
    expect(merged).toMatchObject({ title: '新标题', conditions: { weekdays: [6, 7] } });
    expect(merged).not.toHaveProperty('version');
    expect(merged).not.toHaveProperty('createdAt');
  });
});
