/**
 * Latency as people at the till see it: from a scanner sending its reports to the cashier page
 * drawing the discount (headless Chromium), and from a card reported lost to the terminal hearing it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { io } from 'socket.io-client';
import { spawnUntil, startHuika } from './children.ts';
import { summarise } from './percentiles.ts';

export interface LatencyResult {
  name: string;
  n: number;
  p50Ms: number;
  p99Ms: number;
}

const json = (url: string, body?: unknown, token?: string) =>
  fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  }).then((r) => r.json() as Promise<any>);

export async function benchCashierLatency(opts: {
  scans: number;
  pushes: number;
  onProgress?: (done: number, total: number) => void;
}): Promise<LatencyResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'huika-bench-cashier-'));
  const server = await startHuika(join(dir, 'server'));
  const terminal = await spawnUntil(
    'node',
    [
      'bin/huika.js',
      'terminal',
      '--server',
      server.url,
      '--pairing-code',
      'PAIR-T-XLK-1',
      '--simulate',
      '--port',
      '0',
      '--data',
      join(dir, 'terminal'),
      '--log-level',
      'warn',
    ],
    /cashier page (http:\/\/\S+?)\/ /,
    (m) => m[1]!,
  );
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const total = opts.scans + opts.pushes;
  let done = 0;
  try {
    const page = await browser.newPage();
    await page.goto(`${terminal.url}/`);
    await page.waitForSelector('[data-testid=amount]');
    const scan: number[] = [];
    for (let i = 0; i < opts.scans + 3; i++) {
      await page.fill('[data-testid=amount]', '128');
      await page.keyboard.press('Enter');
      await page.waitForSelector('[data-testid=waiting]');
      const before = await page.evaluate(() => window.__huikaQuotedAt ?? 0);
      const t0 = Date.now();
      await json(`${terminal.url}/api/v1/simulate/scan`, { device: 'hid-pos', text: '5133000017' });
      const at = await page
        .waitForFunction((b) => (window.__huikaQuotedAt ?? 0) > b && window.__huikaQuotedAt, before)
        .then((h) => h.jsonValue() as Promise<number>);
      if (i >= 3) scan.push(at - t0); // the first scans warm up the bundle, JIT and connections
      await page.keyboard.press('Escape');
      await page.waitForSelector('[data-testid=start]');
      if (i >= 3) opts.onProgress?.(++done, total);
    }

    const admin = await json(`${server.url}/api/v1/session`, { username: 'admin', password: 'demo-pass' });
    const sock = io(terminal.url, { transports: ['websocket'] });
    await new Promise<void>((r) => sock.on('connect', () => r()));
    const push: number[] = [];
    for (let i = 0; i < opts.pushes; i++) {
      const heard = new Promise<number>((r) => sock.once('card:revoked', () => r(Date.now())));
      const t0 = Date.now();
      await json(`${server.url}/api/v1/cards/card-1/status`, { status: 'lost' }, admin.token);
      push.push((await heard) - t0);
      await json(`${server.url}/api/v1/cards/card-1/status`, { status: 'activated', reason: 'bench: found again' }, admin.token);
      opts.onProgress?.(++done, total);
    }
    sock.close();
    const s = summarise(scan);
    const p = summarise(push);
    return [
      { name: 'scan to discount on the cashier page (HID POS, online)', n: s.n, p50Ms: s.p50, p99Ms: s.p99 },
      { name: 'card reported lost to terminal notified', n: p.n, p50Ms: p.p50, p99Ms: p.p99 },
    ];
  } finally {
    await browser.close();
    await terminal.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
