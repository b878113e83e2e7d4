/**
 * Issue 12 in the browser: anomaly thresholds saved by one auditor are what a second browser of the union
 * sees and flags by, cards cite receipt numbers the log finds, and a merchant's opening hours and sale
 * maximum edited on the admin merchants page show there and reach the till's snapshot and the odd-hours check.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subAdmin } from '../helpers/admin.ts';
import { launchBrowser, newPage, screenshot, signIn } from '../helpers/browser.ts';
import { demoServer, enroll, login, redeem, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let browser: Browser;
let till: Awaited<ReturnType<typeof enroll>>;
beforeAll(async () => {
  [srv, browser] = await Promise.all([demoServer(), launchBrowser()]);
  till = await enroll(srv.url, 't-xlk-1');
  for (const m of [0, 20]) {
    srv.clock.set(`2026-11-25T12:${String(m).padStart(2, '0')}:00+08:00`);
    await redeem(till, 10_000);
  }
  await subAdmin(srv, 'org-gz', 'union_auditor'); // a second auditor of the same union
});
afterAll(async () => {
  await browser?.close();
  await srv?.stop();
});

describe('union settings and merchant settings, in the browser', () => {
  it('keeps the thresholds one auditor saves for the whole union, and cites receipt numbers the log finds', async () => {
    const a = await newPage(browser);
    await signIn(a, srv.url, 'gz-auditor', '/union');
    await a.locator('[data-panel=anomaly-settings] summary').click();
    await expect.poll(() => a.locator('[data-testid=thresholds-source]').innerText()).toContain('使用默认值');
    await a.fill('input[name=to]', '2026-11-25');
    await a.fill('input[name=burstCount]', '2');
    await a.fill('input[name=burstMinutes]', '45');
    await a.click('button[data-action=save-thresholds]');
    await expect.poll(() => a.locator('[data-testid=thresholds-source]').innerText()).toContain('gz-auditor 于');
    await a.locator('[data-flag=member_burst]').first().waitFor();
    await screenshot(a, 'union-thresholds-saved');

    // A second browser, another auditor of the union: the saved numbers, and flags judged by them.
    const b = await newPage(browser);
    await signIn(b, srv.url, 'union_auditor-org-gz', '/union');
    await b.locator('[data-panel=anomaly-settings] summary').click();
    await expect.poll(() => b.locator('input[name=burstCount]').inputValue()).toBe('2');
    expect(await b.locator('input[name=burstMinutes]').inputValue()).toBe('45');
    expect(await b.locator('[data-testid=thresholds-source]').innerText()).toContain('本工会的设置，gz-auditor 于');
    await b.fill('input[name=to]', '2026-11-25');
    await b.click('button[data-action=run-checks]');
    const card = b.locator('[data-flag=member_burst]').first();
    await card.waitFor();
    const cited = (await card.locator('[data-receipts]').innerText()).split(', ');
    expect(cited).toHaveLength(2);
    for (const n of cited) expect(n).toMatch(/^\d{8}$/);
    // The log's search finds the number the card cites.
    await b.fill('input[name=receiptNo]', cited[1]!);
    await b.press('input[name=receiptNo]', 'Enter');
    await expect.poll(() => b.locator('[data-panel=detail] [data-receipt-no]').first().innerText()).toBe(cited[1]);
    await screenshot(b, 'union-thresholds-second-browser');

    // A union below sees its own (default) thresholds, not org-gz's.
    const kd = await newPage(browser);
    await signIn(kd, srv.url, 'kd-auditor', '/union');
    await kd.locator('[data-panel=anomaly-settings] summary').click();
    await expect.poll(() => kd.locator('input[name=burstCount]').inputValue()).toBe('3');
    expect(a.errors.concat(b.errors, kd.errors)).toEqual([]);
  });

  it("edits a merchant's opening hours and sale maximum on the admin page; the till and the odd-hours check get them", async () => {
    const page = await newPage(browser);
    await signIn(page, srv.url, 'admin', '/admin');
    await page.click('nav.tabs a[data-tab=merchants]');
    await page.locator('[data-testid=merchants] button', { hasText: '小龙坎老火锅' }).click();
    const form = page.locator('[data-testid=merchant-edit]');
    await expect.poll(() => form.locator('input[name=opens]').inputValue()).toBe('11:00');
    await form.locator('input[name=maxSale]').fill('12.345');
    await form.locator('[data-testid=merchant-save]').click();
    await expect.poll(() => form.innerText()).toContain('单笔上限应为金额');
    await form.locator('input[name=opens]').fill('10:00');
    await form.locator('input[name=closes]').fill('12:10');
    await form.locator('input[name=maxSale]').fill('8000');
    await form.locator('[data-testid=merchant-save]').click();
    await expect.poll(() => page.locator('[data-hours=m-xlk]').innerText()).toBe('10:00–12:10');
    expect(await page.locator('[data-max=m-xlk]').innerText()).toBe('¥8,000.00');
    await screenshot(page, 'admin-merchant-hours');
    expect(page.errors).toEqual([]);

    // The till's next snapshot carries the maximum its confirm step uses.
    expect(JSON.parse((await till('GET', '/api/v1/terminal/snapshot')).body.payload).maxSaleFen).toBe(800_000);
    // 12:20 is now after closing: odd hours, against the merchant's new hours.
    const gz = await login(srv.url, 'gz-auditor');
    const flags = (await gz('GET', '/api/v1/audit/anomalies?from=2026-11-25&to=2026-11-25')).body.flags;
    const odd = flags.filter((f: { kind: string }) => f.kind === 'odd_hours');
    expect(odd.map((f: { at: string }) => f.at.slice(11, 16))).toEqual(['12:20']);
    expect(odd[0].explanationZh).toContain('10:00–12:10');
  });
});
