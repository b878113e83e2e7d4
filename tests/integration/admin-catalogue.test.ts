import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subAdmin } from '../helpers/admin.ts';
import { client, demoServer, login, type Api, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let admin: Api & { token: string };
let gzAdmin: Api & { token: string };

beforeAll(async () => {
  srv = await demoServer();
  admin = await login(srv.url, 'admin');
  gzAdmin = await subAdmin(srv, 'org-gz');
});
afterAll(() => srv.stop());

describe('agreements: preview and versions', () => {
  it('previews the stacked discount of a sample sale without recording anything', async () => {
    const before = await srv.ctx.store.remainingBudget('c-wuyi');
    const p = await gzAdmin('POST', '/api/v1/admin/agreements/preview', {
      merchantId: 'm-minmao',
      amountFen: 35000,
      memberOrgId: 'org-kd',
    });
    expect(p.status).toBe(200);
    // CONTRACT.md: 500 bps off → 1,750; 33,250 ≥ 30,000 → 满300减200; payable 13,250.
    expect(p.body).toMatchObject({ eligible: true, discountFen: 21750, payableFen: 13250 });
    expect(p.body.lines.map((l: any) => [l.agreementId, l.discountFen])).toEqual([
      ['a-minmao', 1750],
      ['c-wuyi', 20000],
    ]);
    expect(await srv.ctx.store.remainingBudget('c-wuyi')).toBe(before);
    expect((await srv.ctx.store.listRedemptions({ limit: 10 })).items).toHaveLength(0);
  });

  it('previews an unsaved draft in place of the saved version: weekdays, hours, max discount, fixed price', async () => {
    const draft = {
      id: 'a-hotel',
      kind: 'agreement',
      merchantId: 'm-hotel',
      orgId: 'org-gz',
      title: '周末8折',
      rule: { kind: 'percent_off', bps: 2000 },
      conditions: { weekdays: [6, 7], hours: { from: '10:00', to: '22:00' }, maxDiscountFen: 5000 },
      unionShareBps: 0,
      status: 'active',
    };
    const saturday = '2026-11-28T12:00:00+08:00';
    const ok = await gzAdmin('POST', '/api/v1/admin/agreements/preview', {
      merchantId: 'm-hotel',
      draft,
      amountFen: 50000,
      memberOrgId: 'org-ld',
      at: saturday,
    });
    expect(ok.body).toMatchObject({ eligible: true, discountFen: 5000 });
    const night = await gzAdmin('POST', '/api/v1/admin/agreements/preview', {
      merchantId: 'm-hotel',
      draft,
      amountFen: 50000,
      memberOrgId: 'org-ld',
      at: '2026-11-28T23:00:00+08:00',
    });
    expect(night.body).toMatchObject({ eligible: false, discountFen: 0 });
    expect(night.body.reasons[0].code).toBe('OUTSIDE_WINDOW');
    const cinema = await admin('POST', '/api/v1/admin/agreements/preview', {
      merchantId: 'm-cinema',
      amountFen: 8000,
      items: [{ sku: 'movie-ticket', qty: 2, unitPriceFen: 4000 }],
      memberOrgId: 'org-sczz',
    });
    expect(cinema.body).toMatchObject({ eligible: true, discountFen: 6200, payableFen: 1800 });
    // The saved agreement did not change.
    expect((await gzAdmin('GET', '/api/v1/admin/agreements/a-hotel/versions')).body.items).toHaveLength(1);
  });

  it('keeps every version, audited, and answers 404 outside the union', async () => {
    const put = await gzAdmin('PUT', '/api/v1/agreements/a-xlk', { rule: { kind: 'percent_off', bps: 1500 }, title: '会员85折' });
    expect(put.status).toBe(200);
    const versions = await gzAdmin('GET', '/api/v1/admin/agreements/a-xlk/versions');
    expect(versions.body.items.map((o: any) => [o.version, o.rule.bps])).toEqual([
      [1, 1000],
      [2, 1500],
    ]);
    const trail = await gzAdmin('GET', '/api/v1/admin/audit-trail?entity=offer&id=a-xlk');
    expect(trail.body.items[0]).toMatchObject({
      action: 'offer.new_version',
      before: { version: 1, rule: { bps: 1000 } },
      after: { version: 2, rule: { bps: 1500 } },
    });
    expect((await gzAdmin('GET', '/api/v1/admin/agreements/a-carwash/versions')).status).toBe(404); // signed by org-sc
    const list = await gzAdmin('GET', '/api/v1/admin/agreements');
    expect(list.body.items.map((o: any) => o.id)).not.toContain('a-carwash');
    expect(list.body.items.find((o: any) => o.id === 'c-spring')).toMatchObject({ budgetFen: 100000, remainingBudgetFen: 100000 });
    expect(
      (await gzAdmin('POST', '/api/v1/admin/agreements/preview', { merchantId: 'm-minmao', amountFen: 1000, memberOrgId: 'org-sczz' }))
        .status,
    ).toBe(404);
  });
});

describe('merchants, stores and terminals', () => {
  it('registers a merchant, a store and a terminal whose one-time pairing code enrolls a till', async () => {
    const m = await gzAdmin('POST', '/api/v1/admin/merchants', { id: 'm-tea', name: '康定茶馆', nameEn: 'Kangding Teahouse' });
    expect(m.status).toBe(201);
    expect(m.body).toMatchObject({ id: 'm-tea', orgId: 'org-gz' });
    expect((await gzAdmin('POST', '/api/v1/admin/merchants', { id: 'm-tea', name: 'x' })).status).toBe(409);
    expect((await gzAdmin('POST', '/api/v1/admin/stores', { id: 's-tea-1', merchantId: 'm-tea', name: '茶馆 老街店' })).status).toBe(201);
    const t = await gzAdmin('POST', '/api/v1/admin/terminals', { storeId: 's-tea-1' });
    expect(t.status).toBe(201);
    expect(t.body.terminal).toMatchObject({
      id: 't-tea-1',
      storeId: 's-tea-1',
      merchantId: 'm-tea',
      paired: false,
      waitingForPairing: true,
    });
    expect(t.body.pairingCode).toMatch(/^PAIR-[A-Z2-9]{8}$/);
    const enrolled = await client(srv.url)('POST', '/api/v1/terminals/enroll', { pairingCode: t.body.pairingCode });
    expect(enrolled.status).toBe(201);
    expect((await client(srv.url)('POST', '/api/v1/terminals/enroll', { pairingCode: t.body.pairingCode })).status).toBe(404);
    // Re-pairing revokes the old token at once.
    const till = client(srv.url, enrolled.body.token);
    expect((await till('POST', '/api/v1/quotes', { credential: { type: 'member_no', data: '5133000017' }, amountFen: 100 })).status).toBe(
      200,
    );
    const re = await gzAdmin('POST', '/api/v1/admin/terminals/t-tea-1/re-pair');
    expect(re.status).toBe(200);
    expect((await till('POST', '/api/v1/quotes', { credential: { type: 'member_no', data: '5133000017' }, amountFen: 100 })).status).toBe(
      401,
    );
    const trail = await gzAdmin('GET', '/api/v1/admin/audit-trail?entity=terminal&id=t-tea-1');
    expect(trail.body.items.map((e: any) => e.action)).toEqual(['terminal.repair', 'terminal.create']);
    expect(JSON.stringify(trail.body)).not.toMatch(/tokenHash|pairingCodeHash|PAIR-/);
    expect(trail.body.items[0]).toMatchObject({ before: { paired: true }, after: { paired: false } });
  });

  it('renames a store with before/after in the trail', async () => {
    expect((await gzAdmin('PUT', '/api/v1/admin/stores/s-minmao-2', { name: '民贸公司 泸定新店' })).status).toBe(200);
    const e = (await gzAdmin('GET', '/api/v1/admin/audit-trail?entity=store&id=s-minmao-2')).body.items[0];
    expect(e).toMatchObject({ action: 'store.update', before: { name: '民贸公司 泸定店' }, after: { name: '民贸公司 泸定新店' } });
  });

  it('shows a union only the merchants it registered or signed with; others are 404', async () => {
    const kd = await subAdmin(srv, 'org-kd');
    expect((await kd('GET', '/api/v1/admin/merchants')).body.items).toEqual([]);
    expect((await kd('GET', '/api/v1/admin/stores?merchantId=m-minmao')).status).toBe(404);
    expect((await kd('GET', '/api/v1/admin/terminals?storeId=s-minmao-1')).status).toBe(404);
    expect((await kd('POST', '/api/v1/admin/terminals', { storeId: 's-minmao-1' })).status).toBe(404);
    expect((await kd('POST', '/api/v1/admin/terminals/t-minmao-1/re-pair')).status).toBe(404);
    expect((await kd('PUT', '/api/v1/admin/merchants/m-minmao', { name: 'x' })).status).toBe(404);
    expect((await kd('GET', '/api/v1/admin/merchants.csv')).text).not.toContain('m-minmao');
    const gz = (await gzAdmin('GET', '/api/v1/admin/merchants')).body.items.map((m: any) => m.id);
    expect(gz).toContain('m-minmao');
    expect(gz).toContain('m-tea');
    expect(gz).not.toContain('m-carwash'); // signed by org-sc only
    expect((await gzAdmin('GET', '/api/v1/admin/terminals?merchantId=m-carwash')).status).toBe(404);
    const csv = await gzAdmin('GET', '/api/v1/admin/merchants.csv?format=raw');
    expect(csv.text).toContain('"m-tea","康定茶馆","Kangding Teahouse","甘孜州总工会","1","1"');
    expect((await gzAdmin('GET', '/api/v1/admin/audit-trail?entity=merchant&id=m-tea')).body.items).toHaveLength(1);
    expect((await kd('GET', '/api/v1/admin/audit-trail?entity=merchant&id=m-tea')).body.items).toHaveLength(0);
  });
});

describe('users and roles', () => {
  it('creates users inside the scope, who can then sign in with their role; no hash is ever returned', async () => {
    const u = await gzAdmin('POST', '/api/v1/admin/users', {
      username: 'ld-clerk',
      displayName: '泸定办事员',
      role: 'admin',
      orgId: 'org-ld',
      password: 'secret-pass-1',
    });
    expect(u.status).toBe(201);
    expect(u.body).toEqual({
      id: 'u-ld-clerk',
      username: 'ld-clerk',
      displayName: '泸定办事员',
      role: 'admin',
      orgId: 'org-ld',
      orgName: '泸定县总工会',
      merchantId: null,
      disabled: false,
    });
    const session = await client(srv.url)('POST', '/api/v1/session', { username: 'ld-clerk', password: 'secret-pass-1' });
    expect(session.status).toBe(200);
    const ld = client(srv.url, session.body.token);
    expect((await ld('GET', '/api/v1/admin/members')).body.items.map((m: any) => m.id)).toEqual(['mbr-2']);
    const mm = await gzAdmin('POST', '/api/v1/admin/users', {
      username: 'minmao-2',
      displayName: '民贸二号',
      role: 'merchant_admin',
      merchantId: 'm-minmao',
      password: 'secret-pass-2',
    });
    expect(mm.status).toBe(201);
    const list = await gzAdmin('GET', '/api/v1/admin/users');
    expect(list.text).not.toMatch(/passwordHash|scrypt/);
    expect(list.body.items.map((x: any) => x.username)).toEqual(
      expect.arrayContaining(['gz-auditor', 'kd-auditor', 'minmao-admin', 'ld-clerk', 'minmao-2']),
    );
    expect(list.body.items.map((x: any) => x.username)).not.toContain('admin'); // org-sc is above org-gz
    const trail = await gzAdmin('GET', '/api/v1/admin/audit-trail?entity=user&id=u-ld-clerk');
    expect(JSON.stringify(trail.body)).not.toMatch(/passwordHash|scrypt|secret-pass/);
  });

  it("refuses places outside the scope (404), duplicate usernames (409), short passwords (400), and changing one's own role", async () => {
    expect(
      (
        await gzAdmin('POST', '/api/v1/admin/users', {
          username: 'x1',
          displayName: 'x',
          role: 'admin',
          orgId: 'org-sc',
          password: 'long-enough',
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await gzAdmin('POST', '/api/v1/admin/users', {
          username: 'x2',
          displayName: 'x',
          role: 'merchant_admin',
          merchantId: 'm-carwash',
          password: 'long-enough',
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await gzAdmin('POST', '/api/v1/admin/users', {
          username: 'ld-clerk',
          displayName: 'x',
          role: 'admin',
          orgId: 'org-ld',
          password: 'long-enough',
        })
      ).status,
    ).toBe(409);
    expect(
      (
        await gzAdmin('POST', '/api/v1/admin/users', {
          username: 'x3',
          displayName: 'x',
          role: 'admin',
          orgId: 'org-ld',
          password: 'short',
        })
      ).status,
    ).toBe(400);
    expect((await gzAdmin('PUT', '/api/v1/admin/users/u-admin', { displayName: 'hijack' })).status).toBe(404);
    expect((await gzAdmin('PUT', '/api/v1/admin/users/u-admin-org-gz', { role: 'union_auditor' })).status).toBe(409);
  });

  it('resets a password and changes a role, recorded in the trail', async () => {
    const r = await gzAdmin('PUT', '/api/v1/admin/users/u-ld-clerk', { role: 'union_auditor', password: 'another-pass' });
    expect(r.body.role).toBe('union_auditor');
    expect((await client(srv.url)('POST', '/api/v1/session', { username: 'ld-clerk', password: 'secret-pass-1' })).status).toBe(401);
    const s = await client(srv.url)('POST', '/api/v1/session', { username: 'ld-clerk', password: 'another-pass' });
    expect((await client(srv.url, s.body.token)('POST', '/api/v1/admin/members/mbr-2/status', { status: 'suspended' })).status).toBe(403);
    const e = (await gzAdmin('GET', '/api/v1/admin/audit-trail?entity=user&id=u-ld-clerk')).body.items[0];
    expect(e).toMatchObject({
      action: 'user.update',
      before: { role: 'admin' },
      after: { role: 'union_auditor' },
      note: expect.stringContaining('password'),
    });
  });
});
