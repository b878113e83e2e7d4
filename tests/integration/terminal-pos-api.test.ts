import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, DEMO, demoServer, login, type Api, type TestServer } from '../helpers/server.ts';
import { simTerminal, until } from '../helpers/terminal.ts';

let srv: TestServer;
let term: Awaited<ReturnType<typeof simTerminal>>;
let pos: Api;

beforeAll(async () => {
  srv = await demoServer({ now: () => new Date() });
  term = await simTerminal(srv.url, 't-minmao-1');
  pos = client(term.url);
});
afterAll(async () => {
  await term.close();
  await srv.stop();
});

describe('terminal local API (POS integration)', () => {
  it('runs a checkout: create → credential → quote → confirm → redeemed on the server', async () => {
    const created = await pos('POST', '/api/v1/checkouts', { amountFen: 35000 });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ checkoutId: expect.stringMatching(/^co-/), state: 'waiting_for_card' });
    const id = created.body.checkoutId;
    const q = await pos('POST', `/api/v1/checkouts/${id}/credential`, { type: 'card_number', data: DEMO.activeCard });
    expect(q.status).toBe(200);
    expect(q.body).toMatchObject({ eligible: true, discountFen: 21750, payableFen: 13250, offline: false });
    expect((await pos('GET', `/api/v1/checkouts/${id}`)).body).toMatchObject({ state: 'quoted', quote: { quoteId: q.body.quoteId } });
    const r = await pos('POST', `/api/v1/checkouts/${id}/confirm`, {});
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'committed', terminalId: 't-minmao-1', discountFen: 21750, offline: false });
    // A second confirm is an answer, not a second redemption.
    const again = await pos('POST', `/api/v1/checkouts/${id}/confirm`, {});
    expect(again.body.id).toBe(r.body.id);
    const admin = await login(srv.url, 'minmao-admin');
    const onServer = await admin('GET', `/api/v1/redemptions/${r.body.id}`);
    expect(onServer.body).toEqual(r.body);
    const state = (await pos('GET', `/api/v1/checkouts/${id}`)).body;
    expect(state.state).toBe('redeemed');
    expect(state.receipt.lines.join('\n')).toContain('¥132.50');
    expect(state.receipt.qrText).toBe(`${srv.url}/r/${r.body.id}?h=${r.body.hash.slice(0, 16)}`);
    const check = await fetch(state.receipt.qrText);
    expect(check.status).toBe(200);
    expect(await check.text()).toContain('¥132.50');
    expect((await fetch(`${srv.url}/r/${r.body.id}?h=0000000000000000`)).status).toBe(404);
  });

  it('takes a scan from a simulated HID POS scanner into the open checkout, through the real decoder', async () => {
    const { body } = await pos('POST', '/api/v1/checkouts', { amountFen: 10000 });
    await pos('POST', '/api/v1/simulate/scan', { device: 'hid-pos', text: DEMO.activeMember });
    const c = await until(async () => {
      const x = (await pos('GET', `/api/v1/checkouts/${body.checkoutId}`)).body;
      return x.state === 'quoted' ? x : undefined;
    }, 'the scan to be quoted');
    expect(c.quote).toMatchObject({ eligible: true, discountFen: 500, member: { memberNoMasked: '5133****17' } });
  });

  it('takes a swipe from a simulated MagTek reader and typed keys from a keyboard wedge', async () => {
    const a = (await pos('POST', '/api/v1/checkouts', { amountFen: 10000 })).body.checkoutId;
    await pos('POST', '/api/v1/simulate/scan', {
      device: 'msr-hid',
      text: `%B${DEMO.activeCard}^ZHANG/WEI^2912101?;${DEMO.activeCard}=2912101?`,
    });
    const qa = await until(async () => (await pos('GET', `/api/v1/checkouts/${a}`)).body.quote, 'the swipe');
    expect(qa).toMatchObject({ eligible: true, discountFen: 500 });
    const b = (await pos('POST', '/api/v1/checkouts', { amountFen: 10000 })).body.checkoutId;
    await pos('POST', '/api/v1/simulate/scan', { device: 'hid-keyboard', text: DEMO.notActivatedCard });
    const qb = await until(async () => (await pos('GET', `/api/v1/checkouts/${b}`)).body.quote, 'the wedge scan');
    expect(qb).toMatchObject({ eligible: false, reasons: [expect.objectContaining({ code: 'CARD_NOT_ACTIVATED' })] });
  });

  it('tells the page about a garbled scan instead of guessing', async () => {
    const page = connect(term.url, { transports: ['websocket'] });
    const notice = new Promise<any>((res) => page.on('notice', (n) => n.code !== 'HID_UNAVAILABLE' && res(n)));
    await new Promise<void>((r) => page.on('connect', () => r()));
    await pos('POST', '/api/v1/checkouts', { amountFen: 100 });
    await pos('POST', '/api/v1/simulate/scan', { device: 'hid-pos', text: '5133000018' }); // bad check digit
    expect(await notice).toMatchObject({ code: 'SCAN_CHECK_DIGIT' });
    page.close();
  });

  it('ends an ineligible checkout quoted, with a reason, and refuses to confirm it', async () => {
    const id = (await pos('POST', '/api/v1/checkouts', { amountFen: 5000 })).body.checkoutId;
    const q = await pos('POST', `/api/v1/checkouts/${id}/credential`, { type: 'member_no', data: DEMO.sczzMember });
    expect(q.body).toMatchObject({ eligible: false, reasons: [expect.objectContaining({ code: 'NO_AGREEMENT' })] });
    const r = await pos('POST', `/api/v1/checkouts/${id}/confirm`, {});
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('QUOTE_NOT_ELIGIBLE');
    expect((await pos('POST', `/api/v1/checkouts/${id}/cancel`, {})).body.state).toBe('cancelled');
  });

  it('rejects bad requests with coded errors', async () => {
    expect((await pos('POST', '/api/v1/checkouts', { amountFen: -5 })).body.error.code).toBe('VALIDATION_FAILED');
    expect((await pos('POST', '/api/v1/checkouts', '{oops')).status).toBe(400);
    expect((await pos('GET', '/api/v1/checkouts/co-nope')).status).toBe(404);
    const id = (await pos('POST', '/api/v1/checkouts', { amountFen: 100 })).body.checkoutId;
    const bad = await pos('POST', `/api/v1/checkouts/${id}/credential`, { type: 'member_no', data: '12345' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect((await pos('POST', `/api/v1/checkouts/${id}/confirm`, {})).body.error.code).toBe('CHECKOUT_NOT_QUOTED');
  });

  it('passes a card reported lost on to the cashier page and refuses the card', async () => {
    const page = connect(term.url, { transports: ['websocket'] });
    await new Promise<void>((r) => page.on('connect', () => r()));
    const heard = new Promise<any>((res) => page.on('card:revoked', res));
    const admin = await login(srv.url, 'admin');
    await admin('POST', '/api/v1/cards/card-1/status', { status: 'lost' });
    expect(await heard).toMatchObject({ cardId: 'card-1', status: 'lost' });
    page.close();
    const id = (await pos('POST', '/api/v1/checkouts', { amountFen: 1000 })).body.checkoutId;
    expect(
      (await pos('POST', `/api/v1/checkouts/${id}/credential`, { type: 'card_number', data: DEMO.activeCard })).body.reasons[0].code,
    ).toBe('CARD_LOST');
    await admin('POST', '/api/v1/cards/card-1/status', { status: 'activated', reason: 'found again' });
  });
});
