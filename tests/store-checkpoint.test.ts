/**
 * The ledger checkpoint (server/store/ledger-index.ts): a large ledger opens from it and replays only
 * what came after; a stale, mismatched or damaged checkpoint is ignored; a ledger edited under a
 * checkpoint is found by the background check and stops writes. Thresholds lowered to 1 entry here.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../server/store/embedded-store.ts';
import { campaignDraft, draft, referenceFixture } from './store-contract.ts';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'huika-cp-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function openStore(dir: string, notices: string[] = [], restoreFromBackup = false) {
  return EmbeddedStore.open({ dir, checkpointMinEntries: 1, onNotice: (m) => notices.push(m), restoreFromBackup });
}

async function fill(store: EmbeddedStore, n: number, tag = 'a') {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await store.commitRedemption(
      i % 3 === 0 ? campaignDraft({ qrNonce: `nonce-${tag}-${i}`, credentialType: 'qr' }) : draft(),
      () => null,
    );
    if (r.kind !== 'created') throw new Error(`setup: ${r.kind}`);
    ids.push(r.redemption.id);
  }
  return ids;
}

async function snapshotOf(s: EmbeddedStore) {
  return {
    list: (await s.listRedemptions({ limit: 500 })).items,
    budget: await s.remainingBudget('c-b'),
    usage: await s.usage('mbr-1', ['a-a', 'c-b'], new Date('2026-11-25T04:00:00.000Z')),
    settlement: await s.settlement(new Set(['c-b'])),
  };
}

describe('ledger checkpoint', () => {
  it('opens from the checkpoint with everything the full replay would give, and keeps chaining', async () => {
    const dir = tempDir();
    const a = await openStore(dir);
    await a.seed(referenceFixture());
    const ids = await fill(a, 12);
    await a.voidRedemption(ids[3]!, 'refund', 'user:u-a', new Date('2026-11-25T06:00:00.000Z'));
    const before = await snapshotOf(a);
    await a.close();
    expect(existsSync(join(dir, 'ledger.index'))).toBe(true);

    // The same directory without the checkpoint is the reference: a full, checked replay.
    const ref = tempDir();
    cpSync(dir, ref, { recursive: true });
    rmSync(join(ref, 'ledger.index'));
    rmSync(join(ref, 'huika.lock'), { force: true });
    const full = await EmbeddedStore.open({ dir: ref });
    const fromFull = await snapshotOf(full);
    await full.close();

    const notices: string[] = [];
    const b = await openStore(dir, notices);
    try {
      expect(await snapshotOf(b)).toEqual(before);
      expect(await snapshotOf(b)).toEqual(fromFull);
      expect(await b.qrNonceUsed('nonce-a-0')).toBe(true);
      expect(await b.redemption(ids[3]!)).toMatchObject({ status: 'voided', voidReason: 'refund' });
      const again = await b.commitRedemption(draft({ idempotencyKey: before.list.at(-1)!.idempotencyKey, quoteId: 'other' }), () => null);
      expect(again.kind).toBe('refused');
      const next = await b.commitRedemption(draft(), () => null);
      expect(next).toMatchObject({ kind: 'created', redemption: { id: 'rd-0000000014' } });
      // 12 commits, 1 void, 1 new commit: the chain runs on from the checkpoint's head.
      expect(await b.verifyLedger()).toEqual({ ok: true, checked: 14 });
      expect(notices).toEqual([]);
    } finally {
      await b.close();
    }
  });

  it('replays what was written after a stale checkpoint (a crash before the next one)', async () => {
    const dir = tempDir();
    const a = await openStore(dir);
    await a.seed(referenceFixture());
    await fill(a, 5);
    await a.close(); // checkpoint covers 5
    const b = await openStore(dir);
    const more = await fill(b, 4, 'b');
    // Copy the directory while b runs: the ledger has 9 entries, the checkpoint 5 — as after a kill -9.
    const crashed = tempDir();
    cpSync(dir, crashed, { recursive: true });
    rmSync(join(crashed, 'huika.lock'), { force: true });
    const expected = await snapshotOf(b);
    await b.close();
    const c = await openStore(crashed);
    try {
      expect(await snapshotOf(c)).toEqual(expected);
      expect((await c.redemption(more.at(-1)!))?.id).toBe(more.at(-1));
      expect(await c.verifyLedger()).toMatchObject({ ok: true, checked: 9 });
    } finally {
      await c.close();
    }
  });

  it('ignores a damaged checkpoint or one that no longer matches the ledger, and says so', async () => {
    const dir = tempDir();
    const a = await openStore(dir);
    await a.seed(referenceFixture());
    await fill(a, 4);
    const expected = await snapshotOf(a);
    await a.close();

    writeFileSync(join(dir, 'ledger.index'), 'garbage\n');
    const notices: string[] = [];
    const b = await openStore(dir, notices);
    expect(await snapshotOf(b)).toEqual(expected);
    expect(notices.join()).toMatch(/checkpoint ignored \(checkpoint header is not JSON\)/);
    await b.close(); // writes a good one again

    // A ledger shorter than its checkpoint (restored from an older backup, on purpose: ledger.head would refuse it otherwise).
    const ledger = readFileSync(join(dir, 'ledger.jsonl'), 'utf8').split('\n');
    writeFileSync(join(dir, 'ledger.jsonl'), `${ledger.slice(0, 2).join('\n')}\n`);
    const notices2: string[] = [];
    const c = await openStore(dir, notices2, true);
    try {
      expect((await c.listRedemptions({ limit: 50 })).items).toHaveLength(2);
      expect(notices2.join()).toMatch(/checkpoint ignored \(the ledger is shorter than the checkpoint\)/);
    } finally {
      await c.close();
    }
  });

  it('finds an entry edited under the checkpoint after start, and then refuses writes', async () => {
    const dir = tempDir();
    const a = await openStore(dir);
    await a.seed(referenceFixture());
    const ids = await fill(a, 6);
    await a.close();
    const file = join(dir, 'ledger.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n');
    // Same length, other digits: the byte offsets in the checkpoint stay valid, only the hash breaks.
    lines[1] = lines[1]!.replace('"amountFen":10000', '"amountFen":90000');
    writeFileSync(file, lines.join('\n'));
    const notices: string[] = [];
    const b = await openStore(dir, notices);
    try {
      await expect.poll(() => b.writeFailure()?.message ?? '').toMatch(/ledger failed verification after start/);
      expect(notices.join()).toContain(ids[1]);
      await expect(b.commitRedemption(draft(), () => null)).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
    } finally {
      await b.close();
    }
  });
});
