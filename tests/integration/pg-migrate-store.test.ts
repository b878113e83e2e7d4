/**
 * huika migrate-store: an embedded data directory with redemptions, a void, an admin change and a
 * statement is copied into an empty database by the real command; counts, the chain (the same hashes)
 * and budgets agree; a server on the database carries on the chain; a non-empty target is refused.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subAdmin } from '../helpers/admin.ts';
import { createTestDatabase, pgUnavailable, reportSkip, type TestDatabase } from '../helpers/pg.ts';
import { card, demoServer, enroll, login, memberNo, redeem, tempDir, type TestServer } from '../helpers/server.ts';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/huika.js');

const why = await pgUnavailable();
if (why) reportSkip('tests/integration/pg-migrate-store.test.ts', why);

describe.skipIf(!!why)('huika migrate-store', () => {
  let db: TestDatabase;
  let dir: string;
  const made: string[] = [];
  let lastHash = '';

  beforeAll(async () => {
    db = await createTestDatabase('migrate');
    dir = tempDir();
    const src: TestServer = await demoServer({ dataDir: dir, keepDir: true });
    const dicos = await enroll(src.url, 't-dicos-1');
    const xlk = await enroll(src.url, 't-xlk-1');
    for (let i = 0; i < 4; i++) made.push((await redeem(dicos, 40000)).id);
    for (let i = 0; i < 3; i++) made.push((await redeem(xlk, 1000 + i, memberNo())).id);
    expect((await dicos('POST', `/api/v1/redemptions/${made[1]}/void`, { reason: '退货 returned' })).status).toBe(200);
    const gzAdmin = await subAdmin(src, 'org-gz');
    expect((await gzAdmin('POST', '/api/v1/admin/cards/card-1/status', { status: 'lost' })).status).toBe(200);
    lastHash = (await src.ctx.store.redemption(made.at(-1)!))!.hash;
    await src.stop();
  });
  afterAll(async () => {
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('copies and checks everything, then a server on the database carries on the same chain', async () => {
    const out = await run(process.execPath, [BIN, 'migrate-store', '--from', dir, '--to', db.url], { cwd: ROOT });
    expect(out.stdout).toMatch(/Migrated and checked: 5 members, 3 cards, 7 redemptions \(1 voided\), 8 ledger entries/);
    expect(out.stderr).toMatch(/migrating ledger\s+8\/8 100%/);

    const srv = await demoServer({ dataDir: dir, keepDir: true, db: db.url });
    try {
      const store = srv.ctx.store;
      expect(store.kind).toBe('postgres');
      // The very records, hashes included, and budgets as the directory counted them (3 grants of c-spring left standing).
      expect((await store.redemption(made.at(-1)!))?.hash).toBe(lastHash);
      expect((await store.redemption(made[1]!))?.status).toBe('voided');
      expect(await store.remainingBudget('c-spring')).toBe(100_000 - 3 * 10_000);
      expect((await store.card('card-1'))?.status).toBe('lost');
      const gz = await login(srv.url, 'gz-auditor');
      expect((await gz('GET', '/api/v1/audit/verify')).body).toMatchObject({ ok: true, checked: 8 });
      const trail = await (await login(srv.url, 'admin'))('GET', '/api/v1/admin/audit-trail?entity=card');
      expect(trail.body.items[0]).toMatchObject({ action: 'card.report_lost' });
      // The card hashes still match: the server uses the directory's secrets.json.
      const xlk = await enroll(srv.url, 't-xlk-1').catch(() => undefined);
      expect(xlk).toBeUndefined(); // t-xlk-1 was enrolled before the move: its pairing code is spent there too
      const hotel = await enroll(srv.url, 't-hotel-1');
      const q = await hotel('POST', '/api/v1/quotes', { credential: card('6217996600000000015'), amountFen: 10000 });
      expect(q.body.reasons.map((r: any) => r.code)).toContain('CARD_LOST');
      const next = await redeem(hotel, 10000, memberNo());
      // The new record links to the directory's last entry (the void), as if the server had never moved.
      const fileHead = JSON.parse(readFileSync(join(dir, 'ledger.jsonl'), 'utf8').trim().split('\n').at(-1)!).hash;
      expect(next.prevHash).toBe(fileHead);
      expect((await gz('GET', '/api/v1/audit/verify')).body).toMatchObject({ ok: true, checked: 9 });
    } finally {
      await srv.stop();
    }
  });

  it('refuses a target that is not empty and changes nothing in it', async () => {
    const err = await run(process.execPath, [BIN, 'migrate-store', '--from', dir, '--to', db.url], { cwd: ROOT }).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(1);
    expect(err?.stderr).toMatch(/TARGET_NOT_EMPTY/);
    expect(readFileSync(join(dir, 'ledger.jsonl'), 'utf8').split('\n').filter(Boolean)).toHaveLength(8);
  });
});
