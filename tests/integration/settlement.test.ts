/**
 * Settlement statements (issue 8, item 7): four eyes, no overlapping statements, approved and paid
 * statements never change, and a void after approval is deducted on the union's next statement.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoServer, enroll, login, redeem, type Api, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let minmao: Api;
// Sign in afresh at each use: the test clock jumps days, past a session's lifetime.
const gz: Api = async (...a) => (await login(srv.url, 'gz-auditor'))(...a);
const admin: Api = async (...a) => (await login(srv.url, 'admin'))(...a);
const sales: Record<string, any> = {};

beforeAll(async () => {
  srv = await demoServer();
  minmao = await enroll(srv.url, 't-minmao-1');
  // 35,000 fen at 民贸 on two days of November: 满300减200, so the union owes 20,000 fen each.
  for (const day of ['2026-11-10', '2026-11-12', '2026-11-20']) {
    srv.clock.set(`${day}T12:00:00+08:00`);
    sales[day] = await redeem(minmao, 35000);
  }
  srv.clock.set('2026-11-16T09:00:00+08:00');
});
afterAll(() => srv.stop());

describe('settlement statements', () => {
  it('needs a second person to approve and to record payment', async () => {
    const d = await gz('POST', '/api/v1/statements', { from: '2026-11-01', to: '2026-11-15' });
    expect(d.body).toMatchObject({ status: 'draft', totalUnionFen: 40000, redemptionCount: 2, adjustments: [], adjustmentFen: 0 });
    const own = await gz('POST', `/api/v1/statements/${d.body.id}/approve`);
    expect([own.status, own.body.error.code]).toEqual([403, 'FOUR_EYES']);
    expect((await gz('GET', `/api/v1/statements/${d.body.id}`)).body.status).toBe('draft');
    expect((await admin('POST', `/api/v1/statements/${d.body.id}/approve`)).body).toMatchObject({
      status: 'approved',
      approvedBy: 'admin',
    });
    const ownPay = await gz('POST', `/api/v1/statements/${d.body.id}/pay`);
    expect([ownPay.status, ownPay.body.error.code]).toEqual([403, 'FOUR_EYES']);
    expect((await admin('POST', `/api/v1/statements/${d.body.id}/pay`)).body).toMatchObject({
      status: 'paid',
      paidBy: 'admin',
      createdBy: 'gz-auditor',
    });
  });

  it('refuses a draft that overlaps any statement of the union that is not cancelled', async () => {
    for (const range of [
      { from: '2026-11-15', to: '2026-11-30' },
      { from: '2026-10-01', to: '2026-11-01' },
      { from: '2026-11-05', to: '2026-11-06' },
    ]) {
      const r = await gz('POST', '/api/v1/statements', range);
      expect([r.status, r.body.error?.code]).toEqual([409, 'STATEMENT_OVERLAP']);
    }
    // A cancelled draft does not block its days.
    const d = await gz('POST', '/api/v1/statements', { from: '2026-12-01', to: '2026-12-31' });
    expect((await admin('POST', '/api/v1/statements', { from: '2026-12-10', to: '2026-12-12', orgId: 'org-gz' })).body.error.code).toBe(
      'STATEMENT_OVERLAP',
    );
    expect((await gz('POST', `/api/v1/statements/${d.body.id}/cancel`)).body.status).toBe('cancelled');
    const again = await gz('POST', '/api/v1/statements', { from: '2026-12-10', to: '2026-12-12' });
    expect(again.status).toBe(201);
    expect((await gz('POST', `/api/v1/statements/${again.body.id}/cancel`)).status).toBe(200);
  });

  it('never changes a paid statement: a later void is pending, then carried once by the next statement', async () => {
    const paid = (await gz('GET', '/api/v1/statements')).body.items.find((s: any) => s.status === 'paid');
    srv.clock.set('2026-11-21T10:00:00+08:00');
    const voided = sales['2026-11-10'];
    expect((await minmao('POST', `/api/v1/redemptions/${voided.id}/void`, { reason: '退货 returned' })).status).toBe(200);

    // The paid statement is as it was; the live report says what will be deducted.
    expect((await gz('GET', `/api/v1/statements/${paid.id}`)).body).toMatchObject({
      status: 'paid',
      totalUnionFen: 40000,
      redemptionCount: 2,
      rows: paid.rows,
    });
    const live = (await gz('GET', '/api/v1/reports/settlement?from=2026-11-01&to=2026-11-15')).body;
    expect(live.totalUnionFen).toBe(20000);
    expect(live.pendingAdjustments).toEqual([
      expect.objectContaining({
        redemptionId: voided.id,
        statementId: paid.id,
        merchantId: 'm-minmao',
        campaignId: 'c-wuyi',
        unionFen: 20000,
      }),
    ]);
    expect(live.pendingAdjustmentFen).toBe(20000);

    // The next statement: the 20 November sale, less the void.
    const next = await gz('POST', '/api/v1/statements', { from: '2026-11-16', to: '2026-11-30' });
    expect(next.status).toBe(201);
    expect(next.body).toMatchObject({ totalUnionFen: 20000, adjustmentFen: 20000, netUnionFen: 0 });
    expect(next.body.adjustments).toEqual([expect.objectContaining({ redemptionId: voided.id, statementId: paid.id, unionFen: 20000 })]);
    const csv = (await gz('GET', `/api/v1/statements/${next.body.id}.csv`)).text;
    expect(csv).toContain(`"扣回 deducted: ${voided.id} voided after ${paid.id}","m-minmao","工会五一满300减200","c-wuyi","1","200.00"`);
    expect(csv).toContain('"应付 net owed","","","","","0.00"');
    // Carried once: the live report no longer lists it, and a later statement does not deduct it again.
    expect((await gz('GET', '/api/v1/reports/settlement?from=2026-11-01&to=2026-11-15')).body.pendingAdjustments).toEqual([]);
    const dec = await gz('POST', '/api/v1/statements', { from: '2026-12-01', to: '2026-12-31' });
    expect(dec.body).toMatchObject({ adjustments: [], adjustmentFen: 0 });
    // Cancelling the statement that carried it hands the deduction to the next one.
    await gz('POST', `/api/v1/statements/${dec.body.id}/cancel`);
    await gz('POST', `/api/v1/statements/${next.body.id}/cancel`);
    const redo = await gz('POST', '/api/v1/statements', { from: '2026-11-16', to: '2026-11-30' });
    expect(redo.body.adjustments.map((a: any) => a.redemptionId)).toEqual([voided.id]);
  });

  it('refuses to approve a draft that counts a redemption voided since it was drafted', async () => {
    const draft = (await gz('GET', '/api/v1/statements')).body.items.find((s: any) => s.status === 'draft' && s.from === '2026-11-16');
    expect(draft.redemptionCount).toBe(1);
    const counted = sales['2026-11-20'];
    expect((await minmao('POST', `/api/v1/redemptions/${counted.id}/void`, { reason: '退货 returned' })).status).toBe(200);
    const r = await admin('POST', `/api/v1/statements/${draft.id}/approve`);
    expect([r.status, r.body.error.code, r.body.error.details]).toEqual([409, 'CONFLICT', { voidedSinceDraft: [counted.id] }]);
    expect((await gz('GET', `/api/v1/statements/${draft.id}`)).body.status).toBe('draft');
  });
});
