/**
 * The front layer for the till's two calls (server/http/hot-routes.ts, issue 13): it answers exactly as
 * the full chain does (status, body, every header), takes only the everyday form, and is still counted.
 */
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headerBlock, hotRoutes, parseStrictJson } from '../../server/http/hot-routes.ts';
import { securityHeaders } from '../../server/http/hardening.ts';
import { card, client, DEMO, demoServer, enroll, login, memberNo, newKey, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let terminal: string;
let user: string;

beforeAll(async () => {
  srv = await demoServer();
  terminal = (await enroll(srv.url, 't-minmao-1')).token;
  user = (await login(srv.url, 'admin')).token;
});
afterAll(() => srv.stop());

type Raw = { status: number; headers: Record<string, string | string[] | undefined>; text: string };

/** One request; `chunked` sends the body without a length, which the front layer leaves to the full chain. */
function send(base: string, path: string, headers: Record<string, string>, body: Buffer | string, chunked = false): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const buf = typeof body === 'string' ? Buffer.from(body) : body;
    const h = chunked ? headers : { ...headers, 'content-length': String(buf.length) };
    const req = request(`${base}${path}`, { method: 'POST', headers: h }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (chunked && buf.length > 1) {
      req.write(buf.subarray(0, 1));
      req.end(buf.subarray(1));
    } else req.end(buf);
  });
}

const VARYING = new Set(['date', 'content-length', 'transfer-encoding', 'connection', 'keep-alive']);
const headersOf = (r: Raw) => Object.fromEntries(Object.entries(r.headers).filter(([k]) => !VARYING.has(k)));
/** The body without what differs between two answers to the same question (ids, times). */
const shapeOf = (r: Raw) => JSON.parse(r.text.replace(/"q-[\w-]+"/g, '"q-*"').replace(/"\d{4}-\d\d-\d\dT[\d:.]+Z"/g, '"T"'));

describe('the front layer answers as the full chain does', () => {
  const json = { 'content-type': 'application/json' };
  const bearer = (t: string) => ({ ...json, authorization: `Bearer ${t}` });
  const cases: Array<[string, () => Record<string, string>, Buffer | string, number]> = [
    ['an eligible quote', () => bearer(terminal), JSON.stringify({ credential: card(), amountFen: 35000 }), 200],
    [
      'a quote for a member who is not eligible',
      () => bearer(terminal),
      JSON.stringify({ credential: card(DEMO.lostCard), amountFen: 100 }),
      200,
    ],
    [
      'a body with a UTF-8 BOM',
      () => bearer(terminal),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ credential: memberNo(), amountFen: 500 }))]),
      200,
    ],
    ['JSON that is not an object', () => bearer(terminal), '"credential"', 400],
    ['a body that is not JSON', () => bearer(terminal), '{"credential": ', 400],
    ['a body that fails the schema', () => bearer(terminal), JSON.stringify({ credential: card(), amountFen: -1 }), 400],
    ['an unknown token', () => bearer('not-a-token'), JSON.stringify({ credential: card(), amountFen: 100 }), 401],
    ['a portal user instead of a terminal', () => bearer(user), JSON.stringify({ credential: card(), amountFen: 100 }), 403],
  ];
  for (const [what, headers, body, status] of cases)
    it(`${what}: ${status}`, async () => {
      const fast = await send(srv.url, '/api/v1/quotes', headers(), body);
      const full = await send(srv.url, '/api/v1/quotes', headers(), body, true);
      expect(fast.status, fast.text).toBe(status);
      expect(full.status).toBe(status);
      expect(shapeOf(fast)).toEqual(shapeOf(full));
      expect(headersOf(fast)).toEqual(headersOf(full));
      expect(fast.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(fast.headers['x-content-type-options']).toBe('nosniff');
      expect(fast.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(Number(fast.headers['content-length'])).toBe(Buffer.byteLength(fast.text));
    });

  it('redeems, replays and refuses alike', async () => {
    const quote = async () => {
      const r = await send(srv.url, '/api/v1/quotes', bearer(terminal), JSON.stringify({ credential: memberNo(), amountFen: 1000 }));
      return JSON.parse(r.text).quoteId as string;
    };
    const shapes: unknown[] = [];
    for (const chunked of [false, true]) {
      const body = JSON.stringify({ quoteId: await quote(), idempotencyKey: newKey() });
      const created = await send(srv.url, '/api/v1/redemptions', bearer(terminal), body, chunked);
      const replayed = await send(srv.url, '/api/v1/redemptions', bearer(terminal), body, chunked);
      const unknown = await send(
        srv.url,
        '/api/v1/redemptions',
        bearer(terminal),
        JSON.stringify({ quoteId: 'q-none', idempotencyKey: newKey() }),
        chunked,
      );
      expect([created.status, replayed.status, unknown.status]).toEqual([201, 200, 404]);
      expect(JSON.parse(replayed.text).id).toBe(JSON.parse(created.text).id);
      shapes.push([
        headersOf(created),
        headersOf(unknown),
        Object.keys(JSON.parse(created.text)).sort(),
        JSON.parse(unknown.text).error.code,
      ]);
    }
    expect(shapes[0]).toEqual(shapes[1]);
  });

  it('counts what it answers in /metrics', async () => {
    const metric = async (line: RegExp) => Number(line.exec((await client(srv.url)('GET', '/metrics')).text)?.[1] ?? 0);
    const ok = /huika_quotes_total\{outcome="ok"\} (\d+)/;
    const refused = /huika_quotes_total\{outcome="refused"\} (\d+)/;
    const timed = /huika_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/quotes",status="401"\} (\d+)/;
    const [ok0, refused0, timed0] = [await metric(ok), await metric(refused), await metric(timed)];
    await send(srv.url, '/api/v1/quotes', bearer(terminal), JSON.stringify({ credential: card(), amountFen: 100 }));
    await send(srv.url, '/api/v1/quotes', bearer('nope'), JSON.stringify({ credential: card(), amountFen: 100 }));
    expect([await metric(ok), await metric(refused), await metric(timed)]).toEqual([ok0 + 1, refused0 + 1, timed0 + 1]);
  });
});

describe('what the front layer takes', () => {
  let base: string;
  let close: () => void;
  beforeAll(async () => {
    const app = express();
    app.use(hotRoutes(srv.ctx, headerBlock(securityHeaders({ https: false }))));
    app.use((_req, res) => void res.status(418).send('full chain'));
    const http = app.listen(0, '127.0.0.1');
    await new Promise((r) => http.once('listening', r));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    close = () => http.close();
  });
  afterAll(() => close());

  const body = () => JSON.stringify({ credential: card(), amountFen: 100 });
  const h = (extra: Record<string, string> = {}) => ({ 'content-type': 'application/json', authorization: `Bearer ${terminal}`, ...extra });

  it('the everyday form, with or without charset=utf-8', async () => {
    expect((await send(base, '/api/v1/quotes', h(), body())).status).toBe(200);
    expect((await send(base, '/api/v1/quotes', h({ 'content-type': 'application/json; charset=UTF-8' }), body())).status).toBe(200);
    expect((await send(base, '/api/v1/redemptions', h(), JSON.stringify({ quoteId: 'q-x', idempotencyKey: newKey() }))).status).toBe(404);
  });

  it('leaves every other form to the full chain', async () => {
    const passed = [
      await send(base, '/api/v1/quotes?x=1', h(), body()),
      await send(base, '/api/v1/quotes/', h(), body()),
      await send(base, '/API/V1/QUOTES', h(), body()),
      await send(base, '/api/v1/quotes', h(), body(), true),
      await send(base, '/api/v1/quotes', h({ 'content-encoding': 'gzip' }), body()),
      await send(base, '/api/v1/quotes', h({ 'content-type': 'application/json; charset=latin1' }), body()),
      await send(base, '/api/v1/quotes', h({ 'content-type': 'text/plain' }), body()),
      await send(base, '/api/v1/quotes', h({ cookie: 'huika_session=x' }), body()),
      await send(base, '/api/v1/quotes', { 'content-type': 'application/json' }, body()),
      await send(base, '/api/v1/quotes', h(), ''),
      await send(base, '/api/v1/quotes', h(), `{"pad":"${'x'.repeat(70_000)}"}`),
    ];
    expect(passed.map((r) => r.status)).toEqual(passed.map(() => 418));
  });
});

describe('parseStrictJson', () => {
  it('reads as body-parser does: BOM dropped, leading space allowed, only an object or array', () => {
    expect(parseStrictJson(Buffer.from(' \n{"a":1}'))).toEqual({ a: 1 });
    expect(parseStrictJson(Buffer.from('\ufeff[1]'))).toEqual([1]);
    for (const bad of ['1', '"x"', 'null', '   ', '{"a":', '\ufeff\ufeff{}'])
      expect(() => parseStrictJson(Buffer.from(bad)), bad).toThrow('not valid JSON');
  });
});
