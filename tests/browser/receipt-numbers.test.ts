/**
 * Receipt numbers without gaps (issue 12): voids take a ledger entry but no receipt number, so the numbers
 * in the merchant log, the union log, the CSV and on the till's receipt run 1, 2, 3 … with the voided
 * receipts kept in place and marked, where record ids (ledger entries) skip.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot, signIn } from '../helpers/browser.ts';
import { client, DEMO, demoServer, enroll, login, redeem, type TestServer } from '../helpers/server.ts';
import { simTerminal } from '../helpers/terminal.ts';

let srv: TestServer;
let term: Awaited<ReturnType<typeof simTerminal>>;
let browser: Browser;
const sales: Array<{ id: string; seq: number; receiptNo: number }> = [];

beforeAll(async () => {
  srv = await demoServer({ now: () => new Date() });
  [term, browser] = await Promise.all([simTerminal(srv.url, 't-minmao-2'), launchBrowser()]);
  const t = await enroll(srv.url, 't-minmao-1');
  // Sale, sale, void the first, sale, void it, sale: two ledger entries are voids.
  for (const [amount, voidIt] of [
    [10_000, false],
    [12_000, false],
    [0, 0],
    [13_000, true],
    [14_000, false],
  ] as const) {
    if (amount === 0) {
      expect((await t('POST', `/api/v1/redemptions/${sales[0]!.id}/void`, { reason: '顾客退货' })).status).toBe(200);
      continue;
    }
    const r = await redeem(t, amount);
    sales.push(r);
    if (voidIt) expect((await t('POST', `/api/v1/redemptions/${r.id}/void`, { reason: '收银输错' })).status).toBe(200);
  }
});
afterAll(async () => {
  await browser?.close();
  await term?.close();
  await srv?.stop();
});

/** Consecutive when sorted: 1 … n, each once. */
const gapless = (ns: number[]) => [...ns].sort((a, b) => a - b).every((n, i) => n === i + 1);

describe('receipt numbers', () => {
  it('the API answers gapless receipt numbers while the record ids skip the voids', () => {
    expect(sales.map((s) => s.receiptNo)).toEqual([1, 2, 3, 4]);
    const seqs = sales.map((s) => s.seq);
    expect(seqs[2]! - seqs[1]!).toBe(2); // the void of the first took an entry
    expect(seqs[3]! - seqs[2]!).toBe(2);
  });

  it('the merchant log and the union log show them without gaps, voided ones in place', async () => {
    for (const [user, path, name] of [
      ['minmao-admin', '/merchant', 'merchant-receipt-numbers'],
      ['gz-auditor', '/union', 'union-receipt-numbers'],
    ] as const) {
      const page = await newPage(browser);
      await signIn(page, srv.url, user, path);
      const cells = page.locator('table[data-table=redemptions] tbody tr[data-id] td[data-receipt-no]');
      await expect.poll(() => cells.count(), { timeout: 10_000 }).toBe(4);
      const nos = (await cells.evaluateAll((tds) => tds.map((td) => td.getAttribute('data-receipt-no')))).map(Number);
      expect(nos).toEqual([4, 3, 2, 1]);
      expect(gapless(nos)).toBe(true);
      expect(await cells.first().innerText()).toMatch(/^00000004\s+rd-\d{10}$/);
      const voided = page.locator('table[data-table=redemptions] tbody tr', { has: page.locator('td[data-receipt-no="1"]') });
      expect(await voided.innerText()).toContain('已撤销');
      // Found by the number as printed, or by its digits.
      await page.fill('input[name=receiptNo]', '00000002');
      await page.press('input[name=receiptNo]', 'Enter');
      await page.locator(`[data-panel=detail][data-id="${sales[1]!.id}"]`).waitFor({ timeout: 10_000 });
      expect(await page.locator('[data-panel=detail] dd[data-receipt-no]').innerText()).toBe('00000002');
      await page.fill('input[name=receiptNo]', '3');
      await page.press('input[name=receiptNo]', 'Enter');
      await page.locator(`[data-panel=detail][data-id="${sales[2]!.id}"]`).waitFor({ timeout: 10_000 });
      await page.fill('input[name=receiptNo]', '99');
      await page.press('input[name=receiptNo]', 'Enter');
      await expect.poll(() => page.locator('p.error').innerText()).toContain('没有编号为 00000099 的核销记录');
      await screenshot(page, name);
      expect(page.errors).toEqual([]);
    }
  });

  it('the CSV for people lists the receipt numbers without gaps, the raw CSV carries receiptNo', async () => {
    const admin = await login(srv.url, 'minmao-admin');
    const text = (await admin('GET', '/api/v1/redemptions.csv')).text;
    const rows = text
      .trim()
      .split('\r\n')
      .map((l) => l.slice(1, -1).split('","'));
    expect(rows[0]![0]).toBe('编号 receipt no.');
    const nos = rows.slice(1).map((r) => r[0]!);
    expect(nos).toEqual(['00000004', '00000003', '00000002', '00000001']);
    expect(rows.find((r) => r[0] === '00000001')).toContain('已撤销 voided');
    expect(rows.find((r) => r[0] === '00000001')).toContain(sales[0]!.id);
    const raw = (await admin('GET', '/api/v1/redemptions.csv?format=raw')).text.trim().split('\r\n');
    const col = raw[0]!.slice(1, -1).split('","').indexOf('receiptNo');
    expect(col).toBeGreaterThan(0);
    expect(gapless(raw.slice(1).map((l) => Number(l.slice(1, -1).split('","')[col])))).toBe(true);
  });

  it("the till's receipt prints the next receipt number, not the ledger entry", async () => {
    const page = await newPage(browser);
    await page.goto(`${term.url}/`);
    await expect.poll(() => page.textContent('[data-testid=connectivity]')).toContain('在线');
    await page.fill('[data-testid=amount]', '88.00');
    await page.click('[data-testid=start]');
    await page.waitForSelector('[data-testid=waiting]');
    await client(term.url)('POST', '/api/v1/simulate/scan', { device: 'hid-pos', text: DEMO.activeCard });
    await page.waitForSelector('[data-testid=eligibility]');
    await page.click('[data-testid=confirm]');
    await page.waitForSelector('[data-testid=receipt]');
    const lines = await page.locator('[data-testid=receipt] [data-line]').evaluateAll((ds) => ds.map((d) => d.getAttribute('data-line')));
    const no = lines.find((l) => l?.startsWith('编号 No.'));
    expect(no).toMatch(/^编号 No\. +00000005$/);
    await screenshot(page, 'cashier-receipt-number');
    expect(page.errors).toEqual([]);
  });
});
