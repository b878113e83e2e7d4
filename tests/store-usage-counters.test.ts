/** The embedded store's usage counters survive a restart: rebuilt from the ledger, and from its checkpoint. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Line } from '../core/wire.ts';
import { EmbeddedStore } from '../server/store/embedded-store.ts';
import { draft, referenceFixture } from './store-contract.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const line: Line = {
  agreementId: 'a-b',
  agreementVersion: 1,
  title: 'a-b',
  discountFen: 2000,
  funding: { merchantFen: 2000, unionFen: 0 },
};
const at = (createdAt: string) => draft({ merchantId: 'm-b', storeId: 's-b-1', terminalId: 't-b-1', lines: [line], createdAt });
const ASK = ['2026-11-25T04:00:00.000Z', '2026-11-24T12:00:00.000Z', '2026-10-31T12:00:00.000Z'];

async function countsOf(s: EmbeddedStore) {
  const out: unknown[] = [];
  for (const iso of ASK) for (const m of ['mbr-1', 'mbr-2']) out.push((await s.usage(m, ['a-b'], new Date(iso))).get('a-b'));
  return out;
}

describe('usage counters across a restart', () => {
  it('answers the same counts after reopening from the checkpoint and from a full replay', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'huika-usage-'));
    dirs.push(dir);
    const a = await EmbeddedStore.open({ dir, checkpointMinEntries: 1 });
    await a.seed(referenceFixture());
    const ids: string[] = [];
    for (const c of ['2026-11-24T15:30:00.000Z', '2026-11-24T16:30:00.000Z', '2026-11-25T04:00:00.000Z', '2026-10-31T04:00:00.000Z']) {
      const r = await a.commitRedemption(at(c), () => null);
      if (r.kind !== 'created') throw new Error('setup');
      ids.push(r.redemption.id);
    }
    const r = await a.commitRedemption({ ...at('2026-11-25T05:00:00.000Z'), memberId: 'mbr-2', memberOrgId: 'org-gz' }, () => null);
    expect(r.kind).toBe('created');
    await a.voidRedemption(ids[1]!, 'refund', 'user:u-a', new Date('2026-11-25T06:00:00.000Z'));
    const before = await countsOf(a);
    expect(before[0]).toEqual({ day: 1, month: 2, total: 3 });
    expect(before[1]).toEqual({ day: 1, month: 1, total: 1 });
    await a.close();
    expect(existsSync(join(dir, 'ledger.index'))).toBe(true);

    const b = await EmbeddedStore.open({ dir, checkpointMinEntries: 1 });
    expect(await countsOf(b)).toEqual(before);
    // A void after the restart still takes from the counters rebuilt at open.
    await b.voidRedemption(ids[2]!, 'refund', 'user:u-a', new Date('2026-11-25T07:00:00.000Z'));
    const after = await countsOf(b);
    expect(after[0]).toEqual({ day: 0, month: 1, total: 2 });
    await b.close();

    rmSync(join(dir, 'ledger.index'));
    const c = await EmbeddedStore.open({ dir, checkpointMinEntries: 1_000 });
    expect(await countsOf(c)).toEqual(after);
    await c.close();
  });
});
