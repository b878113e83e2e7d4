import { describe, expect, it } from 'vitest';
import type { FetchLike } from './http-json.ts';
import { formatSummary, pairingCodeFor, runLoad } from './load.ts';

// A stub of the server's contract, in-process (no socket): enough to check the client's sequencing.
function stubServer() {
  const seen: Array<{ path: string; auth?: string | undefined; body: Record<string, unknown> }> = [];
  const used = new Set<string>();
  const keys = new Set<string>();
  const fetchFn: FetchLike = async (url, init) => {
    const path = new URL(url).pathname;
    const body = JSON.parse(init.body ?? '{}') as Record<string, unknown>;
    seen.push({ path, auth: init.headers.authorization, body });
    const reply = (status: number, b: unknown) => ({ status, text: async () => JSON.stringify(b) });
    if (path === '/api/v1/terminals/enroll') {
      const code = String(body.pairingCode);
      if (used.has(code) || !code.startsWith('PAIR-T-')) return reply(404, { error: { code: 'PAIRING_CODE_INVALID', message: 'x' } });
      used.add(code);
      return reply(201, { terminalId: code.toLowerCase(), token: `tok-${code}`, storeId: 's', merchantId: 'm' });
    }
    if (!init.headers.authorization?.startsWith('Bearer tok-')) return reply(401, { error: { code: 'UNAUTHENTICATED', message: 'x' } });
    if (path === '/api/v1/quotes') {
      const c = body.credential as { data: string };
      return reply(200, { quoteId: `q-${seen.length}`, eligible: c.data === '5133000017', reasons: [] });
    }
    if (path === '/api/v1/redemptions') {
      const k = String(body.idempotencyKey);
      const again = keys.has(k);
      keys.add(k);
      return reply(again ? 200 : 201, { id: 'r' });
    }
    return reply(404, {});
  };
  return { fetchFn, seen };
}

describe('runLoad', () => {
  it('enrolls each terminal once, quotes with its Bearer token and redeems only eligible quotes with fresh keys', async () => {
    const { fetchFn, seen } = stubServer();
    let t = 0;
    const progress: number[] = [];
    const s = await runLoad({
      serverUrl: 'http://server',
      pairingCodes: ['s-minmao-1', 's-xlk-1', 'bad'].map((x) => (x === 'bad' ? 'NOPE' : pairingCodeFor(x))),
      checkoutsPerTerminal: 7,
      fetch: fetchFn,
      now: () => (t += 1),
      onProgress: (p) => progress.push(p.done),
    });
    expect(pairingCodeFor('s-minmao-1')).toBe('PAIR-T-MINMAO-1');
    const byOp = Object.fromEntries(s.ops.map((o) => [o.op, o]));
    expect(byOp.enroll).toMatchObject({ count: 3, ok: 2, statuses: { '201': 2, '404': 1 } });
    expect(byOp.quote).toMatchObject({ count: 14, ok: 14 });
    expect(byOp.redeem!.count).toBe(2);
    expect(byOp.redeem!.statuses).toEqual({ '201': 2 });
    expect(seen.filter((x) => x.path === '/api/v1/quotes').every((x) => x.auth?.startsWith('Bearer tok-PAIR-T-'))).toBe(true);
    expect(progress.at(-1)).toBe(21);
    expect(formatSummary(s)).toMatch(/3 virtual terminals[\s\S]*quote\s+14\s+14/);
  });
});
