/**
 * Operations on the PostgreSQL backend: /metrics counts what was answered, /ready vs /health, and a
 * database that stops taking writes gives 503 STORAGE_FAILED (never a 500) and a not-ready instance,
 * which recovers by itself once the database does.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, PG_ADMIN_URL, pgUnavailable, reportSkip, type TestDatabase } from '../helpers/pg.ts';
import { client, demoServer, enroll, memberNo, newKey, redeem, type TestServer } from '../helpers/server.ts';

const why = await pgUnavailable();
if (why) reportSkip('tests/integration/pg-ops.test.ts', why);

async function sql(url: string, text: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

describe.skipIf(!!why)('operations on PostgreSQL', () => {
  let db: TestDatabase;
  let srv: TestServer;
  beforeAll(async () => {
    db = await createTestDatabase('ops');
    srv = await demoServer({ db: db.url, dbPoolSize: 3 });
  });
  afterAll(async () => {
    await srv?.stop();
    await db?.drop();
  });

  it('exposes quotes, redemptions and request durations in Prometheus text', async () => {
    const till = await enroll(srv.url, 't-xlk-1');
    await redeem(till, 1000, memberNo());
    await redeem(till, 2000, memberNo());
    expect((await till('POST', '/api/v1/quotes', { credential: { type: 'member_no', data: '123' }, amountFen: 100 })).status).toBe(400);
    const m = await client(srv.url)('GET', '/metrics');
    expect(m.status).toBe(200);
    expect(m.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(m.text).toMatch(/^huika_quotes_total\{outcome="ok"\} 2$/m);
    expect(m.text).toMatch(/^huika_quotes_total\{outcome="refused"\} 1$/m);
    expect(m.text).toMatch(/^huika_redemptions_total\{outcome="created"\} 2$/m);
    expect(m.text).toMatch(
      /^huika_http_request_duration_seconds_bucket\{le="0\.005",method="POST",route="\/api\/v1\/quotes",status="200"\} \d+$/m,
    );
    expect(m.text).toMatch(/^huika_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/redemptions",status="201"\} 2$/m);
    // Route patterns, never raw paths with ids in them.
    expect(m.text).not.toMatch(/rd-\d{10}/);
  });

  it('is ready while the database takes writes; 503 STORAGE_FAILED and not ready while it does not; ready again after', async () => {
    expect((await client(srv.url)('GET', '/api/v1/ready')).status).toBe(200);
    const till = await enroll(srv.url, 't-minmao-1');
    const q = await till('POST', '/api/v1/quotes', { credential: memberNo(), amountFen: 5000 });
    await sql(PG_ADMIN_URL, `ALTER DATABASE ${db.name} SET default_transaction_read_only = on`);
    await sql(PG_ADMIN_URL, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${db.name}'`);
    try {
      const key = newKey();
      const r = await till('POST', '/api/v1/redemptions', { quoteId: q.body.quoteId, idempotencyKey: key });
      expect(r.status).toBe(503);
      expect(r.body.error.code).toBe('STORAGE_FAILED');
      const ready = await client(srv.url)('GET', '/api/v1/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.reason).toBe('store-refusing-writes');
      expect((await client(srv.url)('GET', '/api/v1/health')).status).toBe(503);
    } finally {
      await sql(PG_ADMIN_URL, `ALTER DATABASE ${db.name} SET default_transaction_read_only = off`);
      await sql(PG_ADMIN_URL, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${db.name}'`);
    }
    // The retry with the same key goes through once the database is back, and nothing was half-recorded.
    const again = await till('POST', '/api/v1/quotes', { credential: memberNo(), amountFen: 5000 });
    const ok = await till('POST', '/api/v1/redemptions', { quoteId: again.body.quoteId, idempotencyKey: newKey() });
    expect(ok.status).toBe(201);
    expect((await client(srv.url)('GET', '/api/v1/ready')).body).toEqual({ status: 'ready', store: 'postgres' });
    expect(await srv.ctx.store.verifyLedger()).toMatchObject({ ok: true });
  });
});
