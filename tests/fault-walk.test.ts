/**
 * Durability under faults, tested the way SQLite tests itself: the real server over real files, with the
 * file layer under it (platform/durable-file.ts) told to fail its Nth operation. A dry run counts every
 * open, write, sync and rename of one scenario (enrol, quote, redeem, void, statement, a card reported
 * lost); then for each N and each fault kind the scenario runs again with that call failing, the store
 * is reopened from the same files, and three things are checked:
 *   - nothing answered 2xx is missing after the restart;
 *   - nothing refused is present (no redemption, void, statement, card change or audit entry of a 503);
 *   - memory never ran ahead of disk (what the running server held equals what the restart reads).
 * A refused step is retried once: with a transient fault the retry must succeed and must not carry any
 * part of the failed attempt along. With a full disk (every write from N on fails) nothing after N lands.
 * The state journal folds after every record here (HUIKA_STATE_FOLD_AFTER=1), so its background fold
 * (temp file, fsync, rename, journal cut) is walked too; and the directory is also copied as it stands
 * before the clean shutdown (what a kill -9 leaves: snapshot plus journal), and that copy is checked the same way.
 * An admin write's audit entry rides in its journal record (the one fdatasync of the write); the audit.jsonl
 * line follows unsynced, so a fault there refuses nothing: the entry is written later or, in the killed
 * copy, put back from the journal at the reopen. A disk that refuses audit.jsonl for good is walked too.
 */
import { cpSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultCounts, installFaults, type FaultPlan, type FileOp } from '../platform/durable-file.ts';
import { sha256 } from '../server/security/hashing.ts';
import { EmbeddedStore } from '../server/store/embedded-store.ts';
import type { HuikaStore } from '../server/store/store.ts';
import { client, DEMO, demoServer, login, newKey, TestClock, type Api } from './helpers/server.ts';

const root = mkdtempSync(join(tmpdir(), 'huika-fault-walk-'));
process.env.HUIKA_STATE_FOLD_AFTER = '1';
const template = join(root, 'template');
let adminToken = '';
let run = 0;
afterAll(() => {
  delete process.env.HUIKA_STATE_FOLD_AFTER;
  rmSync(root, { recursive: true, force: true });
});

beforeAll(async () => {
  const srv = await demoServer({ dataDir: template, keepDir: true, clock: new TestClock() });
  adminToken = (await login(srv.url, 'admin')).token; // stateless: valid on every copy of the directory
  await srv.close();
});

type Step = 'enrol' | 'redeem' | 'void' | 'statement' | 'cardLost';
interface Outcome {
  status: Partial<Record<Step, number>>;
  /** Statuses of first attempts that failed (then retried once). */
  refused: Partial<Record<Step, number>>;
  key: string;
  redemptionId?: string;
}

/** The scenario over HTTP; every step that answers 503 is tried once more. */
async function scenario(url: string): Promise<Outcome> {
  const anon = client(url);
  const admin = client(url, adminToken);
  const out: Outcome = { status: {}, refused: {}, key: newKey() };
  const attempt = async (step: Step, call: () => Promise<{ status: number; body: any }>) => {
    let r = await call();
    if (r.status === 503) {
      expect(r.body.error.code).toBe('STORAGE_FAILED');
      out.refused[step] = r.status;
      r = await call();
    }
    out.status[step] = r.status;
    // The only 5xx a disk fault may cause is 503 STORAGE_FAILED.
    expect(r.status === 503 || r.status < 500, `${step}: ${r.status} ${JSON.stringify(r.body)}`).toBe(true);
    return r;
  };
  const enrolled = await attempt('enrol', () => anon('POST', '/api/v1/terminals/enroll', { pairingCode: 'PAIR-T-MINMAO-1' }));
  if (enrolled.status === 201) {
    const t: Api = client(url, enrolled.body.token);
    const q = await t('POST', '/api/v1/quotes', { credential: { type: 'card_number', data: DEMO.activeCard }, amountFen: 10000 });
    expect(q.status).toBe(200);
    const red = await attempt('redeem', () => t('POST', '/api/v1/redemptions', { quoteId: q.body.quoteId, idempotencyKey: out.key }));
    if (red.status === 201) {
      out.redemptionId = red.body.id;
      await attempt('void', () => t('POST', `/api/v1/redemptions/${red.body.id}/void`, { reason: 'returned' }));
    }
  }
  await attempt('statement', () => admin('POST', '/api/v1/statements', { from: '2026-11-01', to: '2026-11-30' }));
  await attempt('cardLost', () => admin('POST', '/api/v1/admin/cards/card-1/status', { status: 'lost' }));
  return out;
}

/** What a store holds of everything the scenario touches. */
async function snapshot(store: HuikaStore) {
  const t = await store.terminal('t-minmao-1');
  const orgs = new Set((await store.orgs()).map((o) => o.id));
  return {
    tokenHash: t?.tokenHash ?? null,
    redemptions: (await store.listRedemptions({ limit: 100 })).items.map((r) => ({
      id: r.id,
      key: r.idempotencyKey,
      status: r.status,
      hash: r.hash,
    })),
    statements: (await store.statements(orgs)).map((s) => `${s.id}:${s.status}`),
    card: (await store.card('card-1'))?.status,
    trail: (await store.admin.auditTrail({ limit: 100 })).items.map((e) => `${e.seq}:${e.action}:${e.id}`),
    head: await store.ledgerHead(),
  };
}

/** One run: a fresh copy of the demo directory, the scenario with `plan` installed, a reopen, the checks. */
async function walkOnce(plan: FaultPlan | undefined) {
  const dir = join(root, `run-${++run}`);
  cpSync(template, dir, { recursive: true });
  const srv = await demoServer({ dataDir: dir, keepDir: true, clock: new TestClock() });
  let out: Outcome;
  let inMemory: Awaited<ReturnType<typeof snapshot>>;
  let counts: ReturnType<typeof faultCounts>;
  const crashed = `${dir}-killed`;
  try {
    installFaults(plan);
    out = await scenario(srv.url);
    await (srv.ctx.store as EmbeddedStore).stateJournalIdle();
    counts = faultCounts();
    inMemory = await snapshot(srv.ctx.store);
    // What a kill -9 now would leave (a fold may be half done): no clean shutdown, no fold at close.
    cpSync(dir, crashed, { recursive: true });
    rmSync(join(crashed, 'huika.lock'));
  } finally {
    installFaults(undefined);
    await srv.close();
  }
  for (const d of [crashed, dir]) await checkReopened(d, plan, out, inMemory);
  return { out, counts: counts! };
}

async function checkReopened(dir: string, plan: FaultPlan | undefined, out: Outcome, inMemory: Awaited<ReturnType<typeof snapshot>>) {
  // A clean shutdown folds the state journal away.
  if (!dir.endsWith('-killed')) expect(statSync(join(dir, 'state.journal')).size, JSON.stringify(plan)).toBe(0);
  const store = await EmbeddedStore.open({ dir });
  try {
    const onDisk = await snapshot(store);
    const label = JSON.stringify({ plan, out });
    expect(onDisk, label).toEqual(inMemory); // memory never ran ahead of disk
    const ok = (s: Step) => out.status[s] !== undefined && out.status[s]! < 300;
    // Nothing answered 2xx is missing; nothing refused is present.
    expect(onDisk.tokenHash !== null, label).toBe(ok('enrol'));
    const mine = onDisk.redemptions.filter((r) => r.key === out.key);
    expect(mine.length, label).toBe(ok('redeem') ? 1 : 0);
    if (ok('redeem')) expect(mine[0]!.status, label).toBe(ok('void') ? 'voided' : 'committed');
    expect(onDisk.redemptions.length, label).toBe(mine.length);
    expect(onDisk.head.seq, label).toBe((ok('redeem') ? 1 : 0) + (ok('void') ? 1 : 0));
    expect(onDisk.statements.length, label).toBe(ok('statement') ? 1 : 0);
    expect(onDisk.card, label).toBe(ok('cardLost') ? 'lost' : 'activated');
    expect(onDisk.trail.filter((e) => e.includes('card.report_lost')).length, label).toBe(ok('cardLost') ? 1 : 0);
    expect(await store.verifyLedger(), label).toMatchObject({ ok: true });
    expect(await store.admin.verifyAuditTrail(), label).toMatchObject({ ok: true });
    // A terminal whose enrolment was refused can enrol again with the same code.
    if (!ok('enrol')) expect(await store.enrollTerminal(sha256('PAIR-T-MINMAO-1'), sha256('again'), new Date()), label).toBeDefined();
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('fault walk over every file operation of a scenario', () => {
  it('keeps every 2xx, keeps no refused change, and never lets memory run ahead of disk, for a fault at every call', async () => {
    const dry = await walkOnce({ op: 'write', at: Number.MAX_SAFE_INTEGER, kind: 'EIO' });
    expect(dry.out.status).toEqual({ enrol: 201, redeem: 201, void: 200, statement: 201, cardLost: 200 });
    expect(dry.counts.injected).toBe(0);
    const total = dry.counts;
    // Every file operation of the scenario is exercised (the ledger, its head, the state journal and its folds, audit.jsonl).
    expect(total.write).toBeGreaterThanOrEqual(6);
    expect(total.sync).toBeGreaterThanOrEqual(6);
    expect(total.rename).toBeGreaterThanOrEqual(3);

    const kinds: Array<[FileOp, FaultPlan['kind'], boolean]> = [
      ['write', 'ENOSPC', false],
      ['write', 'short', false],
      ['write', 'EIO', true], // a disk that stops writing for good
      ['sync', 'EIO', false],
      ['rename', 'EIO', false],
      ['open', 'ENOSPC', false],
    ];
    let refusals = 0;
    let runs = 0;
    for (const [op, kind, persist] of kinds) {
      for (let at = 1; at <= total[op]; at++) {
        const { out, counts } = await walkOnce({ op, at, kind, persist });
        expect(counts.injected, `${op} ${kind} at ${at}`).toBeGreaterThanOrEqual(1);
        refusals += Object.keys(out.refused).length;
        runs++;
        if (!persist && kind !== 'short') {
          // A transient fault: the retry of the refused step succeeded, so everything landed in the end.
          expect(out.status, `${op} ${kind} at ${at}`).toEqual({ enrol: 201, redeem: 201, void: 200, statement: 201, cardLost: 200 });
        }
        if (kind === 'short' && !persist) {
          // A short write is completed by the layer's caller: no step is refused at all.
          expect(out.refused, `short write at ${at}`).toEqual({});
        }
      }
    }
    expect(runs).toBeGreaterThan(20);
    // The faults really reached the answers (those on audit.jsonl lines are absorbed: no refusal by design).
    expect(refusals).toBeGreaterThan(runs / 3);
  }, 120_000);

  it('acknowledges every admin write while audit.jsonl refuses every write, and the trail is whole after kill -9 and after a clean stop', async () => {
    // A kill -9 between each journal record's fdatasync and its audit line: the killed copy has the
    // entries only in state.journal (every fold fails: it may not cut records whose lines are missing).
    const plan: FaultPlan = { op: 'write', at: 1, kind: 'EIO', persist: true, pathIncludes: 'audit.jsonl' };
    const { out, counts } = await walkOnce(plan);
    expect(counts.injected).toBeGreaterThanOrEqual(1);
    expect(out.refused).toEqual({});
    expect(out.status).toEqual({ enrol: 201, redeem: 201, void: 200, statement: 201, cardLost: 200 });
  }, 60_000);
});
