/**
 * Issue 12, the union's and the merchant's settings: anomaly thresholds kept by the server per union (who
 * reads, who changes, survival across a restart), a merchant's opening hours and sale maximum edited by
 * admins (validated, audit-trailed, reaching the terminal's snapshot and the odd-hours check), and the admin
 * member and merchant lists as CSV for people and for machines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subAdmin } from '../helpers/admin.ts';
import { client, demoServer, enroll, login, redeem, tempDir, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let till: Awaited<ReturnType<typeof enroll>>;
const dir = tempDir();
beforeAll(async () => {
  srv = await demoServer({ dataDir: dir, keepDir: true });
});
afterAll(async () => {
  await srv?.stop();
});

const rowsOf = (text: string) =>
  text
    .trim()
    .split('\r\n')
    .map((l) => l.slice(1, -1).split('","'));

describe('anomaly thresholds are the union’s settings', () => {
  it('starts at the defaults, which only that union’s own auditors and admins change', async () => {
    const gz = await login(srv.url, 'gz-auditor');
    const first = await gz('GET', '/api/v1/audit/anomaly-settings');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ orgId: 'org-gz', thresholds: first.body.defaults, mayChange: true });
    expect(first.body.updatedAt).toBeUndefined();

    const bad = await gz('PUT', '/api/v1/audit/anomaly-settings', { burstCount: 1, burstMinutes: 60, volumeFactor: 3, volumeMin: 20 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect(bad.body.error.message).toMatch(/^[\u4e00-\u9fff]/); // Chinese first
    expect((await gz('GET', '/api/v1/audit/anomaly-settings')).body.updatedAt).toBeUndefined(); // refused: nothing saved

    const put = await gz('PUT', '/api/v1/audit/anomaly-settings', { burstCount: 2, burstMinutes: 30, volumeFactor: 4, volumeMin: 10 });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      thresholds: { burstCount: 2, burstMinutes: 30, volumeFactor: 4, volumeMin: 10 },
      updatedBy: 'gz-auditor',
    });

    // Another user of the union reads what was saved.
    const gzAdmin = await subAdmin(srv, 'org-gz');
    expect((await gzAdmin('GET', '/api/v1/audit/anomaly-settings')).body).toMatchObject({ thresholds: { burstCount: 2 }, mayChange: true });
    // The root union reads org-gz's but does not set them; a union below neither reads nor sets them.
    const root = await login(srv.url, 'admin');
    expect((await root('GET', '/api/v1/audit/anomaly-settings?orgId=org-gz')).body).toMatchObject({
      thresholds: { burstCount: 2 },
      mayChange: false,
    });
    const rootPut = await root('PUT', '/api/v1/audit/anomaly-settings?orgId=org-gz', put.body.thresholds);
    expect(rootPut.status).toBe(403);
    expect(rootPut.body.error.message).toMatch(/^只有该工会/);
    const kd = await login(srv.url, 'kd-auditor');
    expect((await kd('GET', '/api/v1/audit/anomaly-settings?orgId=org-gz')).status).toBe(404);
    expect((await kd('PUT', '/api/v1/audit/anomaly-settings?orgId=org-gz', put.body.thresholds)).status).toBe(404);
    expect((await kd('GET', '/api/v1/audit/anomaly-settings')).body).toMatchObject({ orgId: 'org-kd', thresholds: { burstCount: 3 } });
    const mm = await login(srv.url, 'minmao-admin');
    expect((await mm('GET', '/api/v1/audit/anomaly-settings')).status).toBe(403);
    expect((await client(srv.url)('GET', '/api/v1/audit/anomaly-settings')).status).toBe(401);
    // The change is found in the audit trail by its own record type.
    const trail = await root('GET', '/api/v1/admin/audit-trail?entity=union_settings');
    expect(trail.status).toBe(200);
    expect(trail.body.items.map((e: { action: string }) => e.action)).toEqual(['union_settings.update']);
    expect(JSON.stringify(trail.body.items[0])).toContain('org-gz');
  });

  it('flags by the saved thresholds and cites receipt numbers', async () => {
    const t = (till = await enroll(srv.url, 't-xlk-1'));
    srv.clock.set('2026-11-25T12:00:00+08:00');
    const a = await redeem(t, 10_000);
    srv.clock.set('2026-11-25T12:20:00+08:00');
    const b = await redeem(t, 10_000);
    const gz = await login(srv.url, 'gz-auditor');
    const an = await gz('GET', '/api/v1/audit/anomalies?from=2026-11-25&to=2026-11-25');
    const burst = an.body.flags.find((f: any) => f.kind === 'member_burst');
    expect(burst.redemptionIds).toEqual([a.id, b.id]); // two uses: the union's threshold, not the default three
    expect(burst.receiptNos).toEqual([String(a.receiptNo).padStart(8, '0'), String(b.receiptNo).padStart(8, '0')]);
    // The log finds the number the card cites.
    expect((await gz('GET', `/api/v1/redemptions?receiptNo=${Number(burst.receiptNos[1])}`)).body.items.map((x: any) => x.id)).toEqual([
      b.id,
    ]);
    // A query parameter still overrides for one look.
    const three = await gz('GET', '/api/v1/audit/anomalies?from=2026-11-25&to=2026-11-25&burstCount=3');
    expect(three.body.flags.some((f: any) => f.kind === 'member_burst')).toBe(false);
  });
});

describe("a merchant's opening hours and sale maximum", () => {
  it('are validated with Chinese-first messages, kept out of reach of other unions and auditors, and audit-trailed', async () => {
    const gzAdmin = await subAdmin(srv, 'org-gz');
    const bad = await gzAdmin('PUT', '/api/v1/admin/merchants/m-xlk', {
      name: '小龙坎老火锅',
      openingHours: { from: '25:00', to: '02:00' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('时间应为 24 小时制 HH:MM');
    const low = await gzAdmin('PUT', '/api/v1/admin/merchants/m-xlk', { name: '小龙坎老火锅', maxSaleFen: 50 });
    expect(low.status).toBe(400);
    expect(low.body.error.message).toContain('单笔上限至少 ¥1.00');
    const kd = await subAdmin(srv, 'org-kd');
    expect((await kd('PUT', '/api/v1/admin/merchants/m-xlk', { name: 'x', maxSaleFen: 100 })).status).toBe(404);
    const auditor = await login(srv.url, 'gz-auditor');
    expect((await auditor('PUT', '/api/v1/admin/merchants/m-xlk', { name: 'x', maxSaleFen: 100 })).status).toBe(403);
    expect(await srv.ctx.store.merchant('m-xlk')).toMatchObject({ name: '小龙坎老火锅', openingHours: { from: '11:00', to: '02:00' } });
    expect((await srv.ctx.store.merchant('m-xlk'))?.maxSaleFen).toBeUndefined();

    const ok = await gzAdmin('PUT', '/api/v1/admin/merchants/m-xlk', {
      name: '小龙坎老火锅',
      nameEn: 'Xiaolongkan Hotpot',
      openingHours: { from: '10:00', to: '12:10' },
      maxSaleFen: 800_000,
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ openingHours: { from: '10:00', to: '12:10' }, maxSaleFen: 800_000, orgId: 'org-gz' });
    const trail = await gzAdmin('GET', '/api/v1/admin/audit-trail?entity=merchant&id=m-xlk');
    expect(trail.body.items[0]).toMatchObject({
      action: 'merchant.update',
      before: { openingHours: { from: '11:00', to: '02:00' } },
      after: { openingHours: { from: '10:00', to: '12:10' }, maxSaleFen: 800_000 },
    });
    // Names only: hours and maximum are kept.
    expect(
      (await gzAdmin('PUT', '/api/v1/admin/merchants/m-xlk', { name: '小龙坎老火锅', nameEn: 'Xiaolongkan Hotpot' })).body,
    ).toMatchObject({
      maxSaleFen: 800_000,
      openingHours: { from: '10:00', to: '12:10' },
    });
  });

  it("reach the till's snapshot and the odd-hours check", async () => {
    const snap = await till('GET', '/api/v1/terminal/snapshot');
    expect(snap.status).toBe(200);
    expect(JSON.parse(snap.body.payload).maxSaleFen).toBe(800_000);
    // 12:00 was inside 11:00–02:00 and is inside 10:00–12:10; 12:20 is now outside.
    const gz = await login(srv.url, 'gz-auditor');
    const odd = (await gz('GET', '/api/v1/audit/anomalies?from=2026-11-25&to=2026-11-25')).body.flags.filter(
      (f: any) => f.kind === 'odd_hours',
    );
    expect(odd).toHaveLength(1);
    expect(odd[0].explanationZh).toContain('该商户营业时间 10:00–12:10');
    expect(odd[0].at).toContain('T12:20');
    // Clearing the maximum: the snapshot no longer carries one (the till falls back to its own setting).
    const gzAdmin = await subAdmin(srv, 'org-gz');
    expect(
      (await gzAdmin('PUT', '/api/v1/admin/merchants/m-xlk', { name: '小龙坎老火锅', maxSaleFen: null })).body.maxSaleFen,
    ).toBeUndefined();
    expect(JSON.parse((await till('GET', '/api/v1/terminal/snapshot')).body.payload).maxSaleFen).toBeUndefined();
  });
});

describe('admin member and merchant lists as CSV', () => {
  it('for people: bilingual headers, Chinese statuses, local time, yuan with two decimals; scoped', async () => {
    const gzAdmin = await subAdmin(srv, 'org-gz');
    await gzAdmin('PUT', '/api/v1/admin/merchants/m-xlk', { name: '小龙坎老火锅', maxSaleFen: 1_234_550 });
    const m = await gzAdmin('GET', '/api/v1/admin/merchants.csv');
    expect(m.headers.get('content-disposition')).toContain('merchants.csv');
    const [mh, ...mrows] = rowsOf(m.text);
    expect(mh![0]!.replace(/^\ufeff"?/, '')).toBe('商户 merchant');
    expect(mh).toContain('单笔上限 sale maximum (CNY)');
    const xlk = mrows.find((r) => r.at(-1) === 'm-xlk')!;
    expect(xlk[0]).toBe('小龙坎老火锅');
    expect(xlk[mh!.indexOf('单笔上限 sale maximum (CNY)')]).toBe('12345.50');
    expect(xlk[mh!.indexOf('营业时间 opening hours (local)')]).toBe('10:00–12:10');

    const kd = await subAdmin(srv, 'org-kd');
    const mem = await kd('GET', '/api/v1/admin/members.csv');
    const [h, ...rows] = rowsOf(mem.text);
    expect(h!.slice(1, 4)).toEqual(['姓名 name', '所属工会 union', '状态 status']);
    expect(h).toContain('卡状态更新 card updated (Asia/Shanghai)');
    const zhang = rows.find((r) => r[0] === '5133000017')!;
    expect(zhang.slice(1, 5)).toEqual(['张伟', '康定市总工会', '正常 active', '****0015 已激活 activated']);
    expect(zhang[5]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/); // local wall clock, no offset
    expect(mem.text).not.toContain('5133000025'); // org-ld: outside org-kd
    expect((await kd('GET', '/api/v1/admin/merchants.csv')).text).not.toContain('m-xlk');
    expect((await kd('GET', '/api/v1/admin/merchants.csv?format=raw')).text).not.toContain('m-xlk');
  });

  it('with ?format=raw: ids, codes and fen, for machines', async () => {
    const gzAdmin = await subAdmin(srv, 'org-gz');
    const [h, ...rows] = rowsOf((await gzAdmin('GET', '/api/v1/admin/merchants.csv?format=raw')).text);
    expect(h!.slice(-3)).toEqual(['opens', 'closes', 'max_sale_fen']);
    expect(rows.find((r) => r[0] === 'm-xlk')!.slice(-3)).toEqual(['10:00', '12:10', '1234550']);
    const [mh, ...mrows] = rowsOf((await gzAdmin('GET', '/api/v1/admin/members.csv?format=raw&orgId=org-kd')).text);
    expect(mh).toEqual(['member_no', 'name', 'union_id', 'union_name', 'status', 'cards']);
    expect(mrows.find((r) => r[0] === '5133000017')).toEqual([
      '5133000017',
      '张伟',
      'org-kd',
      '康定市总工会',
      'active',
      '****0015 activated',
    ]);
  });
});

describe('after a restart', () => {
  it('keeps the union’s thresholds and the merchant’s settings', async () => {
    await srv.stop();
    srv = await demoServer({ dataDir: dir });
    const gz = await login(srv.url, 'gz-auditor');
    expect((await gz('GET', '/api/v1/audit/anomaly-settings')).body).toMatchObject({
      thresholds: { burstCount: 2, burstMinutes: 30, volumeFactor: 4, volumeMin: 10 },
      updatedBy: 'gz-auditor',
    });
    expect(await srv.ctx.store.merchant('m-xlk')).toMatchObject({ openingHours: { from: '10:00', to: '12:10' }, maxSaleFen: 1_234_550 });
  });
});
