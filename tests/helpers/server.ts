/** Real servers on random ports over temporary data directories, for integration tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../server/logger.ts';
import { startServer, type RunningServer, type ServerOptions } from '../../server/index.ts';

export function tempDir(prefix = 'huika-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A clock the test can move; starts at a fixed Wednesday noon in Shanghai unless told otherwise. */
export class TestClock {
  constructor(public ms = Date.parse('2026-11-25T12:00:00+08:00')) {}
  now = () => new Date(this.ms);
  set(iso: string) {
    this.ms = Date.parse(iso);
  }
  advance(seconds: number) {
    this.ms += seconds * 1000;
  }
}

export interface TestServer extends RunningServer {
  clock: TestClock;
  dir: string;
  stop(): Promise<void>;
}

export async function demoServer(opts: Partial<ServerOptions> & { clock?: TestClock; keepDir?: boolean } = {}): Promise<TestServer> {
  const dir = opts.dataDir ?? tempDir();
  const clock = opts.clock ?? new TestClock();
  const srv = await startServer({ dataDir: dir, demo: true, log: createLogger('silent'), now: clock.now, ...opts });
  return {
    ...srv,
    clock,
    dir,
    async stop() {
      await srv.close();
      if (!opts.keepDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type Api = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any; text: string; headers: Headers }>;

export function client(base: string, token?: string): Api {
  return async (method, path, body) => {
    const res = await fetch(base + path, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* CSV or plain text */
    }
    return { status: res.status, body: parsed, text, headers: res.headers };
  };
}

export async function enroll(base: string, terminalId = 't-minmao-1'): Promise<Api & { token: string }> {
  const res = await client(base)('POST', '/api/v1/terminals/enroll', { pairingCode: `PAIR-${terminalId.toUpperCase()}` });
  if (res.status !== 201) throw new Error(`enroll ${terminalId}: ${res.status} ${res.text}`);
  return Object.assign(client(base, res.body.token), { token: res.body.token as string });
}

export async function login(base: string, username: string): Promise<Api & { token: string }> {
  const res = await client(base)('POST', '/api/v1/session', { username, password: 'demo-pass' });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${res.text}`);
  return Object.assign(client(base, res.body.token), { token: res.body.token as string });
}

/** Demo credentials (shared/CONTRACT.md). */
export const DEMO = {
  activeCard: '6217996600000000015',
  notActivatedCard: '6217996600000000023',
  lostCard: '6217996600000000031',
  activeMember: '5133000017',
  suspendedMember: '5133000041',
  sczzMember: '5101000064',
};

export const card = (pan = DEMO.activeCard) => ({ type: 'card_number', data: pan });
export const memberNo = (no = DEMO.activeMember) => ({ type: 'member_no', data: no });

let keyCounter = 0;
export const newKey = () => `test-key-${process.pid}-${Date.now()}-${++keyCounter}`;

/** Quotes and redeems in one go through a terminal's API; throws unless the redemption was created. */
export async function redeem(api: Api, amountFen: number, credential: unknown = card()): Promise<any> {
  const q = await api('POST', '/api/v1/quotes', { credential, amountFen });
  const r = await api('POST', '/api/v1/redemptions', { quoteId: q.body.quoteId, idempotencyKey: newKey() });
  if (r.status !== 201) throw new Error(`redeem: ${r.status} ${r.text}`);
  return r.body;
}
