import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueMemberQr } from '../../server/security/member-qr.ts';
import { card, client, DEMO, demoServer, enroll, login, memberNo, newKey, type Api, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let minmao: Api;
let hotel: Api;
let carwash: Api;
let xlk: Api;

beforeAll(async () => {
  srv = await demoServer();
  minmao = await enroll(srv.url, 't-minmao-1');
  hotel = await enroll(srv.url, 't-hotel-1');
  carwash = await enroll(srv.url, 't-carwash-1');
  xlk = await enroll(srv.url, 't-xlk-1');
});
afterAll(() => srv.stop());

const quote = (api: Api, credential: unknown, amountFen: number, items?: unknown) =>
  api('POST', '/api/v1/quotes', { credential, amountFen, ...(items ? { items } : {}) });

describe('quotes', () => {
  it('stacks 9.5折 and 满300减200 exactly as the contract example: 35,000 → 13,250', async () => {
    const q = await quote(minmao, card(), 35000);
    expect(q.status).toBe(200);
    expect(q.body).toMatchObject({ eligible: true, amountFen: 35000, discountFen: 21750, payableFen: 13250, reasons: [] });
    expect(q.body.lines).toEqual([
      expect.objectContaining({
        agreementId: 'a-minmao',
        agreementVersion: 1,
        discountFen: 1750,
        funding: { merchantFen: 1750, unionFen: 0 },
      }),
      expect.objectContaining({
        agreementId: 'c-wuyi',
        agreementVersion: 1,
        discountFen: 20000,
        funding: { merchantFen: 0, unionFen: 20000, campaignId: 'c-wuyi' },
      }),
    ]);
    expect(q.body.member).toEqual({ maskedName: '张*', memberNoMasked: '5133****17' });
    expect(q.text).not.toContain(DEMO.activeCard);
  });

  it('tests the campaign threshold after the merchant discount (31,000 → 29,450 < 30,000)', async () => {
    const q = await quote(minmao, memberNo(), 31000);
    expect(q.body.lines.map((l: any) => l.agreementId)).toEqual(['a-minmao']);
    expect(q.body.skipped).toContainEqual(expect.objectContaining({ agreementId: 'c-wuyi', code: 'THRESHOLD_NOT_MET' }));
    expect(q.body.payableFen + q.body.discountFen).toBe(31000);
  });

  it('reads a magnetic track and a member number to the same member', async () => {
    const a = await quote(xlk, { type: 'card_track', data: ';6217996600000000015=2912101?' }, 10000);
    const b = await quote(xlk, memberNo(), 10000);
    expect(a.body).toMatchObject({ eligible: true, discountFen: 1000, member: { memberNoMasked: '5133****17' } });
    expect(b.body).toMatchObject({ eligible: true, discountFen: 1000, member: { memberNoMasked: '5133****17' } });
  });

  it.each([
    ['CARD_UNKNOWN', card('6217996600000000049')],
    ['CARD_UNKNOWN', memberNo('5133000058')],
    ['CARD_NOT_ACTIVATED', card(DEMO.notActivatedCard)],
    ['CARD_LOST', card(DEMO.lostCard)],
    ['MEMBER_SUSPENDED', memberNo(DEMO.suspendedMember)],
    ['NO_AGREEMENT', memberNo(DEMO.sczzMember)],
    ['QR_INVALID', { type: 'qr', data: 'HK1.k1.5133000017.abc.AAAAAAAA.forgedforgedforg' }],
  ])('refuses with %s as 200 eligible:false, discount 0', async (code, credential) => {
    const q = await quote(minmao, credential, 35000);
    expect(q.status).toBe(200);
    expect(q.body).toMatchObject({ eligible: false, discountFen: 0, payableFen: 35000, lines: [] });
    expect(q.body.reasons[0].code).toBe(code);
    expect(q.body.reasons[0].message.length).toBeGreaterThan(10);
  });

  it('covers a 省直 member only where the province signed (car wash at 9 yuan)', async () => {
    const items = [{ sku: 'carwash', qty: 1, unitPriceFen: 3000 }];
    const q = await quote(carwash, memberNo(DEMO.sczzMember), 3000, items);
    expect(q.body).toMatchObject({ eligible: true, discountFen: 2100, payableFen: 900 });
    const noItem = await quote(carwash, memberNo(DEMO.sczzMember), 3000);
    expect(noItem.body).toMatchObject({ eligible: false, reasons: [expect.objectContaining({ code: 'NO_AGREEMENT' })] });
    expect(noItem.body.skipped).toContainEqual(expect.objectContaining({ agreementId: 'a-carwash', code: 'NO_QUALIFYING_ITEM' }));
  });

  it('gives the hotel discount on a Shanghai Friday and refuses it on a Shanghai Saturday that is still Friday in UTC', async () => {
    srv.clock.set('2026-11-27T20:00:00+08:00'); // Friday
    expect((await quote(hotel, card(), 50000)).body).toMatchObject({ eligible: true, discountFen: 5000 });
    srv.clock.set('2026-11-28T07:30:00+08:00'); // Saturday in Shanghai, 23:30 Friday UTC
    const q = await quote(hotel, card(), 50000);
    expect(q.body).toMatchObject({
      eligible: false,
      reasons: [expect.objectContaining({ code: 'OUTSIDE_WINDOW', agreementId: 'a-hotel' })],
    });
    srv.clock.set('2026-11-25T12:00:00+08:00');
  });

  it('accepts a fresh member QR, refuses it once expired and once redeemed', async () => {
    const token = issueMemberQr(srv.ctx.secrets, DEMO.activeMember, srv.clock.ms);
    expect(token.length).toBeLessThanOrEqual(106); // byte capacity of QR version 6 at level M
    const q = await quote(xlk, { type: 'qr', data: token }, 10000);
    expect(q.body).toMatchObject({ eligible: true, discountFen: 1000 });
    const r = await xlk('POST', '/api/v1/redemptions', { quoteId: q.body.quoteId, idempotencyKey: newKey() });
    expect(r.status).toBe(201);
    expect(r.body.credentialType).toBe('qr');
    const again = await quote(xlk, { type: 'qr', data: token }, 10000);
    expect(again.body.reasons[0].code).toBe('QR_REPLAYED');

    const old = issueMemberQr(srv.ctx.secrets, DEMO.activeMember, srv.clock.ms - 61_000);
    expect((await quote(xlk, { type: 'qr', data: old }, 10000)).body.reasons[0].code).toBe('QR_EXPIRED');
  });

  it('refuses a second redemption with one QR token even when both were quoted first', async () => {
    const token = issueMemberQr(srv.ctx.secrets, DEMO.activeMember, srv.clock.ms);
    const q1 = await quote(xlk, { type: 'qr', data: token }, 10000);
    const q2 = await quote(xlk, { type: 'qr', data: token }, 10000);
    const [r1, r2] = await Promise.all([
      xlk('POST', '/api/v1/redemptions', { quoteId: q1.body.quoteId, idempotencyKey: newKey() }),
      xlk('POST', '/api/v1/redemptions', { quoteId: q2.body.quoteId, idempotencyKey: newKey() }),
    ]);
    expect([r1.status, r2.status].sort()).toEqual([201, 409]);
    expect([r1, r2].find((r) => r.status === 409)!.body.error.code).toBe('QR_REPLAYED');
  });
});

describe('bad input gets a clear 4xx and changes nothing', () => {
  it.each([
    ['a member number of 9 digits', { credential: memberNo('513300001'), amountFen: 100 }, 'credential.data'],
    ['a member number failing its check digit', { credential: memberNo('5133000018'), amountFen: 100 }, 'credential.data'],
    [
      'a track without sentinels',
      { credential: { type: 'card_track', data: '6217996600000000015=2912101' }, amountFen: 100 },
      'credential.data',
    ],
    ['a float amount', { credential: memberNo(), amountFen: 100.5 }, 'amountFen'],
    ['a negative amount', { credential: memberNo(), amountFen: -1 }, 'amountFen'],
    ['an unknown credential type', { credential: { type: 'iris', data: 'x' }, amountFen: 100 }, 'credential.type'],
    ['items above the amount', { credential: memberNo(), amountFen: 100, items: [{ sku: 'a', qty: 2, unitPriceFen: 100 }] }, 'items'],
  ])('rejects %s with VALIDATION_FAILED naming the field', async (_what, body, path) => {
    const res = await minmao('POST', '/api/v1/quotes', body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.map((d: any) => d.path)).toContain(path);
  });

  it('rejects malformed JSON, a missing token and a portal user quoting', async () => {
    const bad = await minmao('POST', '/api/v1/quotes', '{"credential":');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    const anon = await client(srv.url)('POST', '/api/v1/quotes', { credential: memberNo(), amountFen: 1 });
    expect(anon.status).toBe(401);
    expect(anon.body.error.code).toBe('UNAUTHENTICATED');
    const admin = await login(srv.url, 'admin');
    expect((await admin('POST', '/api/v1/quotes', { credential: memberNo(), amountFen: 1 })).status).toBe(403);
  });

  it('uses a pairing code once', async () => {
    const again = await client(srv.url)('POST', '/api/v1/terminals/enroll', { pairingCode: 'PAIR-T-MINMAO-1' });
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('PAIRING_CODE_INVALID');
  });

  it('refuses a wrong password and an unknown route with coded errors', async () => {
    const s = await client(srv.url)('POST', '/api/v1/session', { username: 'admin', password: 'nope' });
    expect(s.status).toBe(401);
    expect(s.body.error.code).toBe('BAD_CREDENTIALS');
    const nf = await minmao('GET', '/api/v1/nothing-here');
    expect(nf.status).toBe(404);
    expect(nf.body.error.code).toBe('NOT_FOUND');
  });

  it('sets the session cookie on sign-in and clears it on sign-out', async () => {
    const res = await fetch(`${srv.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'demo-pass' }),
    });
    expect(res.headers.get('set-cookie')).toMatch(/^huika_session=st_.*HttpOnly/);
    const out = await fetch(`${srv.url}/api/v1/session`, { method: 'DELETE' });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^huika_session=;.*Expires=Thu, 01 Jan 1970/);
  });

  it('answers health', async () => {
    expect((await client(srv.url)('GET', '/api/v1/health')).body).toEqual({ status: 'ok' });
  });
});
