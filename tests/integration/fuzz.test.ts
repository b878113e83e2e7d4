/**
 * HTTP fuzz in npm test (DESIGN.md: no input gets a 5xx): random methods, paths from the real route table
 * (read from express's router stack), ids, escapes, queries, bodies, headers and actors, against a real
 * server on port 0. Bounded in count and time, seeded (HUIKA_FUZZ_SEED replays a run; the seed is printed).
 * Afterwards the server is healthy and still redeems.
 */
import { Agent, request } from 'node:http';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { createLogger } from '../../server/logger.ts';
import { demoServer, enroll, login, memberNo, redeem, type TestServer } from '../helpers/server.ts';

const REQUESTS = Number(process.env.HUIKA_FUZZ_REQUESTS ?? 3000);
const SEED = Number(process.env.HUIKA_FUZZ_SEED ?? Date.now() % 2 ** 31);
const CONCURRENCY = 8;
const BUDGET_MS = 20_000;

let srv: TestServer;
const logged: string[] = [];

/** mulberry32: small, seeded, good enough to pick paths and actors. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]! };
}

interface RouteSpec {
  method: string;
  path: string;
}

/** Every route of the app, from express's own router stack (nested routers included). */
function routeTable(app: any): RouteSpec[] {
  const out: RouteSpec[] = [];
  const walk = (stack: any[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths: string[] = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const p of paths)
          for (const m of Object.keys(layer.route.methods))
            if (typeof p === 'string') out.push({ method: m.toUpperCase(), path: prefix + p });
      } else if (layer.handle?.stack) {
        const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, prefix + mount);
      }
    }
  };
  walk(app.router.stack, '');
  return out;
}

const IDS = [
  'rd-1',
  'rd-2',
  'rd-999999',
  'm-minmao',
  'm-xlk',
  's-minmao-1',
  't-minmao-1',
  't-xlk-1',
  'u-admin',
  'u-minmao-admin',
  'a-minmao',
  'c-wuyi',
  'c-spring',
  'mbr-1',
  'card-1',
  'org-kd',
  'org-gz',
  'st-1',
  'job-1',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '%ZZ',
  '%',
  '%E0%A4%A',
  '%C0%80',
  '%00',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e',
  'x'.repeat(300),
  '1',
  '0',
  '-1',
  '1e309',
  'NaN',
  '9007199254740993',
  'null',
  'undefined',
  '%F0%9F%98%80',
  "'%20OR%201=1--",
  '%3Cscript%3E',
  'rd-1.csv',
  '',
];
const QUERY_KEYS = [
  'merchantId',
  'storeId',
  'terminalId',
  'orgId',
  'from',
  'to',
  'status',
  'cursor',
  'limit',
  'granularity',
  'funding',
  'dryRun',
  'fileName',
  'q',
  'entity',
  'id',
  'username',
  'last4',
  'h',
  'format',
  'offset',
  '__proto__',
  'constructor',
];
const QUERY_VALUES = [
  'm-minmao',
  'org-kd',
  '2026-11-25',
  '2026-11-25T12:00:00+08:00',
  '2026-02-30',
  'committed',
  'voided',
  'day',
  'month',
  '1',
  '0',
  '-5',
  '501',
  '99999999999999999999',
  'abc',
  '%ZZ',
  '__proto__',
  '',
  'true',
  'x'.repeat(500),
  '[]',
  '{}',
];
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/json; charset=utf-16le',
  'text/csv',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/vnd.api+json',
  '',
];

beforeAll(async () => {
  const log = createLogger('error', { write: (line: string) => void logged.push(line) } as never);
  srv = await demoServer({ log });
});
afterAll(() => srv?.stop());

it(`answers ${REQUESTS} random requests without a single 5xx, and stays healthy`, async () => {
  // eslint-disable-next-line no-console
  console.log(`fuzz seed ${SEED} (HUIKA_FUZZ_SEED=${SEED} replays it)`);
  const rnd = prng(SEED);
  // The same app factory the server runs, asked for its router stack (the listener may be wrapped).
  const routes = routeTable(createApp(srv.ctx));
  expect(routes.length).toBeGreaterThan(40);
  expect(routes.some((r) => r.path === '/api/v1/redemptions/:id/void')).toBe(true);

  const tokens: (string | undefined)[] = [undefined, 'garbage', 'st_e30.AAAA', 'tt_nope'];
  for (const u of ['admin', 'gz-auditor', 'kd-auditor', 'minmao-admin', 'xlk-admin']) tokens.push((await login(srv.url, u)).token);
  const till = await enroll(srv.url, 't-minmao-1');
  tokens.push(till.token);
  await redeem(till, 35_000, memberNo()); // something to find, void and list

  const bodies = fc.sample(
    fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          credential: fc.record({ type: fc.constantFrom('card_number', 'member_no', 'qr', 'card_track', '__proto__'), data: fc.string() }),
          amountFen: fc.oneof(fc.integer(), fc.double()),
        },
        { requiredKeys: [] },
      ),
      fc.record(
        {
          username: fc.string(),
          password: fc.string(),
          quoteId: fc.string(),
          idempotencyKey: fc.string(),
          reason: fc.string(),
          status: fc.string(),
          pairingCode: fc.string(),
        },
        { requiredKeys: [] },
      ),
      fc.dictionary(
        fc.constantFrom('__proto__', 'constructor', 'prototype', 'id', 'merchantId', 'orgId', 'rule', 'conditions', 'from', 'to'),
        fc.jsonValue(),
      ),
    ),
    { seed: SEED, numRuns: 512 },
  );
  const garbage = fc.sample(fc.string({ unit: 'binary', maxLength: 200 }), { seed: SEED + 1, numRuns: 64 });

  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const fill = (path: string) => path.replace(/:(\w+)/g, () => rnd.pick(IDS));
  const statuses = new Map<number, number>();
  const fivexx: string[] = [];
  const started = Date.now();

  const slow: [number, string][] = [];
  function one(): Promise<void> {
    const t0 = Date.now();
    const route = rnd.pick(routes);
    const method = rnd.next() < 0.85 ? route.method : rnd.pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']);
    let path = fill(route.path);
    if (rnd.next() < 0.1) path += rnd.pick(['/', '//', '/x', '%', '.json', '/..']);
    if (rnd.next() < 0.5) {
      const n = 1 + rnd.int(3);
      path += `?${Array.from({ length: n }, () => `${rnd.pick(QUERY_KEYS)}=${rnd.pick(QUERY_VALUES)}`).join('&')}`;
    }
    const headers: Record<string, string> = {};
    const token = rnd.pick(tokens);
    if (token) {
      if (rnd.next() < 0.7) headers.authorization = `Bearer ${token}`;
      else headers.cookie = `huika_session=${rnd.next() < 0.9 ? encodeURIComponent(token) : '%ZZ'}`;
    }
    if (rnd.next() < 0.5) headers.origin = rnd.pick([srv.url, 'http://evil.example', 'null', 'not a url']);
    let body: Buffer | undefined;
    if (method !== 'GET' && method !== 'HEAD' && rnd.next() < 0.85) {
      const ct = rnd.pick(CONTENT_TYPES);
      if (ct) headers['content-type'] = ct;
      const text = rnd.next() < 0.8 ? (JSON.stringify(rnd.pick(bodies)) ?? 'null') : rnd.pick(garbage);
      body = Buffer.from(text, 'utf8');
      const enc = rnd.next();
      if (enc < 0.05)
        headers['content-encoding'] = 'gzip'; // claims gzip, is not
      else if (enc < 0.1) {
        headers['content-encoding'] = 'gzip';
        body = gzipSync(body);
      } else if (enc < 0.12) headers['content-encoding'] = rnd.pick(['deflate', 'br', 'x-unknown']);
    }
    // Node frames DELETE and OPTIONS bodies only with an explicit length (no chunked default for them).
    if (body) headers['content-length'] = String(body.length);
    return new Promise((resolve) => {
      const req = request(`${srv.url}${path}`, { method, headers, agent, timeout: 10_000 }, (res) => {
        res.resume();
        res.on('end', () => {
          const s = res.statusCode ?? 0;
          statuses.set(s, (statuses.get(s) ?? 0) + 1);
          if (s >= 500) fivexx.push(`${s} ${method} ${path}`);
          slow.push([Date.now() - t0, `${s} ${method} ${route.path}`]);
          resolve();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err) => {
        fivexx.push(
          `no answer (${err.message}) ${method} ${path} ${JSON.stringify(headers)} ${body ? JSON.stringify(body.toString('latin1').slice(0, 200)) : ''}`,
        );
        resolve();
      });
      req.end(body);
    });
  }

  let sent = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (sent < REQUESTS && Date.now() - started < BUDGET_MS) {
        sent++;
        await one();
      }
    }),
  );
  agent.destroy();
  // eslint-disable-next-line no-console
  console.log('slowest', slow.sort((a, b) => b[0] - a[0]).slice(0, 5));
  // eslint-disable-next-line no-console
  console.log(`fuzz: ${sent} requests in ${Date.now() - started} ms`, Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])));
  expect(fivexx, `seed ${SEED}`).toEqual([]);
  expect(
    logged.filter((l) => l.includes('unhandled error')),
    `seed ${SEED}`,
  ).toEqual([]);
  // On a loaded machine the time bound may stop it early; it must still have covered a good part of the table.
  expect(sent).toBeGreaterThan(Math.min(REQUESTS, 1000));

  // Healthy afterwards: answers, redeems, and the ledger verifies.
  const health = await fetch(`${srv.url}/api/v1/health`);
  expect(health.status).toBe(200);
  const fresh = await enroll(srv.url, 't-dicos-1');
  expect((await redeem(fresh, 10_000, memberNo())).status).toBe('committed');
  const verify = await (await login(srv.url, 'admin'))('GET', '/api/v1/audit/verify');
  expect(verify.body.ok).toBe(true);
}, 60_000);
