/** Portal rough edges (issue 12): who lands where, an auditor with nothing signed, import problem counts. */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot, signIn } from '../helpers/browser.ts';
import { demoServer, enroll, redeem, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let browser: Browser;
beforeAll(async () => {
  [srv, browser] = await Promise.all([demoServer(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await srv?.stop();
});

describe('portals, everyday use', () => {
  it('sends admin from /portal to administration, and a merchant admin to the merchant page', async () => {
    const page = await newPage(browser);
    await signIn(page, srv.url, 'admin', '/admin');
    await page.waitForSelector('nav.tabs');
    const m = await newPage(browser);
    await signIn(m, srv.url, 'minmao-admin', '/merchant');
    expect(page.errors.concat(m.errors)).toEqual([]);
  });

  it('tells an auditor whose union signed nothing why the page is empty and what it would show', async () => {
    const page = await newPage(browser);
    await signIn(page, srv.url, 'kd-auditor', '/union');
    const why = page.locator('[data-testid=nothing-signed]');
    await why.waitFor();
    expect(await why.innerText()).toContain('康定市总工会及下级工会尚未签署任何商户协议或工会活动');
    expect(await why.innerText()).toContain('have signed no merchant agreement');
    await screenshot(page, 'union-nothing-signed');
    // A union that signed something does not get the sentence.
    const gz = await newPage(browser);
    await signIn(gz, srv.url, 'gz-auditor', '/union');
    await gz.locator('table[data-table=redemptions]').waitFor();
    expect(await gz.locator('[data-testid=nothing-signed]').count()).toBe(0);
    expect(page.errors.concat(gz.errors)).toEqual([]);
  });

  it('counts one import problem as "1 problem" and lists every problem of a row and the repeats within the file', async () => {
    const page = await newPage(browser);
    page.on('dialog', (d) => void d.accept());
    await signIn(page, srv.url, 'admin', '/admin');
    await page.waitForSelector('[data-testid=import-file]');
    const upload = async (name: string, lines: string[]) => {
      await page.setInputFiles('[data-testid=import-file]', { name, mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) });
      await page.click('[data-testid=start-import]');
      await page.waitForSelector('[data-testid=import-job][data-state=done]');
    };
    const header = 'member_no,name,union_id,status,card_pan,card_status';
    await upload('one.csv', [header, '5133000058,赵敏,org-ld,active,,', '5133000066,,org-ld,active,,']);
    expect(await page.locator('[data-testid=import-refused]').textContent()).toContain('1 problem found');
    await upload('many.csv', [
      header,
      '5133000058,赵敏,org-ld,active,6217996600000000049,',
      '5133000058,,org-sczz,gone,6217996600000000049,lost',
    ]);
    const cells = await page.locator('[data-testid=import-errors] tbody tr').allInnerTexts();
    const line3 = cells.filter((c) => c.startsWith('3'));
    expect(line3.join('\n')).toContain('与第2行会员号重复');
    expect(line3.join('\n')).toContain('与第2行卡号重复');
    expect(line3.join('\n')).toContain('姓名为空');
    expect(line3.join('\n')).toContain('状态应为');
    expect(await page.locator('[data-testid=import-refused]').textContent()).toMatch(/\d+ problems found/);
    await screenshot(page, 'admin-import-every-problem');
    expect(page.errors).toEqual([]);
  });

  it('offers a lost card replacement first, and reactivates it only with a reason', async () => {
    const page = await newPage(browser);
    const asked: string[] = [];
    page.on('dialog', (d) => (asked.push(d.message()), void d.accept('会员找回原卡')));
    await signIn(page, srv.url, 'admin', '/admin');
    await page.click('nav.tabs a[data-tab=cards]');
    const row = page.locator('[data-testid=cards] tr', { hasText: '0031' });
    await row.waitFor();
    expect(await row.locator('button', { hasText: /^激活 Activate$/ }).count()).toBe(0);
    expect(await row.locator('button.primary', { hasText: '补换 Replace' }).count()).toBe(1);
    await screenshot(page, 'admin-lost-card');
    await row.locator('[data-testid=reactivate-lost]').click();
    await expect.poll(() => row.innerText()).not.toContain('找回后重新激活');
    expect(asked[0]).toContain('重新激活的原因');
    expect(page.errors).toEqual([]);
  });

  it('groups anomaly flags by kind, heaviest first, with the thresholds as settings on the union page', async () => {
    const t = await enroll(srv.url, 't-xlk-1');
    for (const m of [0, 20]) {
      srv.clock.set(`2026-11-25T12:${String(m).padStart(2, '0')}:00+08:00`);
      await redeem(t, 10_000);
    }
    srv.clock.set('2026-11-26T03:10:00+08:00'); // the hotpot is open to 02:00: this one is at an odd hour
    await redeem(t, 8_000, { type: 'member_no', data: '5101000064' }).catch(() => redeem(t, 8_000));
    const page = await newPage(browser);
    await signIn(page, srv.url, 'gz-auditor', '/union');
    await page.locator('[data-panel=anomaly-settings] summary').click();
    await page.fill('input[name=to]', '2026-11-26');
    await page.fill('input[name=burstCount]', '2');
    await page.click('button[data-action=save-thresholds]'); // the union's setting, saved on the server; saving re-runs the checks
    const groups = page.locator('[data-group]');
    await expect.poll(() => groups.evaluateAll((gs) => gs.map((g) => g.getAttribute('data-group')))).toEqual(['member_burst', 'odd_hours']);
    expect(await page.locator('[data-flag=odd_hours]').first().innerText()).toContain('该商户营业时间 11:00–02:00');
    await screenshot(page, 'union-anomalies-grouped');
    expect(page.errors).toEqual([]);
  });

  it('shows the receipt number in the log and finds a redemption by it', async () => {
    const t = await enroll(srv.url, 't-minmao-1');
    const sale = await redeem(t, 12_300);
    const page = await newPage(browser);
    await signIn(page, srv.url, 'minmao-admin', '/merchant');
    await page.locator('table[data-table=redemptions] tbody tr[data-id]').first().waitFor({ timeout: 10_000 });
    expect(await page.locator('table[data-table=redemptions] tbody tr[data-id] td').first().innerText()).toMatch(/^\d{8}\s+rd-\d{10}$/);
    // A record id as anomaly cards cite it finds the redemption too (receipt numbers: tests/browser/receipt-numbers.test.ts).
    await page.fill('input[name=receiptNo]', sale.id);
    await page.press('input[name=receiptNo]', 'Enter');
    await page.locator(`[data-panel=detail][data-id="${sale.id}"]`).waitFor({ timeout: 10_000 });
    await page.fill('input[name=receiptNo]', 'rd-9999999999');
    await page.press('input[name=receiptNo]', 'Enter');
    await expect.poll(() => page.locator('p.error').innerText()).toContain('没有编号为 rd-9999999999 的核销记录');
    await screenshot(page, 'merchant-find-receipt');
  });
});
