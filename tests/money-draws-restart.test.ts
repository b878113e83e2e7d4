/**
 * Budget draws of co-funded agreements (Meta.extraDraws) survive a restart, from the ledger checkpoint
 * and from a full replay alike: a budget must not refill because the server restarted.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Line } from '../core/wire.ts';
import { EmbeddedStore } from '../server/store/embedded-store.ts';
import { campaignLine, draft, referenceFixture } from './store-contract.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'huika-draws-'));
  dirs.push(d);
  return d;
};
const coFunded = (unionFen: number): Line => ({
  agreementId: 'a-u',
  agreementVersion: 1,
  title: 'a-u',
  discountFen: unionFen,
  funding: { merchantFen: 0, unionFen },
});

async function figures(s: EmbeddedStore) {
  return {
    aU: await s.remainingBudget('a-u'),
    cB: await s.remainingBudget('c-b'),
    settlement: await s.settlement(new Set(['a-u', 'c-b'])),
  };
}

describe('budget draws of co-funded agreements across a restart', () => {
  it('reopens with the same budgets and settlement, from the checkpoint and from a full replay', async () => {
    const dir = tempDir();
    const a = await EmbeddedStore.open({ dir, checkpointMinEntries: 1 });
    await a.seed(referenceFixture());
    const base = (await a.offerVersion('a-a', 1))!;
    await a.saveOffer({ ...base, id: 'a-u', title: 'a-u', unionShareBps: 10000, budgetFen: 5000 });
    for (let i = 0; i < 3; i++)
      expect((await a.commitRedemption(draft({ lines: [coFunded(700), campaignLine(1000)] }), () => null)).kind).toBe('created');
    const voided = await a.commitRedemption(draft({ lines: [coFunded(500)] }), () => null);
    if (voided.kind !== 'created') throw new Error('setup');
    await a.voidRedemption(voided.redemption.id, 'refund', 'user:u-a', new Date());
    const before = await figures(a);
    expect(before).toMatchObject({ aU: 5000 - 2100, cB: 100_000 - 3000 });
    await a.close();

    const replay = tempDir();
    cpSync(dir, replay, { recursive: true });
    rmSync(join(replay, 'ledger.index'));
    rmSync(join(replay, 'huika.lock'), { force: true });
    for (const d of [dir, replay]) {
      const b = await EmbeddedStore.open({ dir: d, checkpointMinEntries: 1 });
      try {
        expect(await figures(b)).toEqual(before);
        // Still exact after the restart: 2,900 fen left, so 2,901 is refused.
        expect((await b.commitRedemption(draft({ lines: [coFunded(2901)] }), () => null)).kind).toBe('refused');
      } finally {
        await b.close();
      }
    }
  });
});
