/** The administration page in headless Chromium against a real demo server: every tab, with screenshots. */
import type { Browser, Page } from 'playwright-core';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withCheckDigit } from '../helpers/admin.ts';
import { launchBrowser, newPage, screenshot, type PageErrors } from '../helpers/browser.ts';
import { demoServer, enroll, login, type Api, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let browser: Browser;
let page: Page & PageErrors;
let admin: Api;

beforeAll(async () => {
  srv = await demoServer();
  admin = await login(srv.url, 'admin');
  browser = await launchBrowser();
  page = await newPage(browser);
  page.on('dialog', (d) => void d.accept());
});
afterAll(async () => {
  await browser?.close();
  await srv?.stop();
});

const HEADER = 'member_no,name,union_id,status,card_pan,card_status';
const tab = async (id: string) => {
  await page.click(`nav.tabs a[data-tab=${id}]`);
  await page.waitForSelector(`nav.tabs a[data-tab=${id}].active`);
};
async function chooseCsv(name: string, text: string) {
  await page.setInputFiles('[data-testid=import-file]', { name, mimeType: 'text/csv', buffer: Buffer.from(text) });
}
const memberTotal = async () => (await admin('GET', '/api/v1/admin/members?limit=1')).body.total as number;

describe('administration page', () => {
  it('signs in with its own form and shows the tabs in Chinese with English', async () => {
    await page.goto(`${srv.url}/admin`);
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', 'wrong-pass');
    await page.click('button.primary');
    await expect.poll(() => page.locator('.error').textContent()).toContain('用户名或密码错误');
    await page.fill('input[name=password]', 'demo-pass');
    await page.click('button.primary');
    await page.waitForSelector('nav.tabs');
    expect(await page.locator('nav.tabs a').allTextContents()).toEqual([
      '会员 Members',
      '卡片 Cards',
      '商户 Merchants',
      '协议 Agreements',
      '用户 Users',
      '操作记录 Audit trail',
    ]);
    expect(await page.locator('header .who').textContent()).toContain('四川省总工会');
  });

  it('checks a CSV with bad rows: a per-row error table, and nothing written', async () => {
    const before = await memberTotal();
    const csv = [
      HEADER,
      '5133000058,赵敏,org-ld,active,,',
      '5133000059,钱多,org-ld,active,,',
      '5133000066,孙丽,org-nowhere,active,,',
      '5133000074,,org-kd,maybe,6217996600000000099,',
      '5133000082,周杰,org-kd,active,6217996600000000015,activated',
    ].join('\n');
    await chooseCsv('会员名单-有误.csv', csv);
    await page.uncheck('[data-testid=dry-run]');
    await page.click('[data-testid=start-import]');
    await page.waitForSelector('[data-testid=import-job][data-state=done]');
    expect(await page.locator('[data-testid=import-refused]').textContent()).toContain('整个文件未写入');
    const rows = page.locator('[data-testid=import-errors] tbody tr');
    expect(await rows.count()).toBe(6);
    const lines = (await page.locator('[data-testid=import-errors] tbody tr td:first-child').allTextContents()).map(Number);
    expect(lines).toEqual([3, 4, 5, 5, 5, 6]);
    expect(await page.locator('[data-testid=import-errors]').textContent()).toContain('621799*********0099');
    expect(await page.content()).not.toContain('6217996600000000099');
    expect(await memberTotal()).toBe(before);
    await screenshot(page, 'admin-members-import-errors');
  });

  it('imports 2,000 members with progress, then finds and suspends one', async () => {
    const before = await memberTotal();
    const rows = [HEADER];
    for (let i = 0; i < 2000; i++) {
      const pan = i % 4 === 0 ? withCheckDigit(`62179980${String(i).padStart(10, '0')}`) : '';
      rows.push(
        `${withCheckDigit(`53${String(i).padStart(7, '0')}`)},${['王', '李', '张', '刘', '陈'][i % 5]}${['建国', '秀英', '志强', '丽华'][i % 4]}${i},${['org-kd', 'org-ld', 'org-db'][i % 3]},active,${pan},${pan ? 'activated' : ''}`,
      );
    }
    await chooseCsv('甘孜州会员2026.csv', rows.join('\r\n'));
    await page.check('[data-testid=dry-run]');
    await page.click('[data-testid=start-import]');
    await page.waitForSelector('[data-testid=import-job][data-state=done]');
    expect(await page.locator('.notice').first().textContent()).toContain('检查通过，未写入');
    expect(await memberTotal()).toBe(before);
    await page.uncheck('[data-testid=dry-run]');
    await page.click('[data-testid=start-import]');
    await page.waitForSelector('[data-testid=import-job][data-state=done]');
    expect(await page.locator('[data-testid=progress]').textContent()).toContain('2,000 / 2,000');
    expect(await page.locator('.notice').first().textContent()).toContain('新增会员 2000');
    expect(await memberTotal()).toBe(before + 2000);
    await screenshot(page, 'admin-members-import-done');

    await page.fill('[data-testid=member-q]', '5133');
    await page.click('[data-testid=member-search]');
    await page.waitForSelector('tr[data-member="5133000017"]');
    const row = page.locator('tr[data-member="5133000025"]');
    await row.locator('button.danger').click();
    await page.waitForSelector('tr[data-member="5133000025"] [data-status=suspended]');
    expect((await admin('GET', '/api/v1/admin/members/mbr-2')).body.status).toBe('suspended');
    await page.locator('[data-testid=members]').scrollIntoViewIfNeeded();
    await screenshot(page, 'admin-members');
  });

  it('pages the member list with the cursor: Next asks for the members after the last one shown, Prev comes back', async () => {
    await page.fill('[data-testid=member-q]', '53');
    const asked: string[] = [];
    const listen = (r: { url(): string }) => r.url().includes('/api/v1/admin/members?') && asked.push(r.url());
    page.on('request', listen);
    try {
      await page.click('[data-testid=member-search]');
      const rows = page.locator('[data-testid=members] tbody tr');
      await expect.poll(async () => (await rows.first().getAttribute('data-member')) ?? '').toBe('5300000006');
      const first = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-member')!));
      expect(first).toHaveLength(20);
      expect([...first].sort()).toEqual(first);
      await page.click('[data-action=members-next]');
      await expect.poll(async () => rows.first().getAttribute('data-member')).not.toBe(first[0]);
      const second = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-member')!));
      expect(second).toHaveLength(20);
      expect(second[0]! > first[19]!).toBe(true);
      expect(asked.at(-1)).toContain(`cursor=${first[19]}`);
      expect(await page.locator('.pager').textContent()).toContain('第 21–40 条');
      await page.locator('.pager').scrollIntoViewIfNeeded();
      await screenshot(page, 'admin-members-page-2');
      await page.click('[data-action=members-prev]');
      await expect.poll(async () => rows.first().getAttribute('data-member')).toBe(first[0]);
      expect(asked.at(-1)).not.toContain('cursor=');
      expect(await page.locator('[data-action=members-prev]').isDisabled()).toBe(true);
    } finally {
      page.off('request', listen);
    }
  });

  it('reports a card lost: a terminal hears card:revoked at once', async () => {
    const till = await enroll(srv.url, 't-xlk-1');
    const socket: Socket = connect(srv.url, { auth: { token: till.token }, transports: ['websocket'] });
    await new Promise<void>((res, rej) => socket.on('connect', () => res()).on('connect_error', rej));
    const revoked = new Promise<any>((res) => socket.on('card:revoked', res));
    await tab('cards');
    await page.fill('[data-testid=card-last4]', '0015');
    await page.click('button:has-text("查询 Search")');
    await page.waitForSelector('tr[data-card=card-1] [data-status=activated]');
    await page.click('tr[data-card=card-1] [data-testid=report-lost]');
    await page.waitForSelector('tr[data-card=card-1] [data-status=lost]');
    expect(await revoked).toMatchObject({ cardId: 'card-1', status: 'lost', last4: '0015' });
    socket.close();
    const q = await till('POST', '/api/v1/quotes', { credential: { type: 'card_number', data: '6217996600000000015' }, amountFen: 1000 });
    expect(q.body.reasons[0].code).toBe('CARD_LOST');
    await page.fill('[data-testid=card-last4]', '');
    await page.click('button:has-text("查询 Search")');
    // The whole list's first page of 50 (the import above issued 2,000 cards), with its pager.
    await expect.poll(() => page.locator('[data-testid=cards] tbody tr').count()).toBe(50);
    await page.waitForSelector('[data-action=cards-next]:not([disabled])');
    await screenshot(page, 'admin-cards');
  });

  it('pages the card list with the cursor, most recently changed first: Next asks for the cards after the last one shown, Prev comes back', async () => {
    // The import above issued 2,000 cards, so the list has many pages of 50.
    const asked: string[] = [];
    const listen = (r: { url(): string }) => r.url().includes('/api/v1/admin/cards?') && asked.push(r.url());
    page.on('request', listen);
    try {
      await page.fill('[data-testid=card-last4]', '');
      await page.click('button:has-text("查询 Search")');
      const rows = page.locator('[data-testid=cards] tbody tr');
      const shown = () => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-card')!));
      // The page shows what the API's first page holds, in its order (newest change first, ties by id).
      const api = (await admin('GET', '/api/v1/admin/cards?limit=50')).body;
      const ids = (b: { items: { id: string; updatedAt: string }[] }) => b.items.map((c) => c.id);
      const keys = api.items.map((c: { id: string; updatedAt: string }) => `${c.updatedAt}|${c.id}`);
      expect([...keys].sort().reverse()).toEqual(keys);
      await expect.poll(shown).toEqual(ids(api));
      const first = await shown();
      expect(first).toHaveLength(50);
      expect(await page.locator('.pager').textContent()).toContain('第 1–50 张');
      await page.click('[data-action=cards-next]');
      await expect.poll(async () => rows.first().getAttribute('data-card')).not.toBe(first[0]);
      const second = await shown();
      expect(second).toHaveLength(50);
      expect(second.filter((id) => first.includes(id))).toEqual([]);
      expect(decodeURIComponent(asked.at(-1)!)).toContain(`cursor=${api.nextCursor}`);
      const next = (await admin('GET', `/api/v1/admin/cards?limit=50&cursor=${encodeURIComponent(api.nextCursor)}`)).body;
      expect(ids(next)).toEqual(second);
      expect(next.total).toBeUndefined(); // counted on the first page only; the page keeps that one
      expect(await page.locator('.pager').textContent()).toContain('第 51–100 张');
      expect(await page.locator('.pager').textContent()).toContain(`共 ${api.total.toLocaleString()} 张`);
      await page.locator('.pager').scrollIntoViewIfNeeded();
      await screenshot(page, 'admin-cards-page-2');
      await page.click('[data-action=cards-prev]');
      await expect.poll(shown).toEqual(first);
      expect(asked.at(-1)).not.toContain('cursor=');
      expect(await page.locator('[data-action=cards-prev]').isDisabled()).toBe(true);
    } finally {
      page.off('request', listen);
    }
  });

  it('edits an agreement, previews a sample sale, and saves a new version', async () => {
    await tab('agreements');
    await page.click('tr[data-offer=a-minmao] button.link');
    await page.waitForSelector('[data-testid=editor]');
    await page.selectOption('[data-testid=preview-org]', 'org-kd');
    await page.fill('[data-testid=preview-amount]', '350.00');
    await page.click('[data-testid=preview-run]');
    await expect.poll(() => page.locator('[data-testid=preview-discount]').textContent()).toBe('¥217.50');
    // 9折 instead of 9.5折, previewed before saving: 3,500 off, then 满300减200 on 31,500.
    await page.fill('[data-testid=rule-bps]', '1000');
    await page.fill('[data-testid=offer-title]', '会员9折');
    await page.click('[data-testid=preview-run]');
    await expect.poll(() => page.locator('[data-testid=preview-discount]').textContent()).toBe('¥235.00');
    expect((await admin('GET', '/api/v1/admin/agreements/a-minmao/versions')).body.items).toHaveLength(1);
    await page.click('[data-testid=offer-save]');
    await page.waitForSelector('[data-testid=versions] tbody tr:nth-child(2)');
    expect((await admin('GET', '/api/v1/admin/agreements/a-minmao/versions')).body.items.map((o: any) => o.rule.bps)).toEqual([500, 1000]);
    await screenshot(page, 'admin-agreements');
  });

  it('adds a store and a terminal, showing its pairing code once', async () => {
    await tab('merchants');
    await page.waitForSelector('[data-testid=merchants]');
    await page.fill('[data-testid=store-id]', 's-minmao-3');
    await page.fill('[data-testid=store-name]', '民贸公司 丹巴店');
    await page.click('[data-testid=store-add]');
    await page.click('[data-testid=add-terminal-s-minmao-3]');
    const code = (await page.locator('[data-testid=pairing-code]').textContent())!;
    expect(code).toMatch(/^PAIR-[A-Z2-9]{8}$/);
    const enrolled = await fetch(`${srv.url}/api/v1/terminals/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pairingCode: code }),
    });
    expect(enrolled.status).toBe(201);
    await screenshot(page, 'admin-merchants');
  });

  it('creates a union auditor', async () => {
    await tab('users');
    await page.fill('[data-testid=user-username]', 'ld-auditor');
    await page.fill('[data-testid=user-name]', '泸定县审计');
    await page.selectOption('[data-testid=user-role]', 'union_auditor');
    await page.selectOption('[data-testid=user-org]', 'org-ld');
    await page.fill('[data-testid=user-password]', 'ld-audit-2026');
    await page.click('[data-testid=user-add]');
    await page.waitForSelector('tr[data-user=ld-auditor]');
    await screenshot(page, 'admin-users');
  });

  it('shows every change in the audit trail with before and after', async () => {
    await tab('audit');
    await page.waitForSelector('[data-testid=audit]');
    const actions = await page.locator('[data-testid=audit] tbody tr').evaluateAll((trs) => trs.map((t) => t.getAttribute('data-action')));
    expect(actions).toEqual([
      'user.create',
      'terminal.create',
      'store.create',
      'offer.new_version',
      'card.report_lost',
      'member.suspend',
      'members.import',
    ]);
    expect(await page.locator('tr[data-action="card.report_lost"] .diff').textContent()).toContain('status: activated → lost');
    await screenshot(page, 'admin-audit');
    // The only console error is the browser's note of the 401 from the wrong password at sign-in.
    expect(page.errors.filter((e) => !e.includes('401'))).toEqual([]);
    expect(page.errors).toHaveLength(1);
  });

  it('shows a county auditor only its union, read-only', async () => {
    const p = await newPage(browser);
    await p.goto(`${srv.url}/admin`);
    await p.fill('input[name=username]', 'kd-auditor');
    await p.fill('input[name=password]', 'demo-pass');
    await p.click('button.primary');
    await p.waitForSelector('[data-testid=members] tbody tr');
    expect(await p.locator('#import').count()).toBe(0);
    const unions = await p.locator('[data-testid=members] tbody tr td:nth-child(3)').allTextContents();
    expect(new Set(unions)).toEqual(new Set(['康定市总工会']));
    expect(await p.locator('[data-testid=members] button').count()).toBe(0);
    await p.close();
  });
});
