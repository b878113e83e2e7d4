/**
 * The settlement page in headless Chromium (issue 8, item 7): the drafter cannot approve or pay, a second
 * person does, and a void after payment shows as a deduction waiting for, then carried by, the next statement.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot, signIn, type PageErrors } from '../helpers/browser.ts';
import { demoServer, enroll, login, redeem, type Api, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let browser: Browser;
let gz: Page & PageErrors;
let admin: Page & PageErrors;
let minmao: Api;
let voidMe: { id: string };

beforeAll(async () => {
  srv = await demoServer();
  minmao = await enroll(srv.url, 't-minmao-1');
  srv.clock.set('2026-11-20T12:00:00+08:00');
  voidMe = await redeem(minmao, 35000); // 满300减200: the union owes ¥200
  srv.clock.set('2026-11-24T12:00:00+08:00');
  await redeem(minmao, 42000);
  srv.clock.set('2026-11-25T12:00:00+08:00');
  browser = await launchBrowser();
  [gz, admin] = await Promise.all([newPage(browser), newPage(browser)]);
  for (const p of [gz, admin]) p.setDefaultTimeout(8000); // a missing element fails with its selector, inside the test's time
  await signIn(gz, srv.url, 'gz-auditor', '/union');
  await signIn(admin, srv.url, 'admin', '/admin');
  await admin.goto(`${srv.url}/union`);
});
afterAll(async () => {
  await browser?.close();
  await srv?.stop();
});

const statement = (p: Page, status: string) => p.locator(`table[data-table=statements] tbody tr[data-status=${status}]`).first();
async function settlementTab(p: Page) {
  await p.click('button[data-tab=stats]');
  await p.click('button[data-tab=settlement]');
  await p.locator('table[data-table=settlement] tfoot').waitFor();
}

describe('settlement page', () => {
  it('lets a second person approve and pay, then carries a later void to the next statement', async () => {
    await settlementTab(gz);
    await gz.click('button[data-action=draft]');
    const draft = statement(gz, 'draft');
    await draft.waitFor();
    expect(await draft.innerText()).toContain('¥400.00');
    // The drafter sees who must act, not the buttons.
    expect(await draft.locator('[data-note=four-eyes]').innerText()).toContain('待他人审批');
    expect(await draft.locator('button[data-action=approve]').count()).toBe(0);

    await settlementTab(admin);
    await statement(admin, 'draft').locator('button[data-action=approve]').click();
    await statement(admin, 'approved').locator('button[data-action=pay]').click();
    const paid = statement(admin, 'paid');
    await paid.waitFor();
    expect(await paid.innerText()).toMatch(/制单 gz-auditor[\s\S]*审批 admin[\s\S]*支付 admin/);

    // A void after payment: the paid statement keeps its ¥400, the page says ¥200 will be deducted next time.
    srv.clock.set('2026-11-25T13:00:00+08:00'); // within the sessions' lifetime
    expect((await minmao('POST', `/api/v1/redemptions/${voidMe.id}/void`, { reason: '退货 returned' })).status).toBe(200);
    await settlementTab(gz);
    const notice = gz.locator('[data-notice=pending-adjustments]');
    await notice.waitFor();
    expect(await notice.innerText()).toContain('待扣回 1 笔 · ¥200.00');
    expect(await notice.innerText()).toContain(voidMe.id);
    expect(await statement(gz, 'paid').innerText()).toContain('¥400.00');
    await screenshot(gz, 'union-settlement-pending-adjustment');

    // The next statement (26–30 November) carries it: nothing new, ¥200 deducted, −¥200 net.
    await gz.fill('input[name=from]', '2026-11-26');
    await gz.fill('input[name=to]', '2026-11-30');
    await gz.click('button[data-action=draft]');
    const next = statement(gz, 'draft');
    await next.locator('[data-adjustments="1"]').waitFor();
    expect(await next.locator('[data-adjustments="1"]').innerText()).toMatch(/调整 Adjustments −¥200\.00[\s\S]*应付 Net -¥200\.00/);
    await expect.poll(() => gz.locator('[data-notice=pending-adjustments]').count()).toBe(0);
    await screenshot(gz, 'union-settlement-adjustment');

    // The printed statement lists the deduction and the net owed.
    const print = await newPage(browser);
    await print.addInitScript((t) => localStorage.setItem('huika.portal.token', t), (await login(srv.url, 'gz-auditor')).token);
    await print.goto(`${srv.url}/union/statement?id=${await next.getAttribute('data-id')}`);
    const adj = print.locator('table[data-table=adjustments]');
    await adj.waitFor();
    expect(await adj.innerText()).toContain(voidMe.id);
    expect(await adj.locator('tfoot').innerText()).toContain('-¥200.00');
    await screenshot(print, 'union-statement-print-adjustment');
    await print.context().close();
  });
});
