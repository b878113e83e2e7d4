/** The audit trail for people: named records, local time, and statement steps and voids merged in. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoServer, enroll, login, redeem, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
beforeAll(async () => {
  srv = await demoServer();
});
afterAll(async () => {
  await srv?.stop();
});

describe('GET /api/v1/admin/audit-trail', () => {
  it('names a card by its last digits and masked holder, gives local time, and includes voids and statement approvals and payments', async () => {
    const admin = await login(srv.url, 'admin');
    const gz = await login(srv.url, 'gz-auditor');
    const t = await enroll(srv.url, 't-minmao-1');
    const sale = await redeem(t, 35_000);
    expect((await t('POST', `/api/v1/redemptions/${sale.id}/void`, { reason: '收银员输错金额' })).status).toBe(200);
    const card = (await admin('GET', '/api/v1/admin/cards?last4=0015')).body.items[0];
    expect((await admin('POST', `/api/v1/admin/cards/${card.id}/status`, { status: 'frozen' })).status).toBe(200);
    const draft = await gz('POST', '/api/v1/statements', { from: '2026-11-01', to: '2026-11-30' });
    expect(draft.status).toBe(201);
    expect((await admin('POST', `/api/v1/statements/${draft.body.id}/approve`)).status).toBe(200);
    expect((await admin('POST', `/api/v1/statements/${draft.body.id}/pay`)).status).toBe(200);

    const trail = await admin('GET', '/api/v1/admin/audit-trail');
    expect(trail.status).toBe(200);
    const by = (action: string) => trail.body.items.find((e: { action: string }) => e.action === action);
    expect(by('card.frozen') ?? by('card.freeze')).toMatchObject({ subject: '卡 ****0015（张*）' });
    expect((by('card.frozen') ?? by('card.freeze')).atLocal).toMatch(/^2026-11-25 12:00:00 \+08:00$/);
    expect(by('redemption.void')).toMatchObject({ id: sale.id, note: '收银员输错金额' });
    expect(by('statement.approve')).toMatchObject({ id: draft.body.id, by: { username: 'admin' } });
    expect(by('statement.pay')).toMatchObject({ id: draft.body.id });
    // Newest first throughout.
    const ats = trail.body.items.map((e: { at: string }) => e.at);
    expect([...ats].sort().reverse()).toEqual(ats);
    // Filtered to one kind of money event.
    const voids = await admin('GET', '/api/v1/admin/audit-trail?entity=redemption');
    expect(voids.body.items.map((e: { action: string }) => e.action)).toEqual(['redemption.void']);
  });

  it('exports it for people with ?format=raw for machines', async () => {
    const admin = await login(srv.url, 'admin');
    const people = await admin('GET', '/api/v1/admin/audit-trail.csv');
    expect(people.text.split('\r\n')[0]).toContain('"时间 time (Asia/Shanghai)"');
    expect(people.text).toContain('卡 ****0015（张*）');
    const raw = await admin('GET', '/api/v1/admin/audit-trail.csv?format=raw');
    expect(raw.text.split('\r\n')[0]).toBe('\ufeff"seq","at","by","action","entity","id","note","before","after"'.slice(1));
  });
});
