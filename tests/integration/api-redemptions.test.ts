import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { card, DEMO, demoServer, enroll, login, memberNo, newKey, type Api, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
type Terminal = Awaited<ReturnType<typeof enroll>>;
let minmao: Terminal;
let minmao2: Terminal;
let xlk: Terminal;
let dicos: Terminal;

beforeAll(async () => {
  srv = await demoServer();
  minmao = await enroll(srv.url, 't-minmao-1');
  minmao2 = await enroll(srv.url, 't-minmao-2');
  xlk = await enroll(srv.url, 't-xlk-1');
  dicos = await enroll(srv.url, 't-dicos-1');
});
afterAll(() => srv.stop());

async function quoteAndRedeem(api: Api, amountFen: number, credential: unknown = card(), key = newKey()) {
  const q = await api('POST', '/api/v1/quotes', { credential, amountFen });
  const r = await api('POST', '/api/v1/redemptions', { quoteId: q.body.quoteId, idempotencyKey: key });
  return { q, r, key };
}

describe('redemptions', () => {
  it('records a redemption once per idempotency key and replays it with the same body', async () => {
    const { q, r, key } = await quoteAndRedeem(xlk, 10000);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      status: 'committed',
      idempotencyKey: key,
      merchantId: 'm-xlk',
      storeId: 's-xlk-1',
      terminalId: 't-xlk-1',
      amountFen: 10000,
      discountFen: 1000,
      payableFen: 9000,
      offline: false,
      credentialType: 'card_number',
      memberNoMasked: '5133****17',
    });
    expect(r.body.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(r.body.prevHash).toMatch(/^[0-9a-f]{64}$/);
    expect(r.text).not.toContain(DEMO.activeCard);
    const again = await xlk('POST', '/api/v1/redemptions', { quoteId: q.body.quoteId, idempotencyKey: key });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(r.body);
    const other = await xlk('POST', '/api/v1/quotes', { credential: card(), amountFen: 5000 });
    const conflict = await xlk('POST', '/api/v1/redemptions', { quoteId: other.body.quoteId, idempotencyKey: key });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('IDEMPOTENCY_CONFLICT');
  });

  it('answers concurrent retries of one key with one redemption', async () => {
    const q = await xlk('POST', '/api/v1/quotes', { credential: card(), amountFen: 2000 });
    const key = newKey();
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => xlk('POST', '/api/v1/redemptions', { quoteId: q.body.quoteId, idempotencyKey: key })),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(7);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
  });

  it('refuses an expired quote and a quote from another terminal', async () => {
    const q = await xlk('POST', '/api/v1/quotes', { credential: card(), amountFen: 2000 });
    const stolen = await minmao('POST', '/api/v1/redemptions', { quoteId: q.body.quoteId, idempotencyKey: newKey() });
    expect(stolen.status).toBe(404);
    expect(stolen.body.error.code).toBe('QUOTE_NOT_FOUND');
    srv.clock.advance(121);
    const late = await xlk('POST', '/api/v1/redemptions', { quoteId: q.body.quoteId, idempotencyKey: newKey() });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('QUOTE_EXPIRED');
  });

  it('refuses to redeem a quote that gives nothing', async () => {
    const q = await minmao('POST', '/api/v1/quotes', { credential: memberNo(DEMO.sczzMember), amountFen: 2000 });
    const r = await minmao('POST', '/api/v1/redemptions', { quoteId: q.body.quoteId, idempotencyKey: newKey() });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('QUOTE_NOT_ELIGIBLE');
  });

  it('spends a nearly exhausted campaign budget exactly under concurrent redemptions', async () => {
    // c-spring: 满300减100, budget 100,000 fen = exactly 10 grants of 10,000.
    const quotes = await Promise.all(
      Array.from({ length: 30 }, () => dicos('POST', '/api/v1/quotes', { credential: card(), amountFen: 40000 })),
    );
    for (const q of quotes) expect(q.body.lines.map((l: any) => l.agreementId)).toEqual(['a-dicos', 'c-spring']);
    const results = await Promise.all(
      quotes.map((q) => dicos('POST', '/api/v1/redemptions', { quoteId: q.body.quoteId, idempotencyKey: newKey() })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(10);
    const refused = results.filter((r) => r.status !== 201);
    expect(refused).toHaveLength(20);
    for (const r of refused) expect(r.body.error.code).toBe('BUDGET_EXHAUSTED');
    expect(await srv.ctx.store.remainingBudget('c-spring')).toBe(0);
    const after = await dicos('POST', '/api/v1/quotes', { credential: card(), amountFen: 40000 });
    expect(after.body.skipped).toContainEqual(expect.objectContaining({ agreementId: 'c-spring', code: 'BUDGET_EXHAUSTED' }));

    // Voiding one gives its union money back: the campaign applies again.
    const one = results.find((r) => r.status === 201)!;
    const v = await dicos('POST', `/api/v1/redemptions/${one.body.id}/void`, { reason: 'customer returned the meal' });
    expect(v.status).toBe(200);
    expect(v.body).toMatchObject({ status: 'voided', voidReason: 'customer returned the meal' });
    expect(await srv.ctx.store.remainingBudget('c-spring')).toBe(10000);
    const back = await dicos('POST', '/api/v1/quotes', { credential: card(), amountFen: 40000 });
    expect(back.body.lines.map((l: any) => l.agreementId)).toContain('c-spring');
    const twice = await dicos('POST', `/api/v1/redemptions/${one.body.id}/void`, { reason: 'again' });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('ALREADY_VOIDED');
  });

  it('gives a per-day campaign use back when the redemption is voided', async () => {
    const first = await quoteAndRedeem(minmao, 35000);
    expect(first.r.status).toBe(201);
    expect(first.r.body.lines.map((l: any) => l.agreementId)).toEqual(['a-minmao', 'c-wuyi']);
    const second = await minmao('POST', '/api/v1/quotes', { credential: card(), amountFen: 35000 });
    expect(second.body.lines.map((l: any) => l.agreementId)).toEqual(['a-minmao']);
    expect(second.body.skipped).toContainEqual(expect.objectContaining({ agreementId: 'c-wuyi', code: 'LIMIT_REACHED' }));
    // A terminal of another store of the same merchant may not void; the merchant admin may.
    const other = await minmao2('POST', `/api/v1/redemptions/${first.r.body.id}/void`, { reason: 'x' });
    expect(other.status).toBe(404);
    const admin = await login(srv.url, 'minmao-admin');
    expect((await admin('POST', `/api/v1/redemptions/${first.r.body.id}/void`, { reason: 'wrong amount keyed' })).status).toBe(200);
    const third = await minmao('POST', '/api/v1/quotes', { credential: card(), amountFen: 35000 });
    expect(third.body.lines.map((l: any) => l.agreementId)).toEqual(['a-minmao', 'c-wuyi']);
  });

  it('refuses a card reported lost between quote and commit, and pushes card:revoked to terminals', async () => {
    const q = await xlk('POST', '/api/v1/quotes', { credential: memberNo(), amountFen: 1000 });
    const socket: Socket = connect(srv.url, { auth: { token: xlk.token }, transports: ['websocket'] });
    await new Promise<void>((res, rej) => socket.on('connect', () => res()).on('connect_error', rej));
    const revoked = new Promise<any>((res) => socket.on('card:revoked', res));
    const cardQuote = await xlk('POST', '/api/v1/quotes', { credential: card(), amountFen: 1000 });
    const admin = await login(srv.url, 'admin');
    const lost = await admin('POST', '/api/v1/cards/card-1/status', { status: 'lost' });
    expect(lost.status).toBe(200);
    expect(await revoked).toMatchObject({ cardId: 'card-1', last4: '0015', status: 'lost' });
    socket.close();
    const r = await xlk('POST', '/api/v1/redemptions', { quoteId: cardQuote.body.quoteId, idempotencyKey: newKey() });
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 'CARD_REFUSED', details: { reason: 'CARD_LOST' } });
    expect((await xlk('POST', '/api/v1/quotes', { credential: card(), amountFen: 1000 })).body.reasons[0].code).toBe('CARD_LOST');
    // The member number itself is still good: only the card was lost.
    expect((await xlk('POST', '/api/v1/redemptions', { quoteId: q.body.quoteId, idempotencyKey: newKey() })).status).toBe(201);
    await admin('POST', '/api/v1/cards/card-1/status', { status: 'activated', reason: 'found again' });
  });

  it('makes a new agreement version on edit; old redemptions keep citing theirs', async () => {
    const before = await quoteAndRedeem(xlk, 10000);
    expect(before.r.body.lines[0]).toMatchObject({ agreementId: 'a-xlk', agreementVersion: 1, discountFen: 1000 });
    const admin = await login(srv.url, 'admin');
    const socket: Socket = connect(srv.url, { auth: { token: xlk.token }, transports: ['websocket'] });
    await new Promise<void>((res) => socket.on('connect', () => res()));
    const changed = new Promise<any>((res) => socket.on('agreements:changed', res));
    const put = await admin('PUT', '/api/v1/agreements/a-xlk', {
      rule: { kind: 'percent_off', bps: 1500 },
      conditions: { limits: { total: 1000 } },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id: 'a-xlk', version: 2 });
    expect(await changed).toMatchObject({ offerId: 'a-xlk', version: 2, merchantId: 'm-xlk' });
    socket.close();
    const after = await xlk('POST', '/api/v1/quotes', { credential: card(), amountFen: 10000 });
    expect(after.body.lines[0]).toMatchObject({ agreementVersion: 2, discountFen: 1500 });
    const old = await xlk('GET', `/api/v1/redemptions/${before.r.body.id}`);
    expect(old.body.lines[0]).toMatchObject({ agreementVersion: 1, discountFen: 1000 });
    const v1 = await admin('GET', '/api/v1/agreements/a-xlk/versions/1');
    expect(v1.body.rule).toEqual({ kind: 'percent_off', bps: 1000 });
    const auditor = await login(srv.url, 'gz-auditor');
    expect((await auditor('PUT', '/api/v1/agreements/a-xlk', { title: 'x' })).status).toBe(403);
  });
});

describe('scoping, listing, CSV and settlement', () => {
  it('shows a redemption to its merchant and the signing union, and 404 to everyone else', async () => {
    const { r } = await quoteAndRedeem(minmao, 1000, memberNo());
    const id = r.body.id;
    for (const who of ['minmao-admin', 'gz-auditor', 'admin']) {
      const api = await login(srv.url, who);
      expect((await api('GET', `/api/v1/redemptions/${id}`)).status, who).toBe(200);
    }
    for (const who of ['xlk-admin', 'kd-auditor']) {
      const api = await login(srv.url, who);
      const res = await api('GET', `/api/v1/redemptions/${id}`);
      expect(res.status, who).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
      const list = await api('GET', '/api/v1/redemptions?limit=500');
      expect(list.body.items.map((x: any) => x.id)).not.toContain(id);
      const csv = await api('GET', '/api/v1/redemptions.csv');
      expect(csv.text).not.toContain(id);
      // Naming a merchant outside the scope is 404, like a record outside it.
      const asked = await api('GET', '/api/v1/redemptions?merchantId=m-minmao');
      expect(asked.status).toBe(404);
      expect((await api('GET', '/api/v1/redemptions.csv?storeId=s-minmao-1')).status).toBe(404);
    }
    expect((await xlk('GET', `/api/v1/redemptions/${id}`)).status).toBe(404);
  });

  it('pages newest first with a cursor that visits every record once', async () => {
    const admin = await login(srv.url, 'admin');
    const all = (await admin('GET', '/api/v1/redemptions?limit=500')).body.items.map((x: any) => x.id);
    expect(all.length).toBeGreaterThan(10);
    expect([...all].sort().reverse()).toEqual(all);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await admin('GET', `/api/v1/redemptions?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.items.map((x: any) => x.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
    expect((await admin('GET', '/api/v1/redemptions?limit=501')).status).toBe(400);
    const voided = (await admin('GET', '/api/v1/redemptions?status=voided&limit=500')).body.items;
    expect(voided.length).toBeGreaterThan(0);
    expect(voided.every((x: any) => x.status === 'voided')).toBe(true);
    const kd = (await admin('GET', '/api/v1/redemptions?orgId=org-kd&limit=500')).body.items;
    expect(kd.length).toBe(all.length); // every demo redemption here was by a 康定 member
    expect((await admin('GET', '/api/v1/redemptions?orgId=org-ld')).body.items).toEqual([]);
    expect((await admin('GET', '/api/v1/redemptions?from=2000-01-01&to=2000-01-02')).body.items).toEqual([]);
  });

  it('exports CSV a spreadsheet opens: BOM, quoted fields, no formulas', async () => {
    const admin = await login(srv.url, 'minmao-admin');
    const csv = await admin('GET', '/api/v1/redemptions.csv?storeId=s-minmao-1');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    // fetch's text() drops a BOM, so look at the bytes.
    const raw = new Uint8Array(
      await (await fetch(`${srv.url}/api/v1/redemptions.csv`, { headers: { authorization: `Bearer ${admin.token}` } })).arrayBuffer(),
    );
    expect([...raw.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toMatch(/^"编号 receipt no\.","时间 time \(Asia\/Shanghai\)","状态 status"/);
    expect(lines.length).toBeGreaterThan(1);
    // people's CSV: the 8-digit receipt number first, the record id last
    for (const l of lines.slice(1)) expect(l).toMatch(/^"\d{8}",.*"rd-\d+"$/);
    expect(csv.text).toContain('"wrong amount keyed"');
  });

  it('settles union money for committed, not voided, campaign redemptions in the union scope', async () => {
    const gz = await login(srv.url, 'gz-auditor');
    const s = await gz('GET', '/api/v1/reports/settlement?from=2026-11-01&to=2026-11-30');
    expect(s.status).toBe(200);
    const spring = s.body.rows.find((r: any) => r.campaignId === 'c-spring');
    // Ten were granted and one of them voided.
    expect(spring).toEqual({ merchantId: 'm-dicos', campaignId: 'c-spring', count: 9, unionFen: 90000 });
    expect(s.body.totalUnionFen).toBe(s.body.rows.reduce((a: number, r: any) => a + r.unionFen, 0));
    const kd = await login(srv.url, 'kd-auditor');
    expect((await kd('GET', '/api/v1/reports/settlement')).body).toEqual({
      rows: [],
      totalUnionFen: 0,
      pendingAdjustments: [],
      pendingAdjustmentFen: 0,
    });
    expect((await kd('GET', '/api/v1/reports/settlement?orgId=org-gz')).status).toBe(404);
    const merchant = await login(srv.url, 'minmao-admin');
    expect((await merchant('GET', '/api/v1/reports/settlement')).status).toBe(403);
    const none = await gz('GET', '/api/v1/reports/settlement?from=2026-12-01&to=2026-12-31');
    expect(none.body.totalUnionFen).toBe(0);
  });

  it('verifies the hash chain and finds an edited record', async () => {
    const gz = await login(srv.url, 'gz-auditor');
    const ok = await gz('GET', '/api/v1/audit/verify');
    expect(ok.body).toMatchObject({ ok: true });
    expect(ok.body.checked).toBeGreaterThan(10);
    const file = join(srv.dir, 'ledger.jsonl');
    const original = readFileSync(file, 'utf8');
    const lines = original.split('\n');
    const target = JSON.parse(lines[2]!);
    target.data.amountFen += 100;
    lines[2] = JSON.stringify(target);
    writeFileSync(file, lines.join('\n'));
    const bad = await gz('GET', '/api/v1/audit/verify');
    expect(bad.body).toMatchObject({ ok: false, checked: 2, brokenAt: target.data.id ?? target.data.redemptionId });
    writeFileSync(file, original);
    expect((await gz('GET', '/api/v1/audit/verify')).body.ok).toBe(true);
    const merchant = await login(srv.url, 'xlk-admin');
    expect((await merchant('GET', '/api/v1/audit/verify')).status).toBe(403);
  });

  it('pushes redemption:committed to portals that may see it and not to others', async () => {
    const mm = await login(srv.url, 'minmao-admin');
    const x = await login(srv.url, 'xlk-admin');
    const a = connect(srv.url, { auth: { token: mm.token }, transports: ['websocket'] });
    const b = connect(srv.url, { auth: { token: x.token }, transports: ['websocket'] });
    await Promise.all([a, b].map((s) => new Promise<void>((res) => s.on('connect', () => res()))));
    const gotB: unknown[] = [];
    b.on('redemption:committed', (r) => gotB.push(r));
    const gotA = new Promise<any>((res) => a.on('redemption:committed', res));
    const { r } = await quoteAndRedeem(minmao, 1000, memberNo());
    expect((await gotA).id).toBe(r.body.id);
    // xlk-admin saw nothing; check after a round trip on its own socket so a late event would have arrived.
    await b.emitWithAck('ping');
    expect(gotB).toEqual([]);
    const anon = connect(srv.url, { auth: { token: 'nope' }, transports: ['websocket'] });
    const err = await new Promise<Error>((res) => anon.on('connect_error', res));
    expect(err.message).toBe('UNAUTHENTICATED');
    for (const s of [a, b, anon]) s.close();
  });
});
