/** The merchant portal in headless Chromium against a real demo server: sign in, filter, live rows, detail, void, export, totals. */
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot, signIn } from '../helpers/browser.ts';
import { card, demoServer, enroll, login, memberNo, type Api, type TestServer, redeem } from '../helpers/server.ts';

let srv: TestServer;
let browser: Browser;
let minmao1: Api;
let minmao2: Api;
let xlk: Api;

beforeAll(async () => {
  srv = await demoServer();
  [minmao1, minmao2, xlk] = await Promise.all([enroll(srv.url, 't-minmao-1'), enroll(srv.url, 't-minmao-2'), enroll(srv.url, 't-xlk-1')]);
  // Four days of trade at two stores, one sale with the union's 满300减200, and one at the hotpot next door.
  const sales: [string, Api, number][] = [
    ['2026-11-21T10:15:00+08:00', minmao1, 12800],
    ['2026-11-21T15:40:00+08:00', minmao2, 5600],
    ['2026-11-22T11:05:00+08:00', minmao1, 35000],
    ['2026-11-23T19:30:00+08:00', minmao2, 8900],
    ['2026-11-24T09:45:00+08:00', minmao1, 23000],
    ['2026-11-25T10:20:00+08:00', minmao2, 4200],
  ];
  for (const [at, api, amount] of sales) {
    srv.clock.set(at);
    await redeem(api, amount, at.endsWith('10:20:00+08:00') ? memberNo() : card());
  }
  await redeem(xlk, 9900);
  srv.clock.set('2026-11-25T12:00:00+08:00');
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await srv?.stop();
});

describe('merchant portal', () => {
  it('signs in, filters the log, shows a live row, its detail and a void, and exports the same rows', async () => {
    const page = await newPage(browser);
    await signIn(page, srv.url, 'minmao-admin', '/merchant');
    const rows = page.locator('table[data-table=redemptions] tbody tr[data-id]');
    await expect.poll(() => rows.count()).toBe(6);
    expect(await page.locator('header.bar').innerText()).toContain('民贸公司');
    // Another merchant's sale never appears.
    expect(await page.locator('table[data-table=redemptions]').innerText()).not.toContain('小龙坎');

    await page.selectOption('select[name=storeId]', 's-minmao-2');
    await expect.poll(() => rows.count()).toBe(3);
    expect(await page.locator('table[data-table=redemptions] tbody').innerText()).not.toContain('康定店');
    await page.selectOption('select[name=funding]', 'union');
    await expect.poll(() => rows.count()).toBe(0);
    await page.selectOption('select[name=storeId]', '');
    await expect.poll(() => rows.count()).toBe(1);
    await page.selectOption('select[name=funding]', '');
    await page.fill('input[name=from]', '2026-11-23');
    await expect.poll(() => rows.count()).toBe(3);
    await page.fill('input[name=from]', '');
    await expect.poll(() => rows.count()).toBe(6);

    // A sale at the till arrives without a reload.
    await page.locator('[data-live=on]').waitFor();
    const live = await redeem(minmao1, 18800);
    const liveRow = page.locator(`tr[data-id="${live.id}"]`);
    await liveRow.waitFor();
    expect(await liveRow.getAttribute('class')).toContain('fresh');
    expect(await liveRow.innerText()).toContain('¥188.00');
    expect(await liveRow.innerText()).toContain('2026-11-25\n12:00:00 +08:00');
    await screenshot(page, 'merchant-log');

    // Detail: lines with the agreement version and its rule; then a void with a reason.
    await page.click(`tr[data-id="${live.id}"]`);
    const detail = page.locator(`[data-panel=detail][data-id="${live.id}"]`);
    await detail.waitFor();
    await expect.poll(() => detail.innerText()).toContain('9.5折');
    expect(await detail.innerText()).toContain('a-minmao v1');
    expect(await detail.innerText()).toContain('¥9.40');
    await screenshot(page, 'merchant-detail');
    await page.fill('input[name=reason]', '顾客退货 returned');
    await page.click('button[data-action=void]');
    await expect.poll(() => detail.innerText()).toContain('已撤销');
    expect(await liveRow.innerText()).toContain('已撤销');
    const minmaoApi = await login(srv.url, 'minmao-admin');
    expect((await minmaoApi('GET', `/api/v1/redemptions/${live.id}`)).body).toMatchObject({
      status: 'voided',
      voidReason: '顾客退货 returned',
    });

    // The export is exactly the filtered rows, as a spreadsheet reads them.
    await page.selectOption('select[name=storeId]', 's-minmao-1');
    await expect.poll(() => rows.count()).toBe(4);
    const shown = await rows.evaluateAll((trs) => trs.map((t) => t.getAttribute('data-id')));
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('button[data-action=export-log]')]);
    const bytes = readFileSync((await dl.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const ids = bytes
      .toString('utf8')
      .trim()
      .split('\r\n')
      .slice(1)
      .map((l) => JSON.parse(l.split(',').at(-1)!)); // the record id, last; receipt numbers come first
    expect(ids).toEqual(shown);
    expect(page.errors).toEqual([]);
    await page.context().close();
  });

  it('shows daily and monthly totals per store as a chart and table, exports what is shown, and lists agreements and terminals', async () => {
    const page = await newPage(browser);
    await signIn(page, srv.url, 'minmao-admin', '/merchant');
    await page.click('button[data-tab=totals]');
    const rows = page.locator('table[data-table=totals] tbody tr');
    // Six committed sales on six store-days (the voided one is not owed or counted).
    await expect.poll(() => rows.count()).toBe(6);
    expect(await page.locator('table[data-table=totals] tfoot').innerText()).toMatch(/6\s+¥895.00/);
    // 满300减200 on 22 Nov: the union owes ¥200.00.
    expect(await page.locator('table[data-table=totals] tfoot').innerText()).toContain('¥200.00');
    await page.locator('canvas[aria-label="sales chart"]').waitFor();
    await screenshot(page, 'merchant-totals');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('button[data-action=export-totals]')]);
    const csv = readFileSync((await dl.path())!, 'utf8')
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(csv).toHaveLength(1 + 6 + 1);
    expect(csv[3]).toBe('"2026-11-22","民贸公司 康定店","s-minmao-1","1","350.00","217.50","17.50","200.00"');

    await page.selectOption('select[name=granularity]', 'month');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.first().innerText()).toContain('2026-11');

    await page.click('button[data-tab=offers]');
    await page.locator('[data-offer=c-wuyi]').waitFor();
    expect(await page.locator('[data-offer=a-minmao]').innerText()).toContain('9.5折');
    expect(await page.locator('[data-offer=c-wuyi]').innerText()).toContain('满300减200');
    expect(await page.locator('.offers').innerText()).not.toContain('小龙坎');
    await screenshot(page, 'merchant-agreements');

    await page.click('button[data-tab=terminals]');
    await page.locator('table[data-table=terminals] tr[data-id="t-minmao-1"]').waitFor();
    expect(await page.locator('tr[data-id="t-minmao-1"]').innerText()).toContain('在线');
    expect(await page.locator('table[data-table=terminals] tbody tr').count()).toBe(2);
    await page.selectOption('select[name=pairStoreId]', 's-minmao-2');
    await page.click('button[data-action=pair]');
    const code = await page.locator('[data-pairing-code]').innerText();
    expect(code).toMatch(/^PAIR-[A-Z2-9]{8}$/);
    await expect.poll(() => page.locator('table[data-table=terminals] tbody tr').count()).toBe(3);
    expect(await page.locator('tr[data-id="t-minmao-2-2"]').innerText()).toContain('待配对');
    await screenshot(page, 'merchant-terminals');
    const enrolled = await fetch(`${srv.url}/api/v1/terminals/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pairingCode: code }),
    });
    expect(enrolled.status).toBe(201);
    expect(page.errors).toEqual([]);
    await page.context().close();
  });

  it('sends a signed-out visitor to the sign-in page and refuses a wrong password', async () => {
    const page = await newPage(browser);
    await page.goto(`${srv.url}/merchant`);
    await page.waitForURL(`${srv.url}/portal`);
    await page.fill('input[name=username]', 'minmao-admin');
    await page.fill('input[name=password]', 'wrong');
    await page.click('button[type=submit]');
    await expect.poll(() => page.locator('.error').innerText()).toContain('用户名或密码错误');
    await screenshot(page, 'portal-login');
    await page.context().close();
  });
});
