/** The union portal in headless Chromium against a real demo server: audit, checks, settlement, statistics, verification. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot, signIn, type PageErrors } from '../helpers/browser.ts';
import { card, demoServer, enroll, login, memberNo, type Api, type TestServer, redeem } from '../helpers/server.ts';

let srv: TestServer;
let browser: Browser;
let page: Page & PageErrors;
let minmao: Api;
let xlk: Api;
let dicos: Api;

beforeAll(async () => {
  srv = await demoServer();
  [minmao, xlk, dicos] = await Promise.all([enroll(srv.url, 't-minmao-1'), enroll(srv.url, 't-xlk-1'), enroll(srv.url, 't-dicos-1')]);
  const sales: [string, Api, number, unknown?][] = [
    ['2026-11-20T12:10:00+08:00', minmao, 35000], // 满300减200: union owes ¥200
    ['2026-11-21T18:30:00+08:00', dicos, 40000], // 满300减100 after 8折: union owes ¥100
    ['2026-11-22T02:40:00+08:00', xlk, 16800], // a hotpot at 02:40: odd hours
    ['2026-11-23T19:00:00+08:00', xlk, 8800, memberNo()], // three times in under an hour: one member
    ['2026-11-23T19:20:00+08:00', xlk, 6600],
    ['2026-11-23T19:45:00+08:00', xlk, 12000, memberNo()],
    ['2026-11-24T12:30:00+08:00', minmao, 42000], // 满300减200 again
    ['2026-11-25T11:00:00+08:00', dicos, 3800],
  ];
  for (const [at, api, amount, cred] of sales) {
    srv.clock.set(at);
    await redeem(api, amount, cred ?? card());
  }
  srv.clock.set('2026-11-25T12:00:00+08:00');
  browser = await launchBrowser();
  page = await newPage(browser);
  await signIn(page, srv.url, 'gz-auditor', '/union');
});
afterAll(async () => {
  await browser?.close();
  await srv?.stop();
});

const rows = () => page.locator('table[data-table=redemptions] tbody tr[data-id]');

describe('union portal', () => {
  it('audits every redemption at merchants its subtree signed: filters, CSV, live rows, recompute and anomaly flags', async () => {
    await expect.poll(() => rows().count()).toBe(8);
    await page.selectOption('select[name=merchantId]', 'm-xlk');
    await expect.poll(() => rows().count()).toBe(4);
    await page.selectOption('select[name=funding]', 'union');
    await expect.poll(() => rows().count()).toBe(0);
    await page.selectOption('select[name=funding]', '');
    await expect.poll(() => rows().count()).toBe(4);
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('button[data-action=export-log]')]);
    const csv = readFileSync((await dl.path())!);
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.toString('utf8').trim().split('\r\n').slice(1);
    expect(lines).toHaveLength(4);
    for (const l of lines) expect(l).toContain('"小龙坎老火锅"');

    await page.selectOption('select[name=merchantId]', '');
    await expect.poll(() => rows().count()).toBe(8);
    await page.locator('[data-live=on]').waitFor();
    const live = await redeem(minmao, 9900);
    await page.locator(`tr[data-id="${live.id}"]`).waitFor();
    expect(await page.locator(`tr[data-id="${live.id}"]`).innerText()).toContain('民贸公司');

    const checks = page.locator('[data-panel=checks]');
    await checks.locator('[data-result=recompute]').waitFor();
    expect(await checks.locator('[data-result=recompute]').innerText()).toContain('全部相符');
    await expect.poll(() => checks.locator('[data-flag=member_burst]').count()).toBe(1);
    expect(await checks.locator('[data-flag=member_burst]').innerText()).toContain('3 次');
    expect(await checks.locator('[data-flag=odd_hours]').innerText()).toContain('02:40');
    await screenshot(page, 'union-audit');
    await page.locator('[data-panel=checks]').scrollIntoViewIfNeeded();
    await screenshot(page, 'union-audit-checks');
  });

  it('drafts a statement, approves it, prints it and marks it paid, with who and when', async () => {
    await page.click('button[data-tab=settlement]');
    await expect.poll(() => page.locator('table[data-table=settlement] tfoot').innerText()).toContain('¥500.00');
    await page.click('button[data-action=draft]');
    const row = page.locator('table[data-table=statements] tbody tr[data-id]').first();
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('draft');
    expect(await row.innerText()).toContain('¥500.00');
    // Four eyes: the drafter gets no approve button; the province's admin approves (tests/browser/settlement-adjustments.test.ts clicks it).
    expect(await row.locator('[data-note=four-eyes]').innerText()).toContain('待他人审批');
    expect(await row.locator('button[data-action=approve]').count()).toBe(0);
    const admin = await login(srv.url, 'admin');
    expect((await admin('POST', `/api/v1/statements/${await row.getAttribute('data-id')}/approve`)).status).toBe(200);
    await page.click('button[data-tab=stats]');
    await page.click('button[data-tab=settlement]');
    await expect.poll(() => row.getAttribute('data-status')).toBe('approved');
    expect(await row.innerText()).toContain('审批 admin · 2026-11-25 12:00:00 +08:00');
    await screenshot(page, 'union-settlement');

    const id = (await row.getAttribute('data-id'))!;
    const print = await newPage(browser);
    await print.addInitScript((t) => localStorage.setItem('huika.portal.token', t), (await login(srv.url, 'gz-auditor')).token);
    await print.goto(`${srv.url}/union/statement?id=${id}`);
    await print.locator('table[data-table=statement] tfoot').waitFor();
    expect(await print.locator('table[data-table=statement]').innerText()).toContain('工会五一满300减200');
    expect(await print.locator('table[data-table=statement] tfoot').innerText()).toContain('¥500.00');
    await screenshot(print, 'union-statement-print');
    expect(print.errors).toEqual([]);
    await print.context().close();

    expect(await row.locator('button[data-action=pay]').count()).toBe(0);
    expect((await admin('POST', `/api/v1/statements/${id}/pay`)).status).toBe(200);
    const gz = await login(srv.url, 'gz-auditor');
    expect((await gz('GET', `/api/v1/statements/${id}`)).body).toMatchObject({
      status: 'paid',
      createdBy: 'gz-auditor',
      approvedBy: 'admin',
      paidBy: 'admin',
    });
  });

  it('shows statistics in person-times, unique members and budgets as charts', async () => {
    await page.click('button[data-tab=stats]');
    const kpis = page.locator('[data-panel=kpis]');
    await kpis.waitFor();
    // Nine redemptions in November, all by one member of 康定市.
    expect(await kpis.innerText()).toMatch(/服务人次[\s\S]*9/);
    expect(await kpis.innerText()).toMatch(/服务会员数[\s\S]*1/);
    expect(await page.locator('table[data-table=campaigns]').innerText()).toContain('¥400.00');
    expect(await page.locator('table[data-table=byOrg]').innerText()).toContain('康定市总工会');
    await page.locator('canvas[aria-label="by county"]').waitFor();
    await screenshot(page, 'union-stats');
    await page.locator('canvas[aria-label="campaign budgets"]').scrollIntoViewIfNeeded();
    await screenshot(page, 'union-stats-budgets');
  });

  it('verifies the hash chain and shows the first broken link', async () => {
    await page.click('button[data-tab=verify]');
    await page.click('button[data-action=verify]');
    await expect.poll(() => page.locator('[data-result=ok]').innerText()).toContain('已校验 9 条');
    const file = join(srv.dir, 'ledger.jsonl');
    const original = readFileSync(file, 'utf8');
    const lines = original.split('\n');
    const entry = JSON.parse(lines[3]!);
    entry.data.amountFen -= 1000;
    lines[3] = JSON.stringify(entry);
    writeFileSync(file, lines.join('\n'));
    try {
      await page.click('button[data-action=verify]');
      await expect.poll(() => page.locator('[data-result=broken]').innerText()).toContain(entry.data.id);
      expect(await page.locator('[data-result=broken]').innerText()).toContain('前 3 条完好');
      await screenshot(page, 'union-verify-broken');
    } finally {
      writeFileSync(file, original);
    }
    expect(page.errors).toEqual([]);
  });

  it('shows a union only what its subtree signed', async () => {
    const kd = await newPage(browser);
    await signIn(kd, srv.url, 'kd-auditor', '/union');
    await kd.locator('table[data-table=redemptions] tbody tr').first().waitFor();
    expect(await kd.locator('table[data-table=redemptions] tbody tr[data-id]').count()).toBe(0);
    expect(await kd.locator('select[name=merchantId] option').count()).toBe(1);
    await kd.context().close();
  });
});
