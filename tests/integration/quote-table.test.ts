/** Open quotes are bounded: a full table answers 503 QUOTES_FULL, room comes back by redemption and by the clock. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { card, demoServer, enroll, newKey, type TestServer } from '../helpers/server.ts';
import { QUOTE_GRACE_MS } from '../../server/store/quote-store.ts';

let srv: TestServer;
let xlk: Awaited<ReturnType<typeof enroll>>;

beforeAll(async () => {
  srv = await demoServer({ maxQuotes: 3 });
  xlk = await enroll(srv.url, 't-xlk-1');
});
afterAll(() => srv.stop());

const quote = () => xlk('POST', '/api/v1/quotes', { credential: card(), amountFen: 5000 });

describe('the open-quote table', () => {
  it('refuses a quote with QUOTES_FULL when full, frees a redeemed quote at once, and expires the rest by the clock', async () => {
    const open = [await quote(), await quote(), await quote()];
    for (const q of open) expect(q.status).toBe(200);
    const full = await quote();
    expect(full.status).toBe(503);
    expect(full.body.error.code).toBe('QUOTES_FULL');

    // A redeemed quote is honoured once and gives its room back.
    const r = await xlk('POST', '/api/v1/redemptions', { quoteId: open[0]!.body.quoteId, idempotencyKey: newKey() });
    expect(r.status).toBe(201);
    const again = await xlk('POST', '/api/v1/redemptions', { quoteId: open[0]!.body.quoteId, idempotencyKey: newKey() });
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('QUOTE_NOT_FOUND');
    expect((await quote()).status).toBe(200);
    expect((await quote()).status).toBe(503);

    // Past expiry plus the grace, the old quotes are gone and new ones fit.
    srv.clock.advance(120 + QUOTE_GRACE_MS / 1000 + 1);
    expect((await xlk('POST', '/api/v1/redemptions', { quoteId: open[1]!.body.quoteId, idempotencyKey: newKey() })).status).toBe(409);
    for (let i = 0; i < 3; i++) expect((await quote()).status).toBe(200);
    const late = await xlk('POST', '/api/v1/redemptions', { quoteId: open[1]!.body.quoteId, idempotencyKey: newKey() });
    expect(late.body.error.code).toBe('QUOTE_NOT_FOUND');
  });
});
