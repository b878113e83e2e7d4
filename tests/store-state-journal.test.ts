/**
 * The embedded store's journals (server/store/state-journal.ts) through the real store: an admin write
 * and a member-side write append one record each and leave state.json / member-side.json alone; what a
 * kill -9 leaves (the directory copied while the store runs) reopens with every acknowledged write; a
 * clean close folds both journals away; a write whose record the disk refuses is answered STORAGE_FAILED
 * and is found neither in memory nor after a restart.
 * The audit entry rides in its write's record (one fdatasync a write): an audit.jsonl line lost between
 * the record and the line (a kill -9, a refusing disk) is appended again at the next start, byte for
 * byte, and the chain verifies. Member-side writes record only the rows they change.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { faultCounts, installFaults } from '../platform/durable-file.ts';
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
    expect(last.type).toBe('change');
    expect(Object.keys(last.data.tables)).toEqual(['cards']);
    expect(last.data.tables.cards.set).toHaveLength(1);
    expect(last.data.tables.cards.set[0][1]).toMatchObject({ id: card.id, status: 'lost' });
    // The record carries the audit entry, as the very line audit.jsonl holds.
    expect(last.data.audit).toBe(lines(join(dir, 'audit.jsonl')).at(-1));
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

describe('one durable sync per admin write: the audit entry rides in the record', () => {
  it('syncs once for an admin write and once for a password reset, each record carrying its sealed entry', async () => {
    const dir = tempDir();
    const s = await EmbeddedStore.open({ dir });
    try {
      await s.seed(referenceFixture());
      const card = (await s.admin.cardsOf('mbr-1'))[0]!;
      installFaults({ op: 'sync', at: Number.MAX_SAFE_INTEGER, kind: 'EIO' }); // counts only
      expect(await s.admin.setCardStatus(card.id, 'lost', by, () => true)).toMatchObject({ kind: 'ok' });
      expect(faultCounts().sync).toBe(1);
      installFaults({ op: 'sync', at: Number.MAX_SAFE_INTEGER, kind: 'EIO' });
      await s.memberSide.resetCredential({ memberId: 'mbr-1', passwordHash: null, activationHash: 'act$x', updatedAt: AT }, by, 'org-a');
      expect(faultCounts().sync).toBe(1);
      installFaults(undefined);
      const side = JSON.parse(lines(join(dir, 'member-side.journal')).at(-1)!);
      expect(side.data.audit).toBe(lines(join(dir, 'audit.jsonl')).at(-1));
      expect(JSON.parse(side.data.audit).data.action).toBe('member.password-reset');
      expect(await s.admin.verifyAuditTrail()).toMatchObject({ ok: true });
    } finally {
      await s.close();
    }
  });

  it('puts back, byte for byte, audit lines lost between the record and audit.jsonl (kill -9, a refusing disk)', async () => {
    const dir = tempDir();
    const s = await EmbeddedStore.open({ dir });
    const card = await (async () => {
      await s.seed(referenceFixture());
      return (await s.admin.cardsOf('mbr-1'))[0]!;
    })();
    const auditBefore = readFileSync(join(dir, 'audit.jsonl'), 'utf8');
    let killed: string;
    try {
      // audit.jsonl refuses every write: the writes are still acknowledged (their records are durable).
      installFaults({ op: 'write', at: 1, kind: 'EIO', persist: true, pathIncludes: 'audit.jsonl' });
      expect(await s.admin.setCardStatus(card.id, 'lost', by, () => true)).toMatchObject({ kind: 'ok' });
      await s.memberSide.resetCredential({ memberId: 'mbr-1', passwordHash: null, activationHash: 'act$x', updatedAt: AT }, by, 'org-a');
      expect(faultCounts().injected).toBeGreaterThanOrEqual(2);
      expect(readFileSync(join(dir, 'audit.jsonl'), 'utf8')).toBe(auditBefore);
      expect((await s.admin.auditTrail({ limit: 2 })).items.map((e) => e.action)).toEqual(['member.password-reset', 'card.report_lost']);
      // A fold must not cut records whose entries audit.jsonl lacks: it fails and the journal keeps them.
      const records = lines(join(dir, 'state.journal')).length;
      await (s as unknown as { journal: { fold(): Promise<void> } }).journal.fold();
      expect(lines(join(dir, 'state.journal'))).toHaveLength(records);
      killed = killedCopy(dir); // what a kill -9 now leaves: both entries only in the journals
    } finally {
      installFaults(undefined);
    }
    const carried = [join(dir, 'state.journal'), join(dir, 'member-side.journal')].map((f) => JSON.parse(lines(f).at(-1)!).data.audit);
    // The live store writes the pending lines with its next entry.
    expect(await s.admin.setCardStatus(card.id, 'activated', by, () => true)).toMatchObject({ kind: 'ok' });
    expect(await s.admin.verifyAuditTrail()).toMatchObject({ ok: true });
    expect(lines(join(dir, 'audit.jsonl')).slice(-3, -1)).toEqual(carried);
    await s.close();

    const notices: string[] = [];
    const r = await EmbeddedStore.open({ dir: killed, onNotice: (m) => notices.push(m) });
    try {
      expect(notices.join('\n')).toMatch(/lacked 2 entries/);
      expect(lines(join(killed, 'audit.jsonl')).slice(-2)).toEqual(carried);
      expect(await r.admin.verifyAuditTrail()).toMatchObject({ ok: true });
      expect((await r.admin.auditTrail({ limit: 2 })).items.map((e) => e.action)).toEqual(['member.password-reset', 'card.report_lost']);
      expect((await r.card(card.id))?.status).toBe('lost');
      // The chain goes on from the recovered entries.
      expect(await r.admin.setCardStatus(card.id, 'activated', by, () => true)).toMatchObject({ kind: 'ok' });
      expect(await r.admin.verifyAuditTrail()).toMatchObject({ ok: true });
    } finally {
      await r.close();
    }
    // Opened again: nothing appended twice.
    const again = await EmbeddedStore.open({ dir: killed });
    try {
      expect(await again.admin.verifyAuditTrail()).toMatchObject({ ok: true });
      expect((await again.admin.auditTrail({ limit: 100 })).items.filter((e) => e.action === 'card.report_lost')).toHaveLength(1);
    } finally {
      await again.close();
    }
  });

  it('refuses to start when audit.jsonl lacks entries that no journal carries either', async () => {
    const dir = tempDir();
    const s = await EmbeddedStore.open({ dir });
    await s.seed(referenceFixture());
    const card = (await s.admin.cardsOf('mbr-1'))[0]!;
    await s.admin.setCardStatus(card.id, 'lost', by, () => true);
    await s.admin.setCardStatus(card.id, 'activated', by, () => true);
    const copy = killedCopy(dir);
    await s.close();
    // The journal still holds the second record only (the first cut away by a fold); audit.jsonl lost both.
    const journal = lines(join(copy, 'state.journal'));
    const audit = lines(join(copy, 'audit.jsonl'));
    writeFileSync(join(copy, 'audit.jsonl'), `${audit.slice(0, -2).join('\n')}\n`);
    writeFileSync(join(copy, 'state.journal'), `${journal.at(-1)}\n`);
    const st = JSON.parse(readFileSync(join(copy, 'state.json'), 'utf8'));
    st.journal = { seq: JSON.parse(journal.at(-2)!).seq, hash: JSON.parse(journal.at(-2)!).hash };
    writeFileSync(join(copy, 'state.json'), JSON.stringify(st));
    await expect(EmbeddedStore.open({ dir: copy })).rejects.toMatchObject({
      code: 'STATE_CORRUPT',
      message: /neither in the file nor in a state journal/,
    });
  });

  it('keeps a refused password reset out of the trail, in memory, on disk and after a kill', async () => {
    const dir = tempDir();
    const s = await EmbeddedStore.open({ dir });
    try {
      await s.seed(referenceFixture());
      await s.memberSide.addDevice({ id: 'DEVAAAAA', memberId: 'mbr-1', keyWrapped: 'v1.x.y', createdAt: AT, revokedAt: null }, 3);
      const auditBefore = readFileSync(join(dir, 'audit.jsonl'), 'utf8');
      installFaults({ op: 'sync', at: 1, kind: 'EIO', pathIncludes: 'member-side.journal' });
      await expect(
        s.memberSide.resetCredential({ memberId: 'mbr-1', passwordHash: null, activationHash: 'act$x', updatedAt: AT }, by, 'org-a'),
      ).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
      installFaults(undefined);
      expect(readFileSync(join(dir, 'audit.jsonl'), 'utf8')).toBe(auditBefore);
      expect((await s.admin.auditTrail({ limit: 10 })).items.map((e) => e.action)).not.toContain('member.password-reset');
      expect((await s.memberSide.device('DEVAAAAA'))?.revokedAt).toBeNull();
      expect(await s.memberSide.credential('mbr-1')).toBeUndefined();
      const r = await EmbeddedStore.open({ dir: killedCopy(dir) });
      try {
        expect((await r.admin.auditTrail({ limit: 10 })).items.map((e) => e.action)).not.toContain('member.password-reset');
        expect((await r.memberSide.device('DEVAAAAA'))?.revokedAt).toBeNull();
        expect(await r.admin.verifyAuditTrail()).toMatchObject({ ok: true });
      } finally {
        await r.close();
      }
    } finally {
      await s.close();
    }
  });
});

describe('member-side writes record only the rows they change', () => {
  const dev = (id: string, memberId: string, createdAt: string) => ({ id, memberId, keyWrapped: 'v1.x.y', createdAt, revokedAt: null });
  it('a sign-in, a feedback and a complaint answer each name their rows alone, and a kill keeps what memory holds', async () => {
    const dir = tempDir();
    const s = await EmbeddedStore.open({ dir });
    const m = s.memberSide;
    const sideRecords = () => lines(join(dir, 'member-side.journal')).map((l) => JSON.parse(l).data);
    try {
      await s.seed(referenceFixture());
      for (let i = 0; i < 40; i++) expect((await m.addFeedback(feedback(`fb-${i}`, `rd-${i}`))).kind).toBe('created');
      const withComplaint = { ...feedback('fb-c', 'rd-c'), honoured: false, complaint: { status: 'open' as const } };
      await m.addFeedback(withComplaint);
      for (let i = 0; i < 30; i++) await m.addDevice(dev(`DEV${String(i).padStart(5, '0')}`, `mbr-x${i}`, AT), 2);
      expect(sideRecords().at(-1)).toEqual({ devices: { len: 30, set: [[29, dev('DEV00029', 'mbr-x29', AT)]] } });

      // A member's third phone revokes the first: two positions, nothing else.
      await m.addDevice(dev('D1AAAAAA', 'mbr-1', '2026-11-25T06:00:00.000Z'), 2);
      await m.addDevice(dev('D2AAAAAA', 'mbr-1', '2026-11-25T07:00:00.000Z'), 2);
      await m.addDevice(dev('D3AAAAAA', 'mbr-1', '2026-11-25T08:00:00.000Z'), 2);
      const third = sideRecords().at(-1)!;
      expect(Object.keys(third)).toEqual(['devices']);
      expect(third.devices.len).toBe(33);
      expect(third.devices.set.map(([, d]: [number, { id: string; revokedAt: string | null }]) => [d.id, d.revokedAt])).toEqual([
        ['D1AAAAAA', '2026-11-25T08:00:00.000Z'],
        ['D3AAAAAA', null],
      ]);

      // A complaint answered among 41 feedback rows: that one row.
      const adv = await m.advanceComplaint('fb-c', 'answered', 'u-m', new Date('2026-11-25T09:00:00.000Z'), '已处理');
      expect(adv.kind).toBe('advanced');
      expect(sideRecords().at(-1)).toEqual({
        feedback: { len: 41, set: [[40, { ...withComplaint, complaint: expect.objectContaining({ status: 'answered' }) }]] },
      });

      // Two days on, a sign-in forgets that member's long-revoked phone by moving the last row into its place.
      await m.addDevice(dev('D4AAAAAA', 'mbr-1', '2026-11-27T09:00:00.000Z'), 2);
      expect(await m.device('D1AAAAAA')).toBeUndefined();
      const forget = sideRecords().at(-1)!.devices;
      expect(forget.len).toBe(33);
      expect(forget.set.length).toBeLessThanOrEqual(4);
      expect((await m.activeDevicesOf(new Set(['mbr-1']))).map((d) => d.id).sort()).toEqual(['D3AAAAAA', 'D4AAAAAA']);

      // A refused write puts every row and index back.
      installFaults({ op: 'sync', at: 1, kind: 'EIO', pathIncludes: 'member-side.journal' });
      await expect(m.addDevice(dev('D5AAAAAA', 'mbr-1', '2026-11-27T10:00:00.000Z'), 2)).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
      installFaults(undefined);
      expect(await m.device('D5AAAAAA')).toBeUndefined();
      expect((await m.activeDevicesOf(new Set(['mbr-1']))).map((d) => d.id).sort()).toEqual(['D3AAAAAA', 'D4AAAAAA']);

      const held = {
        devices: (await m.activeDevicesOf(new Set(Array.from({ length: 30 }, (_, i) => `mbr-x${i}`).concat('mbr-1'))))
          .map((d) => d.id)
          .sort(),
        all: await Promise.all(['D1AAAAAA', 'D2AAAAAA', 'D3AAAAAA', 'D4AAAAAA', 'DEV00000', 'DEV00029'].map((id) => m.device(id))),
        feedback: (await m.feedback({})).map((f) => f.id),
        complaint: (await m.feedbackById('fb-c'))?.complaint?.status,
      };
      const r = await EmbeddedStore.open({ dir: killedCopy(dir) });
      try {
        const rm = r.memberSide;
        expect({
          devices: (await rm.activeDevicesOf(new Set(Array.from({ length: 30 }, (_, i) => `mbr-x${i}`).concat('mbr-1'))))
            .map((d) => d.id)
            .sort(),
          all: await Promise.all(['D1AAAAAA', 'D2AAAAAA', 'D3AAAAAA', 'D4AAAAAA', 'DEV00000', 'DEV00029'].map((id) => rm.device(id))),
          feedback: (await rm.feedback({})).map((f) => f.id),
          complaint: (await rm.feedbackById('fb-c'))?.complaint?.status,
        }).toEqual(held);
      } finally {
        await r.close();
      }
    } finally {
      await s.close();
    }
  });
});
