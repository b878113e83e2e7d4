/** CSV for people (local time, yuan, names, bilingual headers) and ?format=raw for machines (fen, ISO instants, ids). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoServer, enroll, login, redeem, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let saleId: string;
beforeAll(async () => {
  srv = await demoServer();
  const t = await enroll(srv.url, 't-minmao-1');
  srv.clock.set('2026-11-24T23:40:00+08:00'); // 15:40 UTC: the hour shows which clock the file uses
  saleId = (await redeem(t, 35_000)).id;
  const voided = await redeem(t, 12_345);
  expect((await t('POST', `/api/v1/redemptions/${voided.id}/void`, { reason: '顾客退货' })).status).toBe(200);
});
afterAll(async () => {
  await srv?.stop();
});

const rowsOf = (text: string) =>
  text
    .trim()
    .split('\r\n')
    .map((l) => l.slice(1, -1).split('","'));

describe('GET /api/v1/redemptions.csv', () => {
  it("for people: bilingual headers, the union's local time, yuan with two decimals, names, Chinese status", async () => {
    const gz = await login(srv.url, 'gz-auditor');
    const res = await gz('GET', '/api/v1/redemptions.csv');
    expect(res.status).toBe(200);
    const [header, ...rows] = rowsOf(res.text);
    expect(header!.slice(0, 4)).toEqual(['编号 receipt no.', '时间 time (Asia/Shanghai)', '状态 status', '商户 merchant']);
    const sale = rows.find((r) => r.at(-1) === saleId)!;
    const col = (name: string) => sale[header!.findIndex((h) => h.startsWith(name))];
    expect(col('编号')).toMatch(/^\d{8}$/);
    expect(col('时间')).toBe('2026-11-24 23:40:00');
    expect(col('商户')).toBe('民贸公司');
    expect(col('消费')).toBe('350.00');
    expect(col('优惠 discount')).toBe('217.50'); // 9.5折 17.50 + 满300减200
    expect(col('工会补贴')).toBe('200.00');
    expect(col('实付')).toBe('132.50');
    expect(col('状态')).toBe('已核销 redeemed');
    const voided = rows.find((r) => r.includes('顾客退货'))!;
    expect(voided).toContain('已撤销 voided');
    expect(voided).toContain('123.45');
  });

  it('with ?format=raw: machine fields, integer fen and ISO instants with offset, as before', async () => {
    const admin = await login(srv.url, 'minmao-admin');
    const res = await admin('GET', '/api/v1/redemptions.csv?format=raw');
    const [header, ...rows] = rowsOf(res.text);
    expect(header!.slice(0, 4)).toEqual(['id', 'seq', 'createdAt', 'status']);
    const sale = rows.find((r) => r[0] === saleId)!;
    const col = (name: string) => sale[header!.indexOf(name)];
    expect(col('amountFen')).toBe('35000');
    expect(col('unionFen')).toBe('20000');
    expect(col('merchantId')).toBe('m-minmao');
    expect(Date.parse(col('createdAt')!)).toBe(Date.parse('2026-11-24T23:40:00+08:00'));
  });
});
