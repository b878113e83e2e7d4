/** The API reference page in headless Chromium: every operation listed, one opened with its schema. */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATIONS, TERMINAL_OPERATIONS } from '../../server/routes/openapi.ts';
import { launchBrowser, newPage, screenshot } from '../helpers/browser.ts';
import { demoServer, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let browser: Browser;
beforeAll(async () => {
  [srv, browser] = await Promise.all([demoServer(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await srv?.stop();
});

describe('/api/docs', () => {
  it('lists every operation of the server and the terminal, and opens one to show its request body', async () => {
    const page = await newPage(browser);
    await page.goto(`${srv.url}/api/docs`);
    const ops = page.locator('.api-op');
    await expect.poll(() => ops.count()).toBe(Object.keys(OPERATIONS).length + Object.keys(TERMINAL_OPERATIONS).length);
    const quote = page.locator('.api-op', { hasText: '/api/v1/quotes' });
    await quote.locator('button').click();
    const text = await quote.innerText();
    expect(text).toContain('终端令牌 terminal token');
    expect(text).toContain('"amountFen"');
    await screenshot(page, 'api-docs');
    expect(page.errors).toEqual([]);
  });
});
