/** One headless Chromium per test file, pages at 1280×800, screenshots for people to look at. */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

// npm test writes to a scratch folder so a test run never rewrites tracked files; `npm run screenshots`
// points HUIKA_SCREENSHOTS at docs/screenshots to refresh the README's copies on purpose.
export const SCREENSHOTS = process.env.HUIKA_SCREENSHOTS ? resolve(process.env.HUIKA_SCREENSHOTS) : join(tmpdir(), 'huika-screenshots');

export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.HUIKA_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', ...extraArgs],
  });
}

export interface PageErrors {
  errors: string[];
}

/** A fresh context (its own storage) with a page that records script errors and failed requests. */
export async function newPage(browser: Browser): Promise<Page & PageErrors> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    acceptDownloads: true,
  });
  const page = (await context.newPage()) as Page & PageErrors;
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && page.errors.push(m.text()));
  return page;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** Signs in through the /portal form and waits for the page of the role. */
export async function signIn(page: Page, base: string, username: string, landing: string): Promise<void> {
  await page.goto(`${base}/portal`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', 'demo-pass');
  await page.click('button[type=submit]');
  await page.waitForURL(`${base}${landing}`);
}
