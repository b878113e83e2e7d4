/**
 * The embedded store's journals (server/store/state-journal.ts) through the real store: an admin write
 * and a member-side write append one record each and leave state.json / member-side.json alone; what a
 * kill -9 leaves (the directory copied while the store runs) reopens with every acknowledged write; a
 * clean close folds both journals away; a write whose record the disk refuses is answered STORAGE_FAILED
 * and is found neither in memory nor after a restart.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { installFaults } from '../platform/durable-file.ts';
import { EmbeddedStore } from '../server/store/embedded-store.ts';
import { referenceFixture } from './store-contract.ts';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'huika-state-journal-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  installFaults(undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const by = { userId: 'u-a', username: 'admin-a', at: new Date('2026-11-25T05:00:00.000Z') };
const AT = '2026-11-25T05:00:00.000Z';
const feedback = (id: string, redemptionId: string) => ({
  id,
  redemptionId,
  memberId: 'mbr-1',
  memberOrgId: 'org-a',
  merchantId: 'm-a',
  storeId: 's-a-1',
  redemptionAt: AT,
  rating: 4,
  honoured: true,
  createdAt: AT,
});
const lines = (f: string) => readFileSync(f, 'utf8').split('\n').filter(Boolean);

/** A copy of the directory as it stands, as a kill -9 would leave it (the lock of the live store dropped). */
function killedCopy(dir: string): string {
  const copy = tempDir();
  cpSync(dir, copy, { recursive: true });
  rmSync(join(copy, 'huika.lock'));
  return copy;
}

describe('the embedded store journals its reference data and its member side', () => {
  it('appends one record a write, keeps every acknowledged write through a kill, and folds at a clean close', async () => {
    const dir = tempDir();
    const s = await EmbeddedStore.open({ dir });
    await s.seed(referenceFixture());
    const card = (await s.admin.cardsOf('mbr-1'))[0]!;
    const stateBefore = readFileSync(join(dir, 'state.json'), 'utf8');
    const sideBefore = readFileSync(join(dir, 'member-side.json'), 'utf8');
    const seeded = lines(join(dir, 'state.journal')).length;

    expect(await s.admin.setCardStatus(card.id, 'lost', by, () => true)).toMatchObject({ kind: 'ok' });
    await s.memberSide.putCredentials([{ memberId: 'mbr-1', passwordHash: 'scrypt$x', activationHash: null, updatedAt: AT }]);
    expect((await s.memberSide.addFeedback(feedback('fb-1', 'rd-1'))).kind).toBe('created');

    // One small record each; neither snapshot was rewritten.
    const stateRecords = lines(join(dir, 'state.journal'));
    expect(stateRecords).toHaveLength(seeded + 1);
    const last = JSON.parse(stateRecords.at(-1)!);
    expect(Object.keys(last.data)).toEqual(['cards']);
    expect(last.data.cards.set).toHaveLength(1);
    expect(last.data.cards.set[0][1]).toMatchObject({ id: card.id, status: 'lost' });
    const sideRecords = lines(join(dir, 'member-side.journal')).map((l) => JSON.parse(l).data);
    expect(sideRecords).toHaveLength(2);
    expect(sideRecords[1]).toEqual({ feedback: { len: 1, set: [[0, feedback('fb-1', 'rd-1')]] } });
    expect(readFileSync(join(dir, 'state.json'), 'utf8')).toBe(stateBefore);
    expect(readFileSync(join(dir, 'member-side.json'), 'utf8')).toBe(sideBefore);

    const killed = killedCopy(dir);
    await s.close();
    // A clean close folds both journals into their snapshots.
    expect(statSync(join(dir, 'state.journal')).size).toBe(0);
    expect(statSync(join(dir, 'member-side.journal')).size).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'member-side.json'), 'utf8')).feedback).toHaveLength(1);

    for (const d of [killed, dir]) {
      const r = await EmbeddedStore.open({ dir: d });
      try {
        expect((await r.card(card.id))?.status, d).toBe('lost');
        expect((await r.cardByPanHash(card.panHash))?.status, d).toBe('lost');
        expect((await r.memberSide.credential('mbr-1'))?.passwordHash, d).toBe('scrypt$x');
        expect((await r.memberSide.feedbackById('fb-1'))?.rating, d).toBe(4);
        expect((await r.admin.auditTrail({ limit: 10 })).items[0]?.action, d).toBe('card.report_lost');
      } finally {
        await r.close();
      }
    }
  });

  it('answers STORAGE_FAILED when the journal refuses a record, and keeps nothing of that write', async () => {
    const dir = tempDir();
    const s = await EmbeddedStore.open({ dir });
    try {
      await s.seed(referenceFixture());
      const card = (await s.admin.cardsOf('mbr-1'))[0]!;
      installFaults({ op: 'sync', at: 1, kind: 'EIO', pathIncludes: 'state.journal' });
      await expect(s.admin.setCardStatus(card.id, 'lost', by, () => true)).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
      installFaults({ op: 'write', at: 1, kind: 'ENOSPC', pathIncludes: 'member-side.journal' });
      await expect(s.memberSide.addFeedback(feedback('fb-1', 'rd-1'))).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
      installFaults(undefined);
      // Memory went back: the card is as it was, by id and by hash, and no feedback is served.
      expect((await s.card(card.id))?.status).toBe(card.status);
      expect((await s.cardByPanHash(card.panHash))?.status).toBe(card.status);
      expect(await s.memberSide.feedbackById('fb-1')).toBeUndefined();
      expect((await s.admin.auditTrail({ limit: 10 })).items.map((e) => e.action)).not.toContain('card.report_lost');
      const killed = killedCopy(dir);
      const r = await EmbeddedStore.open({ dir: killed });
      try {
        expect((await r.card(card.id))?.status).toBe(card.status);
        expect(await r.memberSide.feedbackById('fb-1')).toBeUndefined();
      } finally {
        await r.close();
      }
      // The disk is back: the same writes land.
      expect(await s.admin.setCardStatus(card.id, 'lost', by, () => true)).toMatchObject({ kind: 'ok' });
      expect((await s.memberSide.addFeedback(feedback('fb-1', 'rd-1'))).kind).toBe('created');
    } finally {
      await s.close();
    }
  });
});
