import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, demoServer, login, type TestServer } from '../helpers/server.ts';
import { simTerminal } from '../helpers/terminal.ts';

const run = promisify(execFile);
let srv: TestServer;
let term: Awaited<ReturnType<typeof simTerminal>>;

beforeAll(async () => {
  srv = await demoServer({ now: () => new Date() });
  term = await simTerminal(srv.url, 't-minmao-1');
});
afterAll(async () => {
  await term.close();
  await srv.stop();
});

const lines = (s: string) =>
  s
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('huika simulate', () => {
  it('drives a running terminal through its simulated HID POS scanner and confirms', async () => {
    const { stdout, stderr } = await run('node', [
      'bin/huika.js',
      'simulate',
      'scan',
      '--terminal',
      term.url,
      '--amount',
      '35000',
      '--card',
      DEMO.activeCard,
      '--via',
      'hid-pos',
      '--confirm',
    ]);
    const [quote, confirm] = lines(stdout);
    expect(quote).toMatchObject({ step: 'quote', status: 200, body: { eligible: true, discountFen: 21750 } });
    expect(confirm).toMatchObject({ step: 'confirm', status: 200, body: { status: 'committed', payableFen: 13250 } });
    expect(stderr).not.toContain(DEMO.activeCard); // masked: 621799*********0015
    expect(stderr).toContain('621799');
  });

  it('swipes through the simulated keyboard-emulation stripe reader', async () => {
    const { stdout } = await run('node', [
      'bin/huika.js',
      'simulate',
      'scan',
      '--terminal',
      term.url,
      '--amount',
      '1000',
      '--swipe',
      DEMO.activeCard,
      '--via',
      'msr-keyboard',
    ]);
    expect(lines(stdout)[0]).toMatchObject({ step: 'quote', body: { eligible: true, discountFen: 50 } });
  });

  it('runs virtual terminals against the server and reports every operation', async () => {
    const { stdout } = await run('node', [
      'bin/huika.js',
      'simulate',
      'load',
      '--server',
      srv.url,
      '--stores',
      's-xlk-1,s-dicos-1',
      '--checkouts',
      '5',
    ]);
    expect(stdout).toMatch(/quote/);
    const admin = await login(srv.url, 'admin');
    const items = (await admin('GET', '/api/v1/redemptions?limit=500')).body.items as Array<{ terminalId: string }>;
    expect(items.filter((x) => x.terminalId === 't-xlk-1').length).toBeGreaterThan(0);
    expect(items.filter((x) => x.terminalId === 't-dicos-1').length).toBeGreaterThan(0);
  });
});
