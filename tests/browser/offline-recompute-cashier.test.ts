/**
 * The till shows why the server refused an offline sale (issue 8, item 8): an uploaded sale whose line is
 * not what the cited agreement gives comes back rejected, and the cashier page shows the reason code.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot } from '../helpers/browser.ts';
import { demoServer, type TestServer } from '../helpers/server.ts';
import { simTerminal, until } from '../helpers/terminal.ts';

let srv: TestServer;
let term: Awaited<ReturnType<typeof simTerminal>>;
let browser: Browser;

beforeAll(async () => {
  srv = await demoServer();
  term = await simTerminal(srv.url, 't-hotel-1');
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await term?.close();
  await srv?.stop();
});

describe('cashier page and a rejected offline upload', () => {
  it('marks the sale rejected and shows DISCOUNT_MISMATCH with its words', async () => {
    const at = '2026-11-25T11:00:00+08:00';
    // What a tampered terminal file would hold: 999,999 fen off a 1,000-fen line, the total made to look right.
    term.outbox.add(
      {
        idempotencyKey: 'offline-tampered-0001',
        createdAt: at,
        memberId: 'mbr-1',
        credentialType: 'member_no',
        amountFen: 1000,
        lines: [
          {
            agreementId: 'a-hotel',
            agreementVersion: 1,
            title: '周一至周五住宿9折',
            discountFen: 999_999,
            funding: { merchantFen: 999_999, unionFen: 0 },
          },
        ],
        discountFen: 100,
        payableFen: 900,
        snapshotIssuedAt: at,
      },
      '513300****17',
      new Date(at),
    );
    await term.sync();
    const entry = await until(
      () => term.outbox.entries().find((e) => e.item.idempotencyKey === 'offline-tampered-0001' && e.state === 'rejected'),
      'the upload to be rejected',
    );
    expect(entry.reasons).toEqual([expect.objectContaining({ code: 'DISCOUNT_MISMATCH' })]);

    const page = await newPage(browser);
    await page.goto(`${term.url}/`);
    const reason = page.locator('[data-testid=outbox-reason][data-code=DISCOUNT_MISMATCH]');
    await reason.waitFor();
    expect(await reason.innerText()).toContain('优惠与协议不符');
    await reason.scrollIntoViewIfNeeded();
    await screenshot(page, 'cashier-offline-rejected');
    expect(page.errors).toEqual([]);
  });
});
