/** The store contract on the embedded store (lowdb state + fsync'd ledger) over a temporary directory, plus what only it has: files. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../server/store/embedded-store.ts';
import { campaignDraft, draft, referenceFixture, storeContract } from './store-contract.ts';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'huika-store-'));
  dirs.push(d);
  return d;
};

storeContract('embedded', async () => {
  const dir = tempDir();
  const store = await EmbeddedStore.open({ dir });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('EmbeddedStore on disk', () => {
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('reopens with every redemption, void, budget, usage, nonce, offer version and enrolment', async () => {
    const dir = tempDir();
    const a = await EmbeddedStore.open({ dir });
    await a.seed(referenceFixture());
    const offer = (await a.offerVersion('a-a', 1))!;
    await a.saveOffer({ ...offer, version: 2, title: 'v2' });
    await a.enrollTerminal('1'.repeat(64), 'd'.repeat(64), new Date('2026-11-25T05:00:00.000Z'));
    const r1 = await a.commitRedemption(campaignDraft({ qrNonce: 'n-1', credentialType: 'qr' }), () => null);
    const r2 = await a.commitRedemption(campaignDraft(), () => null);
    const d3 = draft();
    const r3 = await a.commitRedemption(d3, () => null);
    if (r1.kind !== 'created' || r2.kind !== 'created' || r3.kind !== 'created') throw new Error('setup');
    await a.voidRedemption(r2.redemption.id, 'refund', 'user:u-a', new Date('2026-11-25T06:00:00.000Z'));
    const before = (await a.listRedemptions({ limit: 50 })).items;
    await a.close();

    const b = await EmbeddedStore.open({ dir });
    try {
      expect(await b.isEmpty()).toBe(false);
      expect((await b.listRedemptions({ limit: 50 })).items).toEqual(before);
      expect((await b.redemption(r2.redemption.id))?.status).toBe('voided');
      expect(await b.remainingBudget('c-b')).toBe(97_000);
      expect((await b.usage('mbr-1', ['c-b'], new Date())).get('c-b')).toEqual({ day: 0, month: 0, total: 0 }); // c-b has no limits: not counted
      expect(await b.qrNonceUsed('n-1')).toBe(true);
      expect((await b.redemptionByKey(d3.idempotencyKey))?.quoteId).toBe(d3.quoteId);
      expect((await b.activeOffers('m-a'))[0]).toMatchObject({ id: 'a-a', version: 2, title: 'v2' });
      expect((await b.offerVersion('a-a', 1))?.title).toBe('a-a');
      expect((await b.terminalByTokenHash('d'.repeat(64)))?.id).toBe('t-a-1');
      expect(await b.enrollTerminal('1'.repeat(64), 'e'.repeat(64), new Date())).toBeUndefined();
      // The replay index survived: the same key answers the same record.
      const again = await b.commitRedemption({ ...draft(), idempotencyKey: r1.redemption.idempotencyKey, quoteId: 'q-other' }, () => null);
      expect(again).toMatchObject({ kind: 'refused', code: 'IDEMPOTENCY_CONFLICT' });
      // New records continue the chain.
      const r4 = await b.commitRedemption(draft(), () => null);
      expect(r4.kind).toBe('created');
      expect(r4.kind === 'created' && r4.redemption.seq).toBeGreaterThan(Math.max(...before.map((r) => r.seq)));
      expect(await b.verifyLedger()).toMatchObject({ ok: true, checked: 5 });
    } finally {
      await b.close();
    }
  });

  it('verifyLedger finds an entry edited and an entry removed behind its back', async () => {
    const dir = tempDir();
    const s = await EmbeddedStore.open({ dir });
    try {
      await s.seed(referenceFixture());
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        const r = await s.commitRedemption(draft({ amountFen: 10000 + i }), () => null);
        if (r.kind === 'created') ids.push(r.redemption.id);
      }
      const file = join(dir, 'ledger.jsonl');
      const original = readFileSync(file, 'utf8');
      const lines = original.split('\n');
      expect(lines[1]).toContain('"amountFen":10001');
      writeFileSync(file, [lines[0], lines[1]!.replace('"amountFen":10001', '"amountFen":10901'), ...lines.slice(2)].join('\n'));
      expect(await s.verifyLedger()).toMatchObject({ ok: false, checked: 1, brokenAt: ids[1] });
      writeFileSync(file, original);
      expect(await s.verifyLedger()).toMatchObject({ ok: true, checked: 4 });
      writeFileSync(file, `${lines.slice(0, 3).join('\n')}\n`);
      expect(await s.verifyLedger()).toMatchObject({ ok: false, checked: 3 });
      writeFileSync(file, original);
    } finally {
      await s.close();
    }
  });

  /** Wraps FileHandle#datasync (what the ledger's group commit calls) for the duration of `fn`. */
  async function withDatasync(dir: string, wrap: (orig: () => Promise<void>) => Promise<void>, fn: () => Promise<void>) {
    const probe = await open(join(dir, 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe) as FileHandle;
    await probe.close();
    const orig = proto.datasync;
    proto.datasync = function (this: FileHandle) {
      return wrap(() => orig.call(this));
    };
    try {
      await fn();
    } finally {
      proto.datasync = orig;
    }
  }
  const settle = async () => {
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
  };

  it('answers a commit, and a concurrent retry of it, only once the ledger is fsynced', async () => {
    const dir = tempDir();
    const s = await EmbeddedStore.open({ dir });
    await s.seed(referenceFixture());
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let synced = 0;
    try {
      await withDatasync(
        dir,
        async (orig) => {
          await gate;
          await orig();
          synced++;
        },
        async () => {
          const d = draft();
          const answered: string[] = [];
          const first = s.commitRedemption(d, () => null).then((r) => (answered.push(r.kind), r));
          await settle();
          const retry = s.commitRedemption({ ...d }, () => null).then((r) => (answered.push(r.kind), r));
          await settle();
          expect(answered).toEqual([]); // written maybe, but not on disk: nobody hears of it yet
          expect(synced).toBe(0);
          release();
          const [a, b] = await Promise.all([first, retry]);
          expect(synced).toBeGreaterThanOrEqual(1);
          expect(a.kind).toBe('created');
          expect(b.kind).toBe('replayed');
        },
      );
    } finally {
      release();
      await s.close();
    }
  });

  it('refuses every later write once an fsync has failed, and forgets what it could not record', async () => {
    const dir = tempDir();
    const s = await EmbeddedStore.open({ dir });
    await s.seed(referenceFixture());
    try {
      const first = await s.commitRedemption(campaignDraft(), () => null);
      if (first.kind !== 'created') throw new Error('setup');
      const ok = first.redemption;
      const failed = campaignDraft({ credentialType: 'qr', qrNonce: 'n-failed' });
      await withDatasync(
        dir,
        async () => {
          throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
        },
        async () => {
          await expect(s.commitRedemption(failed, () => null)).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
          await expect(s.voidRedemption(ok.id, 'refund', 'user:u-a', new Date())).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
        },
      );
      expect(s.writeFailure()).toMatchObject({ code: 'STORAGE_FAILED' });
      // What was never acknowledged is not served either: not by key, not in lists, not in the budget.
      expect(await s.redemptionByKey(failed.idempotencyKey)).toBeUndefined();
      expect((await s.listRedemptions({ limit: 50 })).items.map((r) => r.id)).toEqual([ok.id]);
      expect(await s.remainingBudget('c-b')).toBe(97_000);
      expect(await s.qrNonceUsed('n-failed')).toBe(false);
      expect((await s.redemption(ok.id))?.status).toBe('committed');
      // Even with the disk healthy again, nothing is chained onto an unknown state until a restart,
      // and a retry of the failed key is refused rather than answered as if it had been recorded.
      await expect(s.commitRedemption({ ...failed }, () => null)).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
      await expect(s.commitRedemption(draft(), () => null)).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
    } finally {
      await s.close();
    }
  });
});
