/**
 * Several instances as one server: two real `huika server` processes on one PostgreSQL database and one
 * Redis. A quote made on one is redeemed on the other; a budget holds exactly under concurrent
 * redemptions split across both; card:revoked and redemption:committed reach sockets on the other
 * instance; failed sign-ins are counted across both (Redis); SIGTERM drains (requests in flight are answered) and exits 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, pgUnavailable, reportSkip, type TestDatabase } from '../helpers/pg.ts';
import { REDIS_URL, redisUnavailable } from '../helpers/redis.ts';
import { card, client, enroll, login, memberNo, newKey } from '../helpers/server.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/huika.js');
const why = (await pgUnavailable()) ?? (await redisUnavailable());
if (why) reportSkip('tests/integration/instances.test.ts', why);

interface Instance {
  proc: ChildProcess;
  url: string;
  out: () => string;
  exited: Promise<number | null>;
}

function start(dataDir: string, db: string): Promise<Instance> {
  const proc = spawn(
    process.execPath,
    [BIN, 'server', '--data', dataDir, '--demo', '--port', '0', '--log-level', 'warn', '--db', db, '--redis', REDIS_URL],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HUIKA_DB_POOL: '6' },
    },
  );
  let out = '';
  proc.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  proc.stderr!.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return new Promise((res, rej) => {
    const check = () => {
      const m = /Huika server: (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        proc.stdout!.off('data', check);
        res({ proc, url: m[1]!, out: () => out, exited });
      }
    };
    proc.stdout!.on('data', check);
    void exited.then((code) => rej(new Error(`server exited (${code}) before listening:\n${out}`)));
  });
}

const socketOf = async (url: string, token: string): Promise<Socket> => {
  const s = connect(url, { auth: { token }, transports: ['websocket'] });
  await new Promise<void>((res, rej) => s.on('connect', () => res()).on('connect_error', rej));
  return s;
};

describe.skipIf(!!why)('two instances on one database and one Redis', () => {
  let db: TestDatabase;
  let dir: string;
  let a: Instance;
  let b: Instance;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('instances');
    dir = mkdtempSync(join(tmpdir(), 'huika-instances-'));
    // The first creates secrets.json and loads the demo data; the second shares both and loads nothing.
    a = await start(dir, db.url);
    b = await start(dir, db.url);
    expect(b.out()).toMatch(/demo data/);
  }, 60_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    for (const p of [a, b]) if (p && p.proc.exitCode === null) p.proc.kill('SIGKILL');
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('redeems on one instance a quote made on the other, and replays it from either', async () => {
    const enrolled = await enroll(a.url, 't-xlk-1');
    const onB = client(b.url, enrolled.token);
    const q = await enrolled('POST', '/api/v1/quotes', { credential: card(), amountFen: 10000 });
    expect(q.status).toBe(200);
    const key = newKey();
    const r = await onB('POST', '/api/v1/redemptions', { quoteId: q.body.quoteId, idempotencyKey: key });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ terminalId: 't-xlk-1', amountFen: 10000, discountFen: 1000 });
    const again = await enrolled('POST', '/api/v1/redemptions', { quoteId: q.body.quoteId, idempotencyKey: key });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(r.body.id);
  });

  it('grants a campaign budget exactly once over, with redemptions split across both instances', async () => {
    const onA = await enroll(a.url, 't-dicos-1');
    const onB = client(b.url, onA.token);
    const both = [onA, onB];
    // c-spring: budget 100,000 fen, 10,000 a grant. Quote on one instance, redeem on the other, all at once.
    const quotes = await Promise.all(
      Array.from({ length: 16 }, (_, i) => both[i % 2]!('POST', '/api/v1/quotes', { credential: card(), amountFen: 40000 })),
    );
    const answers = await Promise.all(
      quotes.map((q, i) => both[(i + 1) % 2]!('POST', '/api/v1/redemptions', { quoteId: q.body.quoteId, idempotencyKey: newKey() })),
    );
    const granted = answers.filter((x) => x.status === 201);
    expect(granted).toHaveLength(10);
    expect(answers.filter((x) => x.status !== 201).every((x) => x.status === 409 && x.body.error.code === 'BUDGET_EXHAUSTED')).toBe(true);
    const gz = await login(b.url, 'gz-auditor');
    const s = await gz('GET', '/api/v1/reports/settlement');
    expect(s.body.rows.find((row: any) => row.campaignId === 'c-spring')).toEqual({
      merchantId: 'm-dicos',
      campaignId: 'c-spring',
      count: 10,
      unionFen: 100_000,
    });
  });

  it('carries card:revoked and redemption:committed to sockets on the other instance', async () => {
    const till = await enroll(b.url, 't-minmao-1');
    const terminalOnB = await socketOf(b.url, till.token);
    const mm = await login(a.url, 'minmao-admin');
    const portalOnA = await socketOf(a.url, mm.token);
    sockets.push(terminalOnB, portalOnA);
    const committed = new Promise<any>((res) => portalOnA.on('redemption:committed', res));
    const q = await till('POST', '/api/v1/quotes', { credential: memberNo(), amountFen: 5000 });
    const r = await till('POST', '/api/v1/redemptions', { quoteId: q.body.quoteId, idempotencyKey: newKey() });
    expect(r.status).toBe(201);
    expect((await committed).id).toBe(r.body.id);

    const revoked = new Promise<any>((res) => terminalOnB.on('card:revoked', res));
    const admin = await login(a.url, 'admin');
    expect((await admin('POST', '/api/v1/admin/cards/card-1/status', { status: 'lost' })).status).toBe(200);
    expect(await revoked).toMatchObject({ cardId: 'card-1', status: 'lost' });
    // And the other instance refuses the card at once: both read one database.
    const after = await till('POST', '/api/v1/quotes', { credential: card(), amountFen: 5000 });
    expect(after.body.eligible).toBe(false);
  });

  it('counts failed sign-ins across instances: ten failures spread over both, then both answer 429', async () => {
    const username = `nobody-${process.pid}-${Date.now()}`; // unknown names are throttled the same (and nothing else shares this key)
    for (let i = 0; i < 10; i++) {
      const r = await client(i % 2 ? b.url : a.url)('POST', '/api/v1/session', { username, password: 'wrong' });
      expect(r.status).toBe(401);
    }
    for (const url of [a.url, b.url]) {
      const r = await client(url)('POST', '/api/v1/session', { username, password: 'wrong' });
      expect(r.status).toBe(429);
      expect(r.body.error.code).toBe('RATE_LIMITED');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it('drains on SIGTERM: requests in flight are answered in full, /ready says draining, the process exits 0', async () => {
    const till = await enroll(a.url, 't-hotel-1');
    const inFlight = Array.from({ length: 20 }, () =>
      till('POST', '/api/v1/quotes', { credential: memberNo(), amountFen: 1000 }).catch((err: Error) => ({ status: -1, error: err })),
    );
    await new Promise((r) => setTimeout(r, 5));
    a.proc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    // Still answering, but telling the balancer to look elsewhere.
    const ready = await client(a.url)('GET', '/api/v1/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ status: 'not-ready', reason: 'draining' });
    expect(ready.headers.get('connection')).toBe('close');
    const answers = await Promise.all(inFlight);
    // Each request either got its whole answer or was never accepted (connection refused): none was cut off half-way.
    for (const x of answers) {
      if (x.status === -1) expect(String((x as any).error?.cause?.code ?? (x as any).error)).toMatch(/ECONNREFUSED/);
      else expect(x.status).toBe(200);
    }
    expect(answers.some((x) => x.status === 200)).toBe(true);
    expect(await a.exited).toBe(0);
    // The other instance carries on alone.
    expect((await client(b.url)('GET', '/api/v1/ready')).body.status).toBe('ready');
    b.proc.kill('SIGTERM');
    expect(await b.exited).toBe(0);
  });
});
