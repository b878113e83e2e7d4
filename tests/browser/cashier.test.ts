import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueMemberQr } from '../../server/security/member-qr.ts';
import { renderQrFrame } from '../../simulator/qr-frame.ts';
import { y4mVideo } from '../../simulator/y4m.ts';
import { launchBrowser, newPage, screenshot } from '../helpers/browser.ts';
import { client, DEMO, demoServer, login, tempDir, type TestServer } from '../helpers/server.ts';
import { simTerminal } from '../helpers/terminal.ts';

let srv: TestServer;
let term: Awaited<ReturnType<typeof simTerminal>>;
let browser: Browser;
let video: string;

beforeAll(async () => {
  // Real time: the member QR in the camera video must be fresh when the server checks it.
  srv = await demoServer({ now: () => new Date() });
  term = await simTerminal(srv.url, 't-minmao-1');
  // The camera video: a member's phone showing a fresh member QR, slightly turned, for 3 s.
  const token = issueMemberQr(srv.ctx.secrets, DEMO.activeMember);
  const frame = renderQrFrame(token, { rotationDeg: 8, moduleSize: 5, contrast: 0.85 });
  video = join(tempDir('huika-cam-'), 'member-qr.y4m');
  writeFileSync(
    video,
    y4mVideo(
      Array.from({ length: 30 }, () => frame),
      10,
    ),
  );
  browser = await launchBrowser([
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-video-capture=${video}`,
  ]);
});
afterAll(async () => {
  await browser?.close();
  await term?.close();
  await srv?.stop();
});

describe('cashier page', () => {
  it('runs amount → simulated scan → discount → confirm → listed, by keyboard', async () => {
    const page = await newPage(browser);
    await page.goto(`${term.url}/`);
    await expect.poll(() => page.textContent('[data-testid=connectivity]')).toContain('在线');
    await page.fill('[data-testid=amount]', '350');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=waiting]');
    await client(term.url)('POST', '/api/v1/simulate/scan', { device: 'hid-pos', text: DEMO.activeCard });
    await page.waitForSelector('[data-testid=quote]');
    expect(await page.textContent('[data-testid=eligibility]')).toContain('可享优惠');
    expect(await page.textContent('[data-testid=payable]')).toBe('¥132.50');
    expect(await page.textContent('[data-testid=quote]')).toContain('工会 Union');
    await screenshot(page, 'cashier-quote');
    await page.keyboard.press('Enter'); // the confirm button has focus once a discount is shown
    await page.waitForSelector('[data-testid=receipt]');
    expect(await page.textContent('[data-testid=receipt]')).toContain('¥132.50');
    await expect.poll(async () => (await page.$$('[data-testid=today-row]')).length).toBe(1);
    expect(await page.textContent('[data-testid=today-total]')).toBe('¥217.50');
    await screenshot(page, 'cashier-receipt');
    const admin = await login(srv.url, 'minmao-admin');
    expect((await admin('GET', '/api/v1/redemptions?storeId=s-minmao-1')).body.items).toHaveLength(1);
    expect(page.errors).toEqual([]);
  });

  it('shows a refusal with its reason in Chinese and English, and keeps Confirm disabled', async () => {
    const page = await newPage(browser);
    await page.goto(`${term.url}/`);
    await page.fill('[data-testid=amount]', '88.00');
    await page.click('[data-testid=start]');
    await page.waitForSelector('[data-testid=waiting]');
    await page.fill('[data-testid=member-no]', DEMO.suspendedMember);
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=reason]');
    expect(await page.textContent('[data-testid=reason]')).toContain('会员资格已暂停');
    expect(await page.textContent('[data-testid=reason]')).toContain('suspended');
    expect(await page.isDisabled('[data-testid=confirm]')).toBe(true);
    await screenshot(page, 'cashier-refused');
    // The same page on a small till touch screen: one column, nothing cut off.
    await page.setViewportSize({ width: 800, height: 1000 });
    const confirm = await page.$('[data-testid=confirm]');
    const box = await confirm!.boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(800);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(800);
    await screenshot(page, 'cashier-small-screen');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid=start]');
  });

  it('reads a member QR from the camera (Chromium fake camera playing a Y4M of the code)', async () => {
    const page = await newPage(browser);
    await page.goto(`${term.url}/`);
    await page.fill('[data-testid=amount]', '100');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=waiting]');
    await page.click('[data-testid=camera-button]');
    await page.waitForSelector('[data-testid=quote]', { timeout: 20_000 });
    expect(await page.textContent('[data-testid=payable]')).toBe('¥95.00');
    const c = await client(term.url)('GET', '/api/v1/status');
    expect(c.body.online).toBe(true);
    await page.click('[data-testid=confirm]');
    await page.waitForSelector('[data-testid=receipt]');
    const admin = await login(srv.url, 'minmao-admin');
    const items = (await admin('GET', '/api/v1/redemptions?storeId=s-minmao-1')).body.items;
    expect(items[0]).toMatchObject({ credentialType: 'qr', amountFen: 10000, discountFen: 500 });
    expect(page.errors).toEqual([]);
  });
});
