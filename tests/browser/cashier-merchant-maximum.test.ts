/**
 * The sale maximum an admin sets for a merchant reaches its tills: the next snapshot carries it, and the cashier
 * page asks for a second Start above it, whatever the terminal's own setting (issue 12).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot } from '../helpers/browser.ts';
import { demoServer, login, type TestServer } from '../helpers/server.ts';
import { simTerminal } from '../helpers/terminal.ts';

let srv: TestServer;
let term: Awaited<ReturnType<typeof simTerminal>>;
let browser: Browser;

beforeAll(async () => {
  srv = await demoServer({ now: () => new Date() });
  // The terminal's own setting is ¥10,000; the merchant's, once set, must win.
  [term, browser] = await Promise.all([simTerminal(srv.url, 't-xlk-1', { maxSaleFen: 1_000_000 }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await term?.close();
  await srv?.stop();
});

describe('the merchant sale maximum at the till', () => {
  it('asks to confirm a sale above the maximum the admin set, after the next snapshot', async () => {
    const page = await newPage(browser);
    await page.goto(`${term.url}/`);
    // Before: ¥600 is under the terminal's ¥10,000, so Start starts.
    await page.fill('[data-testid=amount]', '600.00');
    await page.click('[data-testid=start]');
    await page.waitForSelector('[data-testid=waiting]');
    await page.keyboard.press('Escape');

    const gz = await login(srv.url, 'admin');
    const put = await gz('PUT', '/api/v1/admin/merchants/m-xlk', { name: '小龙坎老火锅', maxSaleFen: 50_000 });
    expect(put.status).toBe(200);
    await term.sync();
    await expect.poll(async () => (await (await fetch(`${term.url}/api/v1/status`)).json()).maxSaleFen).toBe(50_000);

    await page.reload();
    await page.fill('[data-testid=amount]', '600.00');
    await page.click('[data-testid=start]');
    await expect.poll(() => page.locator('[data-testid=notice] b').textContent()).toContain('超过本店单笔上限 ¥500.00');
    expect(await page.locator('[data-testid=waiting]').count()).toBe(0);
    await screenshot(page, 'cashier-merchant-maximum');
    await page.click('[data-testid=start]'); // the cashier confirms the large sale
    await page.waitForSelector('[data-testid=waiting]');
    await page.keyboard.press('Escape');
    // Under the maximum no second Start is needed.
    await page.fill('[data-testid=amount]', '400.00');
    await page.click('[data-testid=start]');
    await page.waitForSelector('[data-testid=waiting]');
    expect(page.errors).toEqual([]);
  });
});
