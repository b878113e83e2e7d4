/**
 * The member page on a phone-sized headless Chromium (390×844) against a real demo server and a simulated
 * terminal: sign in, the living code read off the screen and scanned online and offline (from the
 * terminal's snapshot), the redemptions listed, feedback given, the complaint answered on the union
 * page, the rating on the merchant page.
 */
import { PNG } from 'pngjs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanRgba } from '../../drivers/jsqr.ts';
import { launchBrowser, newPage, screenshot, signIn, type PageErrors } from '../helpers/browser.ts';
import { client, DEMO, demoServer, enroll, memberNo, newKey, type TestServer } from '../helpers/server.ts';
import { TcpProxy } from '../helpers/tcp-proxy.ts';
import { simTerminal, until } from '../helpers/terminal.ts';

let srv: TestServer;
let proxy: TcpProxy;
let term: Awaited<ReturnType<typeof simTerminal>>;
let browser: Browser;
let phone: BrowserContext;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  // Real time on both ends: the terminal checks codes offline with its own clock.
  srv = await demoServer({ now: () => new Date() });
  proxy = await new TcpProxy(srv.port).start();
  term = await simTerminal(proxy.url, 't-minmao-1');
  browser = await launchBrowser();
  phone = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  page = await phone.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
});
afterAll(async () => {
  await browser?.close();
  await term?.close();
  await proxy?.cut();
  await srv?.stop();
});

async function streamText(stream: NodeJS.ReadableStream): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(Buffer.from(c as Buffer));
  return Buffer.concat(parts).toString('utf8');
}

/** What a scanner would read off the phone's screen. */
async function readCode(): Promise<string> {
  const png = PNG.sync.read(await page.locator('[data-testid=member-qr]').screenshot());
  const code = scanRgba(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
  if (!code) throw new Error('no QR code on the screen');
  return code;
}

/** The cashier starts a sale and the terminal's (simulated) scanner reads the code. */
async function scan(text: string, amountFen: number) {
  const pos = client(term.url);
  const { checkoutId } = (await pos('POST', '/api/v1/checkouts', { amountFen })).body;
  await pos('POST', '/api/v1/simulate/scan', { device: 'hid-pos', text });
  const c = await until(async () => {
    const b = (await pos('GET', `/api/v1/checkouts/${checkoutId}`)).body;
    return b.state !== 'waiting_for_card' ? b : undefined;
  }, 'the scan to be quoted');
  return { id: checkoutId as string, checkout: c, confirm: () => pos('POST', `/api/v1/checkouts/${checkoutId}/confirm`, {}) };
}

describe('member page at 390×844', () => {
  it('signs in, shows a living code that refreshes, and the code is scanned online and then offline', async () => {
    await page.clock.install({ time: Date.now() });
    await page.goto(`${srv.url}/m`);
    await page.fill('input[name=memberNo]', DEMO.activeMember);
    await page.fill('input[name=password]', 'demo-pass');
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=member-qr]');
    expect(await page.textContent('[data-panel=qr]')).toContain('张*');
    const first = await readCode();
    expect(first).toMatch(/^HK2[A-Z2-7]{37}$/);
    expect(first).not.toContain(DEMO.activeMember);
    await screenshot(page, 'member-qr');

    // Online: accepted once.
    const online = await scan(first, 35000);
    expect(online.checkout.quote).toMatchObject({ eligible: true, offline: false, member: { maskedName: '张*' } });
    expect((await online.confirm()).body).toMatchObject({ status: 'committed' });
    const replay = await scan(first, 35000);
    expect(replay.checkout.quote.reasons[0].code).toBe('QR_REPLAYED');

    // Into the next 30-s step on the phone (just past its start, so the server's clock is at most one step
    // behind): a new code, drawn without asking the server.
    const step = Number(await page.getAttribute('[data-testid=member-qr]', 'data-step'));
    const phoneNow = await page.evaluate(() => Date.now());
    await page.clock.fastForward(Math.max(1, (step + 1) * 30_000 - phoneNow + 500));
    await expect.poll(async () => Number(await page.getAttribute('[data-testid=member-qr]', 'data-step'))).toBe(step + 1);
    const second = await readCode();
    expect(second).not.toBe(first);

    // Offline: the terminal cannot reach the server and checks the code against its snapshot.
    await term.sync(); // the snapshot now holds this phone's device
    await proxy.cut();
    const offline = await scan(second, 20000);
    expect(offline.checkout.quote).toMatchObject({ eligible: true, offline: true, discountFen: 1000 });
    expect((await offline.confirm()).body).toMatchObject({ status: 'queued', offline: true });
    const offlineReplay = await scan(second, 20000);
    expect(offlineReplay.checkout.quote).toMatchObject({
      offline: true,
      eligible: false,
      reasons: [expect.objectContaining({ code: 'QR_REPLAYED' })],
    });
    await proxy.restore();
    await term.sync();
    expect(term.outbox.entries().map((e) => e.state)).toEqual(['accepted']);
    expect(errors).toEqual([]);
  });

  it('lists both redemptions, takes feedback once, and shows it given', async () => {
    await page.click('[data-tab=history]');
    await expect.poll(() => page.locator('[data-redemption]').count()).toBe(2);
    await screenshot(page, 'member-history');
    const row = page.locator('[data-redemption]').last(); // the online one (newest first: the offline one was uploaded last)
    await row.locator('[data-action=feedback]').click();
    await row.locator('[data-star="2"]').click();
    await row.locator('[data-honoured=no]').click();
    await row.locator('textarea[name=comment]').fill('没有按协议打折 The discount was not given');
    await screenshot(page, 'member-feedback');
    await row.locator('[data-action=send-feedback]').click();
    await expect.poll(() => row.locator('[data-given]').getAttribute('data-given')).toBe('2');
    expect(await row.textContent()).toContain('已投诉');
    expect(await row.locator('[data-action=feedback]').count()).toBe(0);
    await page.click('[data-tab=offers]');
    await page.waitForSelector('[data-offer=c-wuyi]');
    expect(await page.textContent('[data-offer=c-wuyi]')).toContain('剩余预算');
    await screenshot(page, 'member-offers');
    expect(errors).toEqual([]);
  });

  it('the union answers and closes the complaint; the merchant sees the rating, never who gave it', async () => {
    const union = (await newPage(browser)) as Page & PageErrors;
    await signIn(union, srv.url, 'gz-auditor', '/union');
    await union.click('[data-tab=feedback]');
    const row = union.locator('[data-complaint]');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.getAttribute('data-status')).toBe('open');
    expect(await union.textContent('[data-testid=grade-rule]')).toContain('星级');
    await row.locator('input[name=answer]').fill('已核实，商户退还差价 Checked; the merchant refunded the difference');
    await row.locator('[data-action=answer]').click();
    await union.selectOption('select[name=complaint]', '');
    await expect.poll(() => union.locator('[data-complaint]').getAttribute('data-status')).toBe('answered');
    await union.locator('[data-complaint] [data-action=close]').click();
    await expect.poll(() => union.locator('[data-complaint]').getAttribute('data-status')).toBe('closed');
    expect(await union.textContent('[data-complaint]')).toContain('gz-auditor');
    await screenshot(union, 'union-feedback');
    // One table component (feedback-view.tsx FeedbackTable): bilingual headers, Chinese first, figures right-aligned.
    const heads = (t: string) =>
      union.locator(`[data-table=${t}] thead th`).evaluateAll((ths) => ths.map((th) => [th.textContent, th.className]));
    expect(await heads('grades')).toEqual([
      ['商户 Merchant', ''],
      ['评价 Ratings', 'num'],
      ['平均 Average', 'num'],
      ['未享受优惠 Not honoured', 'num'],
      ['星级 Grade', ''],
    ]);
    expect((await heads('complaints')).map(([t]) => t)).toEqual(['时间 When', '商户 Merchant', '评价 Feedback', '处理 Handling', '']);
    expect(union.errors).toEqual([]);

    const merchant = (await newPage(browser)) as Page & PageErrors;
    await signIn(merchant, srv.url, 'minmao-admin', '/merchant');
    await merchant.click('[data-tab=feedback]');
    await merchant.waitForSelector('[data-table=ratings] [data-feedback]');
    const text = (await merchant.textContent('main')) ?? '';
    expect(text).toContain('★★☆☆☆');
    expect(text).toContain('没有按协议打折');
    expect(text).not.toContain(DEMO.activeMember);
    expect(text).not.toContain('张');
    await screenshot(merchant, 'merchant-feedback');
    expect(merchant.errors).toEqual([]);

    // The member sees the union's answer.
    await page.click('[data-tab=history]');
    await page.click('[data-action=refresh-history]');
    await expect.poll(() => page.textContent('[data-panel=history]')).toContain('工会答复');
  });

  it('an admin resets a password on /admin; the member signs in on the phone with the activation code and chooses a password', async () => {
    const admin = (await newPage(browser)) as Page & PageErrors;
    await admin.goto(`${srv.url}/admin`);
    await admin.fill('input[name=username]', 'admin');
    await admin.fill('input[name=password]', 'demo-pass');
    await admin.click('button.primary');
    await admin.waitForSelector('nav.tabs');
    await admin.fill('[data-testid=member-q]', '5101000064');
    await admin.click('[data-testid=member-search]');
    await admin.waitForSelector('tr[data-member="5101000064"]');
    admin.once('dialog', (d) => void d.accept());
    await admin.click('tr[data-member="5101000064"] [data-action=reset-password]');
    const notice = (await admin.waitForSelector('[data-testid=activation-code]')).textContent();
    const code = /[A-Z2-9]{5}-[A-Z2-9]{5}/.exec((await notice) ?? '')?.[0];
    expect(code).toBeDefined();
    await screenshot(admin, 'admin-member-reset');
    expect(admin.errors).toEqual([]);

    const other = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    const p2 = await other.newPage();
    await p2.goto(`${srv.url}/m`);
    await p2.fill('input[name=memberNo]', '5101000064');
    await p2.fill('input[name=password]', code!);
    await p2.click('button[type=submit]');
    await p2.waitForSelector('[data-panel=password]');
    await p2.fill('input[name=current]', code!);
    await p2.fill('input[name=next]', 'chen-jing-2026');
    await p2.click('[data-panel=password] button[type=submit]');
    await p2.waitForSelector('[data-testid=member-qr]');
    expect(await p2.textContent('[data-panel=qr]')).toContain('陈*');
    await other.close();
    const again = await client(srv.url)('POST', '/api/v1/member/session', { memberNo: '5101000064', password: 'chen-jing-2026' });
    expect(again.status).toBe(200);
  });

  it('imports members on /admin with a first password or a one-time activation code, and both sign in at /m', async () => {
    const admin = (await newPage(browser)) as Page & PageErrors;
    await admin.goto(`${srv.url}/admin`);
    await admin.fill('input[name=username]', 'admin');
    await admin.fill('input[name=password]', 'demo-pass');
    await admin.click('button.primary');
    await admin.waitForSelector('nav.tabs');
    const csv = [
      '会员号,姓名,工会编号,状态,初始密码',
      '5200000015,吴新,org-kd,active,Wu-first-2026',
      '5200000023,郑好,org-kd,active,',
    ].join('\n');
    await admin.setInputFiles('[data-testid=import-file]', { name: '新会员.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await admin.uncheck('[data-testid=dry-run]');
    await admin.click('[data-testid=start-import]');
    await admin.waitForSelector('[data-testid=import-job][data-state=done]');
    expect(await admin.textContent('[data-testid=first-passwords]')).toContain('First passwords set for 1');
    expect(await admin.textContent('[data-testid=import-activation-codes]')).toContain('1 members have no password yet');
    await screenshot(admin, 'admin-import-codes');
    const [dl] = await Promise.all([admin.waitForEvent('download'), admin.click('[data-action=import-activation-codes]')]);
    const sheet = (await streamText(await dl.createReadStream())).replace(/^\ufeff/, '');
    const code = /5200000023[^\r\n]*([A-Z2-9]{5}-[A-Z2-9]{5})/.exec(sheet)?.[1];
    expect(code).toBeDefined();
    expect(sheet).not.toContain('5200000015');
    // Once only: the button is gone, the page says so.
    await expect.poll(() => admin.textContent('[data-testid=import-activation-codes]')).toContain('已下载');
    expect(await admin.locator('[data-action=import-activation-codes]').count()).toBe(0);
    expect(admin.errors).toEqual([]);

    for (const [no, pass, next] of [
      ['5200000015', 'Wu-first-2026', 'wu-xin-own-1'],
      ['5200000023', code!, 'zheng-hao-own-1'],
    ] as const) {
      const ctx = await browser.newContext({
        viewport: { width: 390, height: 844 },
        isMobile: true,
        locale: 'zh-CN',
        timezoneId: 'Asia/Shanghai',
      });
      const p = await ctx.newPage();
      await p.goto(`${srv.url}/m`);
      await p.fill('input[name=memberNo]', no);
      await p.fill('input[name=password]', pass);
      await p.click('button[type=submit]');
      await p.waitForSelector('[data-panel=password]');
      await p.fill('input[name=current]', pass);
      await p.fill('input[name=next]', next);
      await p.click('[data-panel=password] button[type=submit]');
      await p.waitForSelector('[data-testid=member-qr]');
      await ctx.close();
      expect((await client(srv.url)('POST', '/api/v1/member/session', { memberNo: no, password: next })).status).toBe(200);
      expect((await client(srv.url)('POST', '/api/v1/member/session', { memberNo: no, password: pass })).status).toBe(401);
    }
  });

  it('shows 50 redemptions at first and the older ones on demand, each once', async () => {
    const till = await enroll(srv.url, 't-xlk-1');
    for (let i = 0; i < 62; i++) {
      const q = (await till('POST', '/api/v1/quotes', { credential: memberNo('5133000025'), amountFen: 10_000 + i * 100 })).body;
      expect((await till('POST', '/api/v1/redemptions', { quoteId: q.quoteId, idempotencyKey: newKey() })).status).toBe(201);
    }
    const ctx = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    const p3 = await ctx.newPage();
    const own: string[] = [];
    p3.on('pageerror', (e) => own.push(e.message));
    p3.on('console', (m) => m.type() === 'error' && own.push(m.text()));
    await p3.goto(`${srv.url}/m`);
    await p3.fill('input[name=memberNo]', '5133000025');
    await p3.fill('input[name=password]', 'demo-pass');
    await p3.click('button[type=submit]');
    await p3.waitForSelector('[data-testid=member-qr]');
    await p3.click('[data-tab=history]');
    await expect.poll(() => p3.locator('[data-redemption]').count()).toBe(50);
    // Newest first: the last sale (¥161.00) on top.
    expect(await p3.locator('[data-redemption]').first().textContent()).toContain('161.00');
    await p3.click('[data-action=more-history]');
    await expect.poll(() => p3.locator('[data-redemption]').count()).toBe(62);
    expect(await p3.locator('[data-action=more-history]').count()).toBe(0);
    const ids = await p3.locator('[data-redemption]').evaluateAll((els) => els.map((e) => e.getAttribute('data-redemption')));
    expect(new Set(ids).size).toBe(62);
    expect(await p3.locator('[data-redemption]').last().textContent()).toContain('100.00');
    expect(own).toEqual([]);
    await ctx.close();
  });
});
