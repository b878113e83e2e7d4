/** GET /member/redemptions pages newest first with a keyset cursor: a member with more than 200 redemptions sees every one, once. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, DEMO, demoServer, enroll, memberNo, newKey, type Api, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let till: Api;
let phone: Api;
/** The ids of the member's redemptions, in the order they were made. */
const made: string[] = [];
const COUNT = 230;

beforeAll(async () => {
  srv = await demoServer();
  till = await enroll(srv.url, 't-minmao-1');
  const other = await enroll(srv.url, 't-xlk-1');
  for (let i = 0; i < COUNT; i++) {
    srv.clock.advance(60);
    const q = (await till('POST', '/api/v1/quotes', { credential: memberNo(), amountFen: 10_000 + i })).body;
    const r = await till('POST', '/api/v1/redemptions', { quoteId: q.quoteId, idempotencyKey: newKey() });
    if (r.status !== 201) throw new Error(`redemption ${i}: ${r.status} ${r.text}`);
    made.push(r.body.id);
    // Someone else's sale between the member's: pages must skip it, not come up short.
    if (i % 10 === 0) {
      const q2 = (await other('POST', '/api/v1/quotes', { credential: memberNo('5133000025'), amountFen: 20_000 })).body;
      expect((await other('POST', '/api/v1/redemptions', { quoteId: q2.quoteId, idempotencyKey: newKey() })).status).toBe(201);
    }
  }
  const s = await client(srv.url)('POST', '/api/v1/member/session', { memberNo: DEMO.activeMember, password: 'demo-pass' });
  phone = client(srv.url, s.body.token);
}, 120_000);
afterAll(async () => {
  await srv?.stop();
});

describe('GET /api/v1/member/redemptions paging', () => {
  it('gives 50 by default, newest first, and a cursor that walks every older one exactly once', async () => {
    const first = await phone('GET', '/api/v1/member/redemptions');
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(50);
    expect(first.body.items[0].id).toBe(made.at(-1));
    expect(typeof first.body.nextCursor).toBe('string');
    const seen: string[] = first.body.items.map((x: { id: string }) => x.id);
    let cursor: string | null = first.body.nextCursor;
    let pages = 1;
    while (cursor) {
      const p = await phone('GET', `/api/v1/member/redemptions?cursor=${cursor}&limit=80`);
      expect(p.status).toBe(200);
      expect(p.body.items.length).toBeLessThanOrEqual(80);
      seen.push(...p.body.items.map((x: { id: string }) => x.id));
      cursor = p.body.nextCursor;
      pages++;
    }
    // 50 + 80 + 80 + 20: every one of the 230, newest first, none twice, no one else's.
    expect(pages).toBe(4);
    expect(seen).toEqual([...made].reverse());
  });

  it('keeps its place when a new sale arrives between pages, and refuses a bad cursor or limit with 400', async () => {
    const first = (await phone('GET', '/api/v1/member/redemptions?limit=200')).body;
    expect(first.items).toHaveLength(200);
    srv.clock.advance(60);
    const q = (await till('POST', '/api/v1/quotes', { credential: memberNo(), amountFen: 9_000 })).body;
    const fresh = await till('POST', '/api/v1/redemptions', { quoteId: q.quoteId, idempotencyKey: newKey() });
    expect(fresh.status).toBe(201);
    const second = (await phone('GET', `/api/v1/member/redemptions?cursor=${first.nextCursor}&limit=200`)).body;
    expect(second.items.map((x: { id: string }) => x.id)).toEqual(made.slice(0, COUNT - 200).reverse());
    expect(second.nextCursor).toBeNull();
    expect((await phone('GET', '/api/v1/member/redemptions')).body.items[0].id).toBe(fresh.body.id);
    for (const bad of ['?limit=201', '?limit=0', '?cursor=abc', '?cursor=-1'])
      expect((await phone('GET', `/api/v1/member/redemptions${bad}`)).status, bad).toBe(400);
  });

  it('carries the feedback of the rows on each page, and only those', async () => {
    const old = made[5]!;
    expect((await phone('POST', `/api/v1/member/redemptions/${old}/feedback`, { rating: 4, honoured: true })).status).toBe(201);
    const top = (await phone('GET', '/api/v1/member/redemptions?limit=200')).body;
    expect(top.items.some((x: { feedback?: unknown }) => x.feedback)).toBe(false);
    const rest = (await phone('GET', `/api/v1/member/redemptions?cursor=${top.nextCursor}&limit=200`)).body;
    expect(rest.items.find((x: { id: string }) => x.id === old).feedback).toMatchObject({ rating: 4, honoured: true });
  });
});
