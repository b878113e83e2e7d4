/**
 * The audit trail records only what happened: a member import whose state write fails (as a 400,000-row
 * import did, with "Invalid string length") leaves no entry claiming its rows; a refused one leaves none;
 * one that lands leaves exactly one. The real import job, the real EmbeddedAdmin and the real fsync'd
 * audit.jsonl, with the state write made to fail the way it did.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditFile } from '../server/store/audit-file.ts';
import { EmbeddedAdmin } from '../server/store/embedded-admin.ts';
import { emptyState, type State } from '../server/store/state-file.ts';
import type { HuikaStore } from '../server/store/store.ts';
import { ImportJobs, type ImportJob } from '../server/services/import-jobs.ts';
import { referenceFixture } from './store-contract.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'huika-import-audit-'));
  dirs.push(dir);
  const state: State = { ...emptyState(), ...referenceFixture() };
  const audit = new AuditFile(join(dir, 'audit.jsonl'));
  let failWrite = false;
  const admin = new EmbeddedAdmin(
    () => state,
    () => {
      if (failWrite) throw new RangeError('Invalid string length');
    },
    () => {},
    audit,
  );
  return {
    dir,
    state,
    audit,
    admin,
    store: {
      admin,
      // the import looks each written member up afterwards for first passwords and activation codes
      memberByNo: async (no: string) => state.members.find((m) => m.memberNo === no),
      memberSide: { credential: async () => undefined, putCredentials: async () => {} },
    } as unknown as HuikaStore,
    failNextWrites: (on: boolean) => (failWrite = on),
  };
}

const CSV = [
  'member_no,name,union_id,status',
  '5133000041,刘洋,org-kd,active',
  '5133000058,赵敏,org-kd,active',
  '5133000066,孙丽,org-gz,active',
].join('\n');
const rowCtx = { mayUseOrg: () => true, hashPan: (p: string) => `h:${p}`.padEnd(64, '0') };
const by = { userId: 'u-admin', username: 'admin', at: new Date('2026-11-25T04:00:00Z') };

async function finished(jobs: ImportJobs, job: ImportJob): Promise<ImportJob> {
  for (let i = 0; i < 200 && !jobs.get(job.id)!.finishedAt; i++) await new Promise((r) => setTimeout(r, 10));
  return jobs.get(job.id)!;
}

const importEntries = async (admin: EmbeddedAdmin) => (await admin.auditTrail({ entity: 'import', limit: 100 })).items;

describe('member import and the audit trail', () => {
  it('leaves no audit entry when the state write fails, and exactly one once an import lands', async () => {
    const s = setup();
    const jobs = new ImportJobs();
    s.failNextWrites(true);
    const failed = await finished(
      jobs,
      jobs.start(s.store, { text: CSV, fileName: 'big.csv', dryRun: false, by, rowCtx, mayTouch: () => true }, () => by.at),
    );
    expect(failed.state).toBe('failed');
    expect(failed.written).toBe(false);
    expect(await importEntries(s.admin)).toEqual([]);
    expect(readFileSync(join(s.dir, 'audit.jsonl'), 'utf8')).not.toContain('members.import');
    expect(s.state.members.map((m) => m.memberNo)).not.toContain('5133000058');
    expect(await s.admin.verifyAuditTrail()).toMatchObject({ ok: true });

    s.failNextWrites(false);
    const done = await finished(
      jobs,
      jobs.start(s.store, { text: CSV, fileName: 'big.csv', dryRun: false, by, rowCtx, mayTouch: () => true }, () => by.at),
    );
    expect(done).toMatchObject({ state: 'done', written: true, summary: { membersCreated: 3 } });
    const entries = await importEntries(s.admin);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      action: 'members.import',
      seq: 1,
      after: { createdMemberNos: ['5133000041', '5133000058', '5133000066'] },
    });
    expect(await s.admin.verifyAuditTrail()).toMatchObject({ ok: true, checked: 1 });
    s.audit.close();
  });

  it('leaves no audit entry for a refused import or a dry run', async () => {
    const s = setup();
    const jobs = new ImportJobs();
    const bad = `${CSV}\n5133000074,周强,org-nowhere,active`;
    const refused = await finished(
      jobs,
      jobs.start(s.store, { text: bad, fileName: 'bad.csv', dryRun: false, by, rowCtx, mayTouch: () => true }, () => by.at),
    );
    expect(refused).toMatchObject({ state: 'done', written: false });
    expect(refused.errorCount).toBeGreaterThan(0);
    const dry = await finished(
      jobs,
      jobs.start(s.store, { text: CSV, fileName: 'ok.csv', dryRun: true, by, rowCtx, mayTouch: () => true }, () => by.at),
    );
    expect(dry).toMatchObject({ state: 'done', written: false, summary: { membersCreated: 3 } });
    expect(await importEntries(s.admin)).toEqual([]);
    s.audit.close();
  });
});
