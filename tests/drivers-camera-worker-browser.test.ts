/**
 * The cashier page's camera worker in headless Chromium, served by a real terminal: zxing-wasm loads from
 * the terminal's own /assets (no CDN), compiles under the worker's CSP, and reads the frames; a frame with
 * no code is answered too, so the page never waits on the worker.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderQrFrame } from '../simulator/qr-frame.ts';
import { launchBrowser, newPage } from './helpers/browser.ts';
import { demoServer, type TestServer } from './helpers/server.ts';
import { simTerminal } from './helpers/terminal.ts';

let srv: TestServer;
let term: Awaited<ReturnType<typeof simTerminal>>;
let browser: Browser;

beforeAll(async () => {
  srv = await demoServer();
  term = await simTerminal(srv.url, 't-minmao-1');
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await term?.close();
  await srv?.stop();
});

describe('camera QR worker in the browser', () => {
  it('loads zxing-wasm from the terminal and reads frames with it; an empty frame gets an empty answer', async () => {
    const page = await newPage(browser);
    const cdn: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(term.url)) cdn.push(r.url());
    });
    // Any page of the terminal's origin will do; the cashier page's own bundle is not needed here.
    await page.goto(`${term.url}/api/v1/status`);
    const frames = ['HK1.5133000017.a', 'HK1.5133000017.b'].map((t) => {
      const f = renderQrFrame(t, { width: 320, height: 240, moduleSize: 4 });
      return Array.from(f.data);
    });
    const replies = await page.evaluate(async (frames: number[][]) => {
      const w = new Worker('/assets/qr-worker.js', { type: 'module' });
      const ask = (id: number, data: Uint8ClampedArray) =>
        new Promise<{ id: number; outcome?: { ok: boolean; credential?: { data: string } }; by?: string }>((resolve) => {
          w.onmessage = (ev) => resolve(ev.data);
          w.postMessage({ id, width: 320, height: 240, data, at: id * 100 }, [data.buffer]);
        });
      const out = [];
      // Until the .wasm has loaded the worker answers with jsQR; ask until zxing-wasm answers (bounded).
      for (let i = 0; i < 60; i++) {
        const r = await ask(i, Uint8ClampedArray.from(frames[i % 2]!));
        out.push(r);
        if (r.by === 'zxing-wasm' && r.outcome) break;
        await new Promise((res) => setTimeout(res, 100));
      }
      out.push(await ask(999, new Uint8ClampedArray(320 * 240 * 4).fill(200)));
      w.terminate();
      return out;
    }, frames);
    const read = replies.find((r) => r.by === 'zxing-wasm' && r.outcome);
    expect(read?.outcome).toMatchObject({ ok: true, credential: { data: expect.stringMatching(/^HK1\.5133000017\.[ab]$/) } });
    expect(replies.at(-1)).toMatchObject({ id: 999, outcome: undefined });
    expect(cdn).toEqual([]);
    expect(page.errors).toEqual([]);
  }, 30_000);
});
