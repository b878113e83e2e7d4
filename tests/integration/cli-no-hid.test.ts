import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, DEMO, demoServer, tempDir, type TestServer } from '../helpers/server.ts';

const run = promisify(execFile);
const NO_HID = ['--import', './tests/fixtures/no-node-hid.mjs'];
let srv: TestServer;

beforeAll(async () => {
  srv = await demoServer({ now: () => new Date() });
});
afterAll(() => srv.stop());

describe('when node-hid cannot load (no libusb-1.0-0)', () => {
  it('huika devices says why in one line, with the fix', async () => {
    const err = await run('node', [...NO_HID, 'bin/huika.js', 'devices']).catch((e) => e);
    expect(err.code).toBe(1);
    const lines = err.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/node-hid did not load .*libusb-1\.0\.so\.0.*apt-get install libusb-1\.0-0/);
  });

  it('the terminal says so in one line and the rest keeps working', async () => {
    const proc = spawn(
      'node',
      [
        ...NO_HID,
        'bin/huika.js',
        'terminal',
        '--server',
        srv.url,
        '--pairing-code',
        'PAIR-T-XLK-1',
        '--port',
        '0',
        '--data',
        tempDir('huika-nohid-'),
        '--log-level',
        'silent',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let stderr = '';
      proc.stderr!.on('data', (b) => (stderr += b));
      const url = await new Promise<string>((res, rej) => {
        createInterface({ input: proc.stdout! }).on('line', (l) => {
          const m = /cashier page (http:\/\/\S+?)\/ /.exec(l);
          if (m) res(m[1]!);
        });
        proc.once('exit', (code) => rej(new Error(`terminal exited ${code}: ${stderr}`)));
      });
      expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^huika terminal: HID devices unavailable: node-hid did not load/)]);
      const pos = client(url);
      const id = (await pos('POST', '/api/v1/checkouts', { amountFen: 10000 })).body.checkoutId;
      const q = await pos('POST', `/api/v1/checkouts/${id}/credential`, { type: 'member_no', data: DEMO.activeMember });
      expect(q.body).toMatchObject({ eligible: true, discountFen: 1000 });
    } finally {
      proc.kill('SIGKILL');
    }
  });
});
