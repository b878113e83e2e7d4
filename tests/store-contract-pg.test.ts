/**
 * The store contract on PostgreSQL: one database for this run (created and dropped here), emptied
 * between tests; plus what only this backend has: migrations under a lock, several instances on one
 * database, and tamper checks on rows.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgStore } from '../server/store/pg/pg-store.ts';
import { MIGRATIONS } from '../server/store/pg/migrate.ts';
import { createTestDatabase, pgUnavailable, reportSkip, truncateAll, type TestDatabase } from './helpers/pg.ts';
import { campaignDraft, draft, referenceFixture, storeContract } from './store-contract.ts';

const why = await pgUnavailable();
if (why) reportSkip('tests/store-contract-pg.test.ts', why);

describe.skipIf(!!why)('PostgreSQL store', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('contract');
  });
  afterAll(async () => {
    await db?.drop();
  });

  storeContract('postgres', async () => {
    const store = await PgStore.open({ url: db.url, poolSize: 8 }); // the first open migrates
    await truncateAll(db.url); // every test starts empty
    return { store, cleanup: () => store.close() };
  });

  describe('only on PostgreSQL', () => {
    it('migrates once when several instances start at the same moment', async () => {
      const fresh = await createTestDatabase('migrate');
      try {
        const stores = await Promise.all([1, 2, 3, 4].map(() => PgStore.open({ url: fresh.url, poolSize: 2 })));
        const c = new pg.Client({ connectionString: fresh.url });
        await c.connect();
        const { rows } = await c.query('SELECT version FROM huika_migrations ORDER BY version');
        await c.end();
        expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
        // Two of them seed at once (both started with --demo): one loads, the other is refused and nothing doubles.
        const seeded = await Promise.allSettled([stores[0]!.seed(referenceFixture()), stores[1]!.seed(referenceFixture())]);
        expect(seeded.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
        expect((await stores[2]!.orgs()).length).toBe(2);
        // Budgets hold across instances: 50 commits spread over four pools.
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) => stores[i % 4]!.commitRedemption(campaignDraft(), () => null)),
        );
        expect(results.filter((r) => r.kind === 'created')).toHaveLength(33);
        expect(await stores[3]!.remainingBudget('c-b')).toBe(1_000);
        expect(await stores[0]!.verifyLedger()).toMatchObject({ ok: true, checked: 33 });
        await Promise.all(stores.map((s) => s.close()));
      } finally {
        await fresh.drop();
      }
    });

    it('refuses a database whose schema is newer than this code', async () => {
      const fresh = await createTestDatabase('newer');
      try {
        (await PgStore.open({ url: fresh.url })).close();
        const c = new pg.Client({ connectionString: fresh.url });
        await c.connect();
        await c.query('INSERT INTO huika_migrations (version) VALUES ($1)', [MIGRATIONS.length + 1]);
        await c.end();
        await expect(PgStore.open({ url: fresh.url })).rejects.toMatchObject({ code: 'SCHEMA_TOO_NEW' });
      } finally {
        await fresh.drop();
      }
    });

    it('verifyLedger finds a row edited behind its back, a ledger entry edited, and entries removed from the end', async () => {
      await truncateAll(db.url);
      const s = await PgStore.open({ url: db.url, poolSize: 2 });
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      try {
        await s.seed(referenceFixture());
        const ids: string[] = [];
        for (let i = 0; i < 4; i++) {
          const r = await s.commitRedemption(draft({ amountFen: 10000 + i }), () => null);
          if (r.kind === 'created') ids.push(r.redemption.id);
        }
        expect(await s.verifyLedger()).toMatchObject({ ok: true, checked: 4 });
        // What the portals show is changed, the chain is not.
        await c.query(`UPDATE redemptions SET body = jsonb_set(body, '{amountFen}', '10901') WHERE id = $1`, [ids[1]]);
        expect(await s.verifyLedger()).toMatchObject({ ok: false, checked: 1, brokenAt: ids[1] });
        await c.query(`UPDATE redemptions SET body = jsonb_set(body, '{amountFen}', '10001') WHERE id = $1`, [ids[1]]);
        expect(await s.verifyLedger()).toMatchObject({ ok: true, checked: 4 });
        // The chain itself is edited.
        await c.query(`UPDATE ledger SET line = replace(line, '"amountFen":10002', '"amountFen":10902') WHERE seq = 3`);
        expect(await s.verifyLedger()).toMatchObject({ ok: false, checked: 2, brokenAt: ids[2] });
        await c.query(`UPDATE ledger SET line = replace(line, '"amountFen":10902', '"amountFen":10002') WHERE seq = 3`);
        // A status flipped back without a void entry.
        await c.query(`UPDATE redemptions SET status = 'voided' WHERE id = $1`, [ids[0]]);
        expect(await s.verifyLedger()).toMatchObject({ ok: false, brokenAt: ids[0] });
        await c.query(`UPDATE redemptions SET status = 'committed' WHERE id = $1`, [ids[0]]);
        // The newest entry is deleted.
        await c.query(
          'DELETE FROM redemption_offers WHERE seq = 4; DELETE FROM redemption_draws WHERE seq = 4; DELETE FROM redemptions WHERE seq = 4; DELETE FROM ledger WHERE seq = 4',
        );
        expect(await s.verifyLedger()).toMatchObject({ ok: false, checked: 3 });
      } finally {
        await c.end();
        await s.close();
      }
    });

    it('answers STORAGE_FAILED, not a crash, when the database goes away, and says so in writeFailure', async () => {
      await truncateAll(db.url);
      const s = await PgStore.open({ url: db.url, poolSize: 2 });
      try {
        await s.seed(referenceFixture());
        const admin = new pg.Client({ connectionString: db.url });
        await admin.connect();
        // Cut every connection of this store's pool, as a database restart would.
        await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
        );
        await admin.query(`ALTER DATABASE ${db.name} SET default_transaction_read_only = on`);
        await admin.end();
        await expect(s.commitRedemption(draft(), () => null)).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
        expect(s.writeFailure()).toMatchObject({ code: 'STORAGE_FAILED' });
        const back = new pg.Client({ connectionString: db.url });
        await back.connect();
        await back
          .query(`BEGIN; SET TRANSACTION READ WRITE; ALTER DATABASE ${db.name} SET default_transaction_read_only = off; COMMIT`)
          .catch(async () => {
            await back.query(`SET default_transaction_read_only = off; ALTER DATABASE ${db.name} SET default_transaction_read_only = off`);
          });
        await back.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
        );
        await back.end();
        expect((await s.commitRedemption(draft(), () => null)).kind).toBe('created');
        expect(s.writeFailure()).toBeUndefined();
      } finally {
        await s.close();
      }
    });
  });
});
