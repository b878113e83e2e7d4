/** The till's rough edges (issue 12): notices, the 满减 miss in figures, the sale maximum, the receipt, reprint and void reason. */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayWidth, RECEIPT_WIDTH } from '../../terminal/receipt.ts';
import { launchBrowser, newPage, screenshot } from '../helpers/browser.ts';
import { client, DEMO, demoServer, type TestServer } from '../helpers/server.ts';
import { simTerminal } from '../helpers/terminal.ts';

let srv: TestServer;
let term: Awaited<ReturnType<typeof simTerminal>>;
let browser: Browser;

beforeAll(async () => {
  srv = await demoServer({ now: () => new Date() });
  [term, browser] = await Promise.all([simTerminal(srv.url, 't-minmao-2', { maxSaleFen: 1_000_000 }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await term?.close();
  await srv?.stop();
});

describe('cashier page, everyday use', () => {
  it('shows one notice per kind with the Chinese sentence as its heading, cleared by the next checkout', async () => {
    const page = await newPage(browser);
    await page.goto(`${term.url}/`);
    await expect.poll(() => page.textContent('[data-testid=connectivity]')).toContain('在线');
    for (let i = 0; i < 4; i++) await page.click('[data-testid=start]'); // no amount, four times
    await expect.poll(() => page.locator('[data-testid=notice]').count()).toBe(1);
    expect(await page.locator('[data-testid=notice] b').textContent()).toBe('请输入有效金额，如 350.00');
    expect(await page.locator('[data-testid=notice] .en').textContent()).toBe('Enter an amount such as 350.00.');
    await page.fill('[data-testid=amount]', '88');
    await page.click('[data-testid=start]');
    await page.waitForSelector('[data-testid=waiting]');
    expect(await page.locator('[data-testid=notice]').count()).toBe(0);
    await page.keyboard.press('Escape');
    expect(page.errors).toEqual([]);
  });

  it('explains a missed 满300减200 at ¥300.00 in figures, asks to confirm a sale above the store maximum', async () => {
    const page = await newPage(browser);
    await page.goto(`${term.url}/`);
    await page.fill('[data-testid=amount]', '300.00');
    await page.click('[data-testid=start]');
    await page.waitForSelector('[data-testid=waiting]');
    await client(term.url)('POST', '/api/v1/simulate/scan', { device: 'hid-pos', text: DEMO.activeCard });
    await page.waitForSelector('[data-testid=skipped]');
    expect(await page.textContent('[data-testid=skipped]')).toContain(
      '会员9.5折后 ¥285.00，未满 ¥300.00，再消费 ¥15.78 可享工会五一满300减200',
    );
    await screenshot(page, 'cashier-threshold-missed');
    await page.click('[data-testid=cancel]');

    await page.fill('[data-testid=amount]', '99999999');
    await page.click('[data-testid=start]');
    await expect.poll(() => page.locator('[data-testid=notice] b').textContent()).toContain('超过本店单笔上限 ¥10,000.00');
    expect(await page.locator('[data-testid=waiting]').count()).toBe(0); // not started
    await screenshot(page, 'cashier-over-maximum');
    await page.click('[data-testid=start]'); // the cashier confirms
    await page.waitForSelector('[data-testid=waiting]');
    await page.keyboard.press('Escape');
    expect(page.errors).toEqual([]);
  });

  it("prints an aligned receipt without a zero union line, reprints it from today's list, and lists a void with its reason", async () => {
    const page = await newPage(browser);
    await page.goto(`${term.url}/`);
    for (const amount of ['88.00', '66.00']) {
      await page.fill('[data-testid=amount]', amount);
      await page.click('[data-testid=start]');
      await page.waitForSelector('[data-testid=waiting]');
      await page.fill('[data-testid=member-no]', DEMO.activeMember);
      await page.keyboard.press('Enter');
      await page.waitForSelector('[data-testid=eligibility]');
      await page.click('[data-testid=confirm]');
      await page.waitForSelector('[data-testid=receipt]');
      const text = (
        await page.locator('[data-testid=receipt] [data-line]').evaluateAll((ds) => ds.map((d) => d.getAttribute('data-line')))
      ).join('\n');
      expect(text).not.toContain('工会补贴');
      expect(text).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+08:00/);
      for (const l of text.split('\n').filter((x) => x.includes('¥'))) expect(displayWidth(l), l).toBe(RECEIPT_WIDTH);
      if (amount === '88.00') await screenshot(page, 'cashier-receipt-aligned');
      await page.click('[data-testid=next]');
    }
    const rows = page.locator('[data-testid=today-row]');
    await expect.poll(() => rows.count()).toBe(2);
    // Void the ¥66 sale with a reason; the list says why.
    const sixty = rows.filter({ hasText: '¥66.00' });
    await sixty.locator('button', { hasText: '撤销 Void' }).click();
    await sixty.locator('input').fill('顾客改用现金');
    await sixty.locator('button', { hasText: '确认撤销' }).click();
    await expect.poll(() => sixty.locator('[data-testid=void-reason]').textContent()).toContain('顾客改用现金');
    // Reprint the ¥88 sale.
    await rows.filter({ hasText: '¥88.00' }).locator('[data-testid=reprint]').click();
    const again = (await page.locator('[data-testid=reprint-receipt]').textContent())!;
    expect(again).toContain('¥88.00');
    expect(again).toContain('编号 No.');
    await screenshot(page, 'cashier-today-reprint');
    expect(page.errors).toEqual([]);
  });
});
