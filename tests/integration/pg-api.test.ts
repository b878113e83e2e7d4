/**
 * The HTTP API's key flows on the PostgreSQL backend: the same server, started with a database URL.
 * Enrolment, quotes, redemptions with replay and concurrent retries, budgets, voids, lost cards pushed
 * to terminals, admin writes with their trail, portal paging, statements and the chain check.
 */
import { io as connect, type Socket } from 'socket.io-client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subAdmin } from '../helpers/admin.ts';
import { createTestDatabase, pgUnavailable, reportSkip, type TestDatabase } from '../helpers/pg.ts';
import { card, client, DEMO, demoServer, enroll, login, memberNo, newKey, redeem, type Api, type TestServer } from '../helpers/server.ts';

const why = await pgUnavailable();
if (why) reportSkip('tests/integration/pg-api.test.ts', why);

describe.skipIf(!!why)('HTTP API on PostgreSQL', () => {
  let db: TestDatabase;
  let srv: TestServer;
  let xlk: Api & { token: string };
  let dicos: Api & { token: string };

  beforeAll(async () => {
    db = await createTestDatabase('api');
    srv = await demoServer({ db: db.url, dbPoolSize: 6 });
    xlk = await enroll(srv.url, 't-xlk-1');
    dicos = await enroll(srv.url, 't-dicos-1');
  });
  afterAll(async () => {
    await srv?.stop();
    await db?.drop();
  });

  it('runs on the PostgreSQL store and is ready', async () => {
    expect(srv.ctx.store.kind).toBe('postgres');
    expect((await client(srv.url)('GET', '/api/v1/ready')).body).toEqual({ status: 'ready', store: 'postgres' });
    // A pairing code works once.
    expect((await client(srv.url)('POST', '/api/v1/terminals/enroll', { pairingCode: 'PAIR-T-XLK-1' })).status).toBe(404);
  });

  it('redeems once per key, replays the same body, and answers concurrent retries with one record', async () => {
    const q = await xlk('POST', '/api/v1/quotes', { credential: card(), amountFen: 10000 });
    expect(q.status).toBe(200);
    const key = newKey();
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => xlk('POST', '/api/v1/redemptions', { quoteId: q.body.quoteId, idempotencyKey: key })),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(7);
    const created = answers.find((a) => a.status === 201)!.body;
    expect(created).toMatchObject({ merchantId: 'm-xlk', amountFen: 10000, discountFen: 1000, payableFen: 9000, status: 'committed' });
    for (const a of answers) expect(a.body).toEqual(created);
    expect(answers.map((a) => a.text).join('')).not.toContain(DEMO.activeCard);
    const other = await xlk('POST', '/api/v1/quotes', { credential: memberNo(), amountFen: 5000 });
    const conflict = await xlk('POST', '/api/v1/redemptions', { quoteId: other.body.quoteId, idempotencyKey: key });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('IDEMPOTENCY_CONFLICT');
  });

  it('never spends more than a campaign budget under concurrent redemptions, and a void gives it back', async () => {
    // c-spring: 满300减100, budget 100,000 fen: exactly ten grants.
    const quotes = await Promise.all(
      Array.from({ length: 14 }, () => dicos('POST', '/api/v1/quotes', { credential: card(), amountFen: 40000 })),
    );
    const answers = await Promise.all(
      quotes.map((q) => dicos('POST', '/api/v1/redemptions', { quoteId: q.body.quoteId, idempotencyKey: newKey() })),
    );
    const granted = answers.filter((a) => a.status === 201 && a.body.lines.some((l: any) => l.funding.campaignId === 'c-spring'));
    expect(granted).toHaveLength(10);
    expect(answers.filter((a) => a.status === 409).every((a) => a.body.error.code === 'BUDGET_EXHAUSTED')).toBe(true);
    expect(await srv.ctx.store.remainingBudget('c-spring')).toBe(0);
    const v = await dicos('POST', `/api/v1/redemptions/${granted[0]!.body.id}/void`, { reason: '退货 returned' });
    expect(v.status).toBe(200);
    expect(v.body.status).toBe('voided');
    expect(await srv.ctx.store.remainingBudget('c-spring')).toBe(10_000);
    expect((await dicos('POST', `/api/v1/redemptions/${granted[0]!.body.id}/void`, { reason: 'again' })).status).toBe(409);
  });

  it('pushes a lost card to terminals at once and refuses it afterwards, with the change in the audit trail', async () => {
    const gzAdmin = await subAdmin(srv, 'org-gz');
    const socket: Socket = connect(srv.url, { auth: { token: xlk.token }, transports: ['websocket'] });
    try {
      await new Promise<void>((res, rej) => socket.on('connect', () => res()).on('connect_error', rej));
      const revoked = new Promise<any>((res) => socket.on('card:revoked', res));
      const r = await gzAdmin('POST', '/api/v1/admin/cards/card-1/status', { status: 'lost' });
      expect(r.status).toBe(200);
      expect(await revoked).toMatchObject({ cardId: 'card-1', status: 'lost' });
      const q = await xlk('POST', '/api/v1/quotes', { credential: card(), amountFen: 10000 });
      expect(q.body.eligible).toBe(false);
      expect(q.body.reasons.map((x: any) => x.code)).toContain('CARD_LOST');
      const trail = await gzAdmin('GET', '/api/v1/admin/audit-trail?entity=card');
      expect(trail.body.items[0]).toMatchObject({ action: 'card.report_lost', before: { status: 'activated' }, after: { status: 'lost' } });
      expect(JSON.stringify(trail.body)).not.toMatch(/panHash|[0-9a-f]{64}/);
    } finally {
      socket.close();
    }
  });

  it('pages the merchant log with a cursor over every record exactly once, and verifies the chain', async () => {
    const mm = await login(srv.url, 'minmao-admin');
    const minmao = await enroll(srv.url, 't-minmao-1');
    const made: string[] = [];
    for (let i = 0; i < 7; i++) made.push((await redeem(minmao, 1000 + i, memberNo())).id);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let guard = 0; guard < 10; guard++) {
      const page = await mm('GET', `/api/v1/redemptions?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((r: any) => r.id));
      cursor = page.body.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual([...made].reverse());
    const gz = await login(srv.url, 'gz-auditor');
    const ok = await gz('GET', '/api/v1/audit/verify');
    expect(ok.body).toMatchObject({ ok: true });
    // An edit behind the server's back is found.
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      await c.query(`UPDATE redemptions SET body = jsonb_set(body, '{discountFen}', '0') WHERE id = $1`, [made[3]]);
      expect((await gz('GET', '/api/v1/audit/verify')).body).toMatchObject({ ok: false, brokenAt: made[3] });
    } finally {
      await c.end();
    }
  });
});
