/**
 * Union money needs a budget, and every union-funded line draws on it (issue 8, item 4): one offer
 * schema for POST and PUT, budgets drawn for agreements as for campaigns in the commit's atomic step,
 * and settlement and statistics counting the same money.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { card, demoServer, enroll, login, newKey, type Api, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let admin: Api;
let gz: Api;
let minmao: Api;

beforeAll(async () => {
  srv = await demoServer();
  admin = await login(srv.url, 'admin');
  gz = await login(srv.url, 'gz-auditor');
  minmao = await enroll(srv.url, 't-minmao-1');
});
afterAll(() => srv.stop());

const quote = async (amountFen: number) => (await minmao('POST', '/api/v1/quotes', { credential: card(), amountFen })).body;
const commit = (quoteId: string) => minmao('POST', '/api/v1/redemptions', { quoteId, idempotencyKey: newKey() });

describe('one offer schema for creating and changing', () => {
  it('refuses union money without a budget on change (PUT) as on create (POST), and changes nothing', async () => {
    const put = await admin('PUT', '/api/v1/agreements/a-minmao', { unionShareBps: 10000 });
    expect(put.status).toBe(400);
    expect(put.body.error.code).toBe('VALIDATION_FAILED');
    expect(put.body.error.details).toEqual([expect.objectContaining({ path: 'budgetFen' })]);
    const post = await admin('POST', '/api/v1/agreements', {
      id: 'a-minmao-union',
      kind: 'agreement',
      merchantId: 'm-minmao',
      orgId: 'org-gz',
      title: '工会补贴9折',
      rule: { kind: 'percent_off', bps: 1000 },
      unionShareBps: 5000,
      status: 'active',
    });
    expect([post.status, post.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(post.body.error.details).toEqual([expect.objectContaining({ path: 'budgetFen' })]);
    const cur = (await admin('GET', '/api/v1/agreements?merchantId=m-minmao')).body.items.find((o: any) => o.id === 'a-minmao');
    expect(cur).toMatchObject({ version: 1, unionShareBps: 0 });
  });

  it('keeps the conditions a PUT does not mention', async () => {
    const put = await admin('PUT', '/api/v1/agreements/a-hotel', { titleEn: '10% off on weekdays' });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ version: 2, titleEn: '10% off on weekdays', conditions: { weekdays: [1, 2, 3, 4, 5] } });
  });
});

describe('a union-funded agreement draws on its own budget', () => {
  it('grants at most its budget, refusing at commit what a quote let through, and settles and counts the same money', async () => {
    const put = await admin('PUT', '/api/v1/agreements/a-minmao', { unionShareBps: 10000, budgetFen: 1000 });
    expect(put.status).toBe(200);
    // Two quotes while 1,000 fen are left: each gives 600 fen of union money (5% of 12,000).
    const q1 = await quote(12_000);
    const q2 = await quote(12_000);
    expect(q1.lines).toEqual([
      expect.objectContaining({ agreementId: 'a-minmao', discountFen: 600, funding: { merchantFen: 0, unionFen: 600 } }),
    ]);
    expect(q2.eligible).toBe(true);
    expect((await commit(q1.quoteId)).status).toBe(201);
    const second = await commit(q2.quoteId);
    expect([second.status, second.body.error?.code]).toEqual([409, 'BUDGET_EXHAUSTED']);
    // A new quote knows the budget is short and says so instead of granting.
    const q3 = await quote(12_000);
    expect(q3.eligible).toBe(false);
    expect(q3.skipped).toEqual(expect.arrayContaining([expect.objectContaining({ agreementId: 'a-minmao', code: 'BUDGET_EXHAUSTED' })]));
    const listed = (await admin('GET', '/api/v1/admin/agreements')).body.items.find((o: any) => o.id === 'a-minmao');
    expect(listed).toMatchObject({ budgetFen: 1000, remainingBudgetFen: 400 });

    // Settlement and statistics: the same 600 fen, under the agreement's id.
    const day = '?from=2026-11-25&to=2026-11-25';
    const settlement = (await gz('GET', `/api/v1/reports/settlement${day}`)).body;
    expect(settlement.rows).toEqual([{ merchantId: 'm-minmao', campaignId: 'a-minmao', count: 1, unionFen: 600 }]);
    const stats = (await gz('GET', `/api/v1/stats${day}`)).body;
    expect(stats.total.unionFen).toBe(settlement.totalUnionFen);
    expect(stats.byMerchant.find((m: any) => m.merchantId === 'm-minmao').unionFen).toBe(600);
    expect(stats.campaigns.find((c: any) => c.campaignId === 'a-minmao')).toMatchObject({ budgetFen: 1000, periodFen: 600, spentFen: 600 });

    // A void gives the money back to the agreement's budget.
    const rid = (await gz('GET', '/api/v1/redemptions?merchantId=m-minmao&funding=union')).body.items[0].id;
    expect((await minmao('POST', `/api/v1/redemptions/${rid}/void`, { reason: '退货 returned' })).status).toBe(200);
    expect((await admin('GET', '/api/v1/admin/agreements')).body.items.find((o: any) => o.id === 'a-minmao').remainingBudgetFen).toBe(1000);
    const after = (await gz('GET', `/api/v1/reports/settlement${day}`)).body;
    expect(after.totalUnionFen).toBe(0);
    expect((await gz('GET', `/api/v1/stats${day}`)).body.total.unionFen).toBe(0);
  });
});
