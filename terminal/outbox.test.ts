import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openLocalState } from './local-state.ts';
import { Outbox } from './outbox.ts';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const item = (key: string) => ({
  idempotencyKey: key,
  createdAt: '2026-11-20T04:00:00.000Z',
  memberId: 'mbr-1',
  credentialType: 'member_no' as const,
  amountFen: 1000,
  lines: [],
  discountFen: 0,
  payableFen: 1000,
  snapshotIssuedAt: '2026-11-20T03:00:00.000Z',
});

describe('Outbox', () => {
  it('is on disk as soon as add returns, and survives a reopen', () => {
    dir = mkdtempSync(join(tmpdir(), 'huika-outbox-'));
    const box = new Outbox(openLocalState(dir), () => {});
    box.add(item('key-00000001'), '5133****17', new Date('2026-11-20T04:00:00Z'));
    expect(JSON.parse(readFileSync(join(dir, 'terminal.json'), 'utf8')).outbox).toHaveLength(1);
    expect(new Outbox(openLocalState(dir), () => {}).pendingCount()).toBe(1);
  });

  it('prunes settled entries after a week and never pending ones', () => {
    dir = mkdtempSync(join(tmpdir(), 'huika-outbox-'));
    const db = openLocalState(dir);
    const box = new Outbox(db, () => {});
    box.add(item('key-pending-1'), 'x', new Date('2026-11-01T00:00:00Z'));
    box.add(item('key-settled-old'), 'x', new Date('2026-11-01T00:00:00Z'));
    box.add(item('key-settled-new'), 'x', new Date('2026-11-01T00:00:00Z'));
    Object.assign(db.data.outbox[1]!, { state: 'accepted', uploadedAt: '2026-11-02T00:00:00.000Z' });
    Object.assign(db.data.outbox[2]!, { state: 'flagged', uploadedAt: '2026-11-19T00:00:00.000Z' });
    expect(box.prune(new Date('2026-11-20T00:00:00Z'))).toBe(1);
    expect(box.entries().map((e) => e.item.idempotencyKey)).toEqual(['key-pending-1', 'key-settled-new']);
    expect(new Outbox(openLocalState(dir), () => {}).entries()).toHaveLength(2);
  });
});
