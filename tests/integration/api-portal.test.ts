import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { card, client, demoServer, enroll, login, memberNo, type TestServer, redeem } from '../helpers/server.ts';

let srv: TestServer;
type Terminal = Awaited<ReturnType<typeof enroll>>;
let minmao: Terminal;
let minmao2: Terminal;
let xlk: Terminal;

beforeAll(async () => {
  srv = await demoServer();
  minmao = await enroll(srv.url, 't-minmao-1');
  minmao2 = await enroll(srv.url, 't-minmao-2');
  xlk = await enroll(srv.url, 't-xlk-1');
  // 2026-11-24 and -25 in Shanghai: 35,000 at store 1 (with 满300减200), 10,000 at store 2, 5,000 at xlk.
  srv.clock.set('2026-11-24T10:00:00+08:00');
  await redeem(minmao, 35000);
  srv.clock.set('2026-11-25T10:00:00+08:00');
  await redeem(minmao2, 10000, memberNo());
  await redeem(xlk, 5000);
});
afterAll(() => srv.stop());

describe('merchant portal API', () => {
  it('totals sales, discount and union money per store and day, and exports the same as CSV', async () => {
    const mm = await login(srv.url, 'minmao-admin');
    const t = await mm('GET', '/api/v1/merchant/totals?from=2026-11-01&to=2026-11-30&granularity=day');
    expect(t.status).toBe(200);
    expect(t.body.rows).toEqual([
      { period: '2026-11-24', storeId: 's-minmao-1', count: 1, salesFen: 35000, discountFen: 21750, merchantFen: 1750, unionFen: 20000 },
      { period: '2026-11-25', storeId: 's-minmao-2', count: 1, salesFen: 10000, discountFen: 500, merchantFen: 500, unionFen: 0 },
    ]);
    const month = await mm('GET', '/api/v1/merchant/totals?from=2026-11-01&to=2026-11-30&granularity=month&storeId=s-minmao-1');
    expect(month.body.rows).toEqual([expect.objectContaining({ period: '2026-11', storeId: 's-minmao-1', unionFen: 20000 })]);
    const csv = await mm('GET', '/api/v1/merchant/totals.csv?from=2026-11-01&to=2026-11-30&granularity=day');
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = csv.text.trim().split('\r\n');
    expect(lines[1]).toBe('"2026-11-24","民贸公司 康定店","s-minmao-1","1","350.00","217.50","17.50","200.00"');
    expect(lines.at(-1)).toBe('"合计 total","","","2","450.00","222.50","22.50","200.00"');
  });

  it('lists its terminals with state and last seen, and only its own', async () => {
    const mm = await login(srv.url, 'minmao-admin');
    // Store 1's terminal last called a day ago; a quote now makes it seen again.
    expect((await mm('GET', '/api/v1/merchant/terminals')).body.items[0].state).toBe('offline');
    await minmao('POST', '/api/v1/quotes', { credential: card(), amountFen: 100 });
    const t = await mm('GET', '/api/v1/merchant/terminals');
    expect(t.body.items.map((x: any) => [x.id, x.state])).toEqual([
      ['t-minmao-1', 'online'],
      ['t-minmao-2', 'online'],
    ]);
    expect(t.body.items[0].lastSeenAt).toMatch(/\+08:00$/);
    srv.clock.advance(3600);
    expect((await mm('GET', '/api/v1/merchant/terminals')).body.items[0].state).toBe('offline');
    const x = await login(srv.url, 'xlk-admin');
    expect((await x('GET', '/api/v1/merchant/terminals')).body.items.map((i: any) => i.id)).toEqual(['t-xlk-1']);
  });

  it("issues a pairing code for a new terminal of its own store, once, and 404 for another merchant's store", async () => {
    const mm = await login(srv.url, 'minmao-admin');
    const p = await mm('POST', '/api/v1/merchant/terminals', { storeId: 's-minmao-2' });
    expect(p.status).toBe(201);
    expect(p.body).toMatchObject({ terminalId: 't-minmao-2-2', storeId: 's-minmao-2' });
    expect((await mm('GET', '/api/v1/merchant/terminals')).body.items.find((t: any) => t.id === 't-minmao-2-2').state).toBe('pending');
    const first = await client(srv.url)('POST', '/api/v1/terminals/enroll', { pairingCode: p.body.pairingCode });
    expect(first.body).toMatchObject({ terminalId: 't-minmao-2-2', merchantId: 'm-minmao' });
    expect((await client(srv.url)('POST', '/api/v1/terminals/enroll', { pairingCode: p.body.pairingCode })).status).toBe(404);
    expect(readFileSync(join(srv.dir, 'state.json'), 'utf8')).not.toContain(p.body.pairingCode);
    expect((await mm('POST', '/api/v1/merchant/terminals', { storeId: 's-xlk-1' })).status).toBe(404);
    const gz = await login(srv.url, 'gz-auditor');
    expect((await gz('POST', '/api/v1/merchant/terminals', { storeId: 's-minmao-1' })).status).toBe(403);
  });

  it('filters the log by funding', async () => {
    const mm = await login(srv.url, 'minmao-admin');
    const union = await mm('GET', '/api/v1/redemptions?funding=union');
    expect(union.body.items.map((r: any) => r.storeId)).toEqual(['s-minmao-1']);
    const merchant = await mm('GET', '/api/v1/redemptions?funding=merchant');
    expect(merchant.body.items.map((r: any) => r.storeId)).toEqual(['s-minmao-2']);
  });
});

describe('union portal API', () => {
  it('drafts, approves and pays a statement with who and when, one step at a time, with four eyes', async () => {
    const gz = await login(srv.url, 'gz-auditor');
    const admin = await login(srv.url, 'admin');
    const d = await gz('POST', '/api/v1/statements', { from: '2026-11-01', to: '2026-11-30' });
    expect(d.status).toBe(201);
    expect(d.body).toMatchObject({
      status: 'draft',
      orgId: 'org-gz',
      totalUnionFen: 20000,
      redemptionCount: 1,
      rows: [{ merchantId: 'm-minmao', campaignId: 'c-wuyi', count: 1, unionFen: 20000 }],
      createdBy: 'gz-auditor',
    });
    expect((await admin('POST', `/api/v1/statements/${d.body.id}/pay`)).body.error.code).toBe('STATEMENT_STATE');
    // The drafter may not approve its own statement.
    const own = await gz('POST', `/api/v1/statements/${d.body.id}/approve`);
    expect([own.status, own.body.error.code]).toEqual([403, 'FOUR_EYES']);
    const a = await admin('POST', `/api/v1/statements/${d.body.id}/approve`);
    expect(a.body).toMatchObject({ status: 'approved', approvedBy: 'admin', createdBy: 'gz-auditor' });
    expect(a.body.approvedAt).toBe(srv.clock.now().toISOString());
    const again = await admin('POST', `/api/v1/statements/${d.body.id}/approve`);
    expect(again.status).toBe(409);
    // A second statement over the same days is refused as a draft already: no double payment.
    const d2 = await gz('POST', '/api/v1/statements', { from: '2026-11-15', to: '2026-12-15' });
    expect([d2.status, d2.body.error.code]).toEqual([409, 'STATEMENT_OVERLAP']);
    // Nor may the drafter record the payment; the approver may.
    expect((await gz('POST', `/api/v1/statements/${d.body.id}/pay`)).body.error.code).toBe('FOUR_EYES');
    const p = await admin('POST', `/api/v1/statements/${d.body.id}/pay`);
    expect(p.body).toMatchObject({ status: 'paid', paidBy: 'admin' });
    const csv = await gz('GET', `/api/v1/statements/${d.body.id}.csv`);
    expect(csv.text).toContain('"民贸公司","m-minmao","工会五一满300减200","c-wuyi","1","200.00"');
    // A draft of later days is cancelled: recorded with who and when, and never approvable again.
    const d3 = await gz('POST', '/api/v1/statements', { from: '2026-12-01', to: '2026-12-15' });
    expect(d3.status).toBe(201);
    const c = await gz('POST', `/api/v1/statements/${d3.body.id}/cancel`);
    expect(c.body).toMatchObject({ status: 'cancelled', cancelledBy: 'gz-auditor' });
    expect((await admin('POST', `/api/v1/statements/${d3.body.id}/approve`)).body.error.code).toBe('STATEMENT_STATE');
    expect((await gz('POST', `/api/v1/statements/${d.body.id}/cancel`)).body.error.code).toBe('STATEMENT_STATE');
    const listed = await gz('GET', '/api/v1/statements');
    expect(listed.body.items.map((s: any) => [s.id, s.status])).toEqual([
      [d3.body.id, 'cancelled'],
      [d.body.id, 'paid'],
    ]);
  });

  it('flags a void after an approved statement counted it', async () => {
    const gz = await login(srv.url, 'gz-auditor');
    const mm = await login(srv.url, 'minmao-admin');
    const counted = (await mm('GET', '/api/v1/redemptions?funding=union')).body.items[0];
    srv.clock.advance(60);
    expect((await mm('POST', `/api/v1/redemptions/${counted.id}/void`, { reason: 'returned' })).status).toBe(200);
    const an = await gz('GET', '/api/v1/audit/anomalies?from=2026-11-01&to=2026-12-31');
    const f = an.body.flags.find((x: any) => x.kind === 'void_after_statement');
    expect(f.redemptionIds).toEqual([counted.id]);
    expect(f.explanation).toMatch(/after statement st-\d+/);
  });

  it('finds every discount honoured, and counts statistics by county and merchant', async () => {
    const gz = await login(srv.url, 'gz-auditor');
    const rc = await gz('GET', '/api/v1/audit/recompute');
    expect(rc.body).toMatchObject({ mismatches: [] });
    expect(rc.body.checked).toBe(3);
    const st = await gz('GET', '/api/v1/stats?from=2026-11-01&to=2026-11-30');
    // Two committed (one voided above), by two members' credentials of the same member: one unique member.
    expect(st.body.total).toEqual({ personTimes: 2, uniqueMembers: 1, amountFen: 15000, discountFen: 1000, unionFen: 0 });
    expect(st.body.byOrg).toEqual([expect.objectContaining({ orgId: 'org-kd', personTimes: 2, uniqueMembers: 1 })]);
    expect(st.body.campaigns.map((c: any) => [c.campaignId, c.budgetFen, c.spentFen])).toEqual(
      expect.arrayContaining([['c-wuyi', 40_000_000, 0]]),
    );
  });

  it('answers 404 to a merchant, store, union or statement outside the scope, and 403 to merchants', async () => {
    const kd = await login(srv.url, 'kd-auditor');
    const gz = await login(srv.url, 'gz-auditor');
    const mm = await login(srv.url, 'minmao-admin');
    const x = await login(srv.url, 'xlk-admin');
    for (const path of [
      '/api/v1/audit/recompute?merchantId=m-minmao',
      '/api/v1/audit/anomalies?merchantId=m-minmao',
      '/api/v1/stats?merchantId=m-minmao',
      '/api/v1/redemptions?merchantId=m-minmao',
      '/api/v1/redemptions.csv?merchantId=m-minmao',
    ]) {
      expect((await kd('GET', path)).status, path).toBe(404);
    }
    expect((await kd('POST', '/api/v1/statements', { from: '2026-11-01', to: '2026-11-30', orgId: 'org-gz' })).status).toBe(404);
    expect((await kd('GET', '/api/v1/statements/st-00001')).status).toBe(404);
    expect((await kd('GET', '/api/v1/statements/st-00001.csv')).status).toBe(404);
    expect((await kd('GET', '/api/v1/statements')).body.items).toEqual([]);
    expect((await gz('GET', '/api/v1/redemptions?orgId=org-sczz')).status).toBe(404);
    for (const path of [
      '/api/v1/merchant/totals?storeId=s-minmao-1',
      '/api/v1/merchant/totals.csv?storeId=s-minmao-1',
      '/api/v1/redemptions?storeId=s-minmao-1',
      '/api/v1/redemptions?terminalId=t-minmao-1',
    ]) {
      expect((await x('GET', path)).status, path).toBe(404);
    }
    expect((await x('GET', '/api/v1/merchant/totals')).body.rows.every((r: any) => r.storeId === 's-xlk-1')).toBe(true);
    for (const path of ['/api/v1/audit/recompute', '/api/v1/audit/anomalies', '/api/v1/stats', '/api/v1/statements']) {
      expect((await mm('GET', path)).status, path).toBe(403);
    }
  });
});
