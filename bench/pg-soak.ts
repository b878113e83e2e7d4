/**
 * The soak: many simulated terminals (each a socket.io client for pushes and an HTTP client for quote and
 * redeem, with an idempotency key per sale) against two Huika instances on one PostgreSQL database and one
 * Redis, round robin. Half-way through, one instance is killed with SIGKILL and started again. A request
 * that loses its connection is sent again, with the same key, to an instance that is up, until answered.
 *
 * The run ends with the checks that matter: every acknowledged (2xx) redemption is in the store with a body
 * identical to the acknowledgement; nothing was committed that no terminal was told about; each campaign's
 * budget moved by exactly the union money acknowledged and never past the budget; the hash chain verifies;
 * no request got a 500; every terminal's socket is connected again and hears a `card:revoked` push.
 * Used by `npm run bench -- --only soak-terminals` and, short, by tests/integration/soak.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { io as connect, type Socket } from 'socket.io-client';
import { withLuhn } from '../core/luhn.ts';
import type { Redemption } from '../core/wire.ts';
import { demoData } from '../server/demo-data.ts';
import { sha256 } from '../server/security/hashing.ts';
import { loadOrCreateSecrets } from '../server/security/secrets.ts';
import { PgStore, secretsFingerprint } from '../server/store/pg/pg-store.ts';
import { draws } from '../server/store/pg/sql/commit-redemption.ts';
import { publicOf, type RedemptionRow } from '../server/store/pg/sql/redemption-row.ts';
import { databaseUrl, PG_ADMIN_URL, sql, startInstance, type Instance } from './pg-instances.ts';

export interface SoakOptions {
  terminals: number;
  seconds: number;
  /** When to SIGKILL the second instance (default: half-way). */
  killAtSeconds?: number;
  /** Without it socket.io events do not cross instances, and the push check is left out. */
  redisUrl?: string;
  adminUrl?: string;
  /** Members the terminals draw from (under 康定, so the 民贸 campaign applies). */
  members?: number;
  /** c-wuyi grants (¥200 each) its budget holds, small enough to run out during the soak. */
  campaignGrants?: number;
  /** The run goes on at least this long after the killed instance is up again (default 3 s), so it takes traffic. */
  secondsAfterRestart?: number;
  /** Pause between one terminal's sales, 0..thinkMs at random. */
  thinkMs?: number;
  onTick?: (second: number, s: SoakStats) => void;
  log?: (line: string) => void;
}

export interface SoakStats {
  quotes: number;
  acknowledged: number;
  refused: Record<string, number>;
  /** Requests sent again after a connection to an instance failed. */
  resent: number;
  /** Redemptions answered 200 (a replay): the first answer was lost, or the commit won before the kill. */
  replays: number;
  status5xx: Record<string, number>;
  /** Answers from the instance that was killed, after it started again. */
  servedAfterRestart: number;
}

export interface SoakCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface SoakReport extends SoakStats {
  terminals: number;
  seconds: number;
  killedAtSeconds: number;
  restartMs: number;
  redemptionsPerSecond: number;
  checks: SoakCheck[];
  ok: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SOAK_STORES = ['s-minmao-1', 's-minmao-2', 's-dicos-1', 's-xlk-1'];

export async function runTerminalSoak(o: SoakOptions): Promise<SoakReport> {
  const log = o.log ?? (() => {});
  const adminUrl = o.adminUrl ?? PG_ADMIN_URL;
  const dbName = `huika_soak_${process.pid}_${randomBytes(3).toString('hex')}`;
  const db = databaseUrl(adminUrl, dbName);
  const dir = mkdtempSync(join(tmpdir(), 'huika-soak-'));
  const instances: (Instance | undefined)[] = [];
  const sockets: Socket[] = [];
  let stopping = false;
  await sql(adminUrl, `CREATE DATABASE ${dbName}`);
  try {
    // The data: the demo, more members under 康定, the soak's terminals at four stores, a small campaign budget.
    const secrets = loadOrCreateSecrets(dir);
    const data = await demoData(secrets, new Date());
    const M = o.members ?? 5000;
    const memberNos = Array.from({ length: M }, (_, i) => withLuhn(`5139${String(i).padStart(5, '0')}`));
    data.members.push(
      ...memberNos.map((no, i) => ({ id: `mbr-soak-${i}`, memberNo: no, name: `会员${i}`, orgId: 'org-kd', status: 'active' as const })),
    );
    const terminalIds = Array.from({ length: o.terminals }, (_, i) => `t-soak-${i + 1}`);
    data.terminals.push(
      ...terminalIds.map((id, i) => ({
        id,
        storeId: SOAK_STORES[i % SOAK_STORES.length]!,
        pairingCodeHash: sha256(`PAIR-${id.toUpperCase()}`),
        tokenHash: null,
        enrolledAt: null,
        lastSeenAt: null,
      })),
    );
    const wuyi = data.offers.find((x) => x.id === 'c-wuyi')!;
    wuyi.budgetFen = 20_000 * (o.campaignGrants ?? 300);
    const store = await PgStore.open({ url: db, poolSize: 2 });
    try {
      await store.bindSecrets(secretsFingerprint(secrets));
      await store.seed(data);
    } finally {
      await store.close();
    }
    const budgetsBefore = new Map(
      (await sql<{ offer_id: string; used_fen: number }>(db, 'SELECT offer_id, used_fen::int AS used_fen FROM budgets')).map((b) => [
        b.offer_id,
        b.used_fen,
      ]),
    );

    const start = () => startInstance({ dataDir: dir, db, ...(o.redisUrl ? { redis: o.redisUrl } : {}), pool: 10 });
    const [a, b] = await Promise.all([start(), start()]);
    instances.push(a, b);
    log(`soak: two instances up (${a!.url}, ${b!.url}); enrolling ${o.terminals} terminals`);
    const live = () => instances.filter((x): x is Instance => !!x && x.proc.exitCode === null && x.proc.signalCode === null);
    let rr = 0;
    const pick = (prefer?: number) => {
      const up = live();
      if (up.length === 0) throw new Error('no instance is up');
      return up[(prefer ?? rr++) % up.length]!.url;
    };
    const tokens: string[] = [];
    for (let i = 0; i < terminalIds.length; i += 25)
      tokens.push(
        ...(await Promise.all(
          terminalIds.slice(i, i + 25).map(async (id, j) => {
            const r = await fetch(`${pick(i + j)}/api/v1/terminals/enroll`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ pairingCode: `PAIR-${id.toUpperCase()}` }),
            });
            const body = (await r.json()) as { token?: string };
            if (r.status !== 201 || !body.token) throw new Error(`enroll ${id}: ${r.status} ${JSON.stringify(body)}`);
            return body.token;
          }),
        )),
      );

    // Sockets: each terminal keeps one open to some instance; when it drops, it opens one to an instance that is up.
    const revokedHeard = new Set<number>();
    const connected = new Set<number>();
    const openSocket = (t: number, attempt = 0): void => {
      if (stopping) return;
      let url: string;
      try {
        url = pick(t + attempt);
      } catch {
        setTimeout(() => openSocket(t, attempt + 1), 200);
        return;
      }
      const s = connect(url, { auth: { token: tokens[t] }, transports: ['websocket'], reconnection: false, forceNew: true });
      sockets[t] = s;
      s.on('connect', () => connected.add(t));
      s.on('card:revoked', () => revokedHeard.add(t));
      const again = () => {
        connected.delete(t);
        s.removeAllListeners();
        s.close();
        setTimeout(() => openSocket(t, attempt + 1), 100 + Math.random() * 200);
      };
      s.on('disconnect', again);
      s.on('connect_error', again);
    };
    for (let t = 0; t < o.terminals; t++) openSocket(t);

    const stats: SoakStats = { quotes: 0, acknowledged: 0, refused: {}, resent: 0, replays: 0, status5xx: {}, servedAfterRestart: 0 };
    let restarted: Instance | undefined;
    const acked = new Map<string, Redemption>();
    const ackMismatch: string[] = [];
    const t0 = Date.now();
    let endAt = t0 + o.seconds * 1000;
    /** Sends until some instance answers; a lost connection is the instance dying, so the same request goes to another. */
    const call = async (path: string, token: string, body: unknown): Promise<{ status: number; body: any }> => {
      for (let attempt = 0; ; attempt++) {
        if (Date.now() > endAt + 60_000) throw new Error(`${path}: no instance answered in the minute after the run's end`);
        let url: string;
        try {
          url = pick();
        } catch {
          await sleep(100);
          continue;
        }
        try {
          const r = await fetch(url + path, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(15_000),
          });
          const parsed = (await r.json()) as any;
          if (restarted && url === restarted.url) stats.servedAfterRestart++;
          if (r.status >= 500) {
            const code = `${r.status} ${parsed?.error?.code ?? ''}`.trim();
            stats.status5xx[code] = (stats.status5xx[code] ?? 0) + 1;
            // 503 means "not now" (draining, database busy): the till tries again. A 500 is a bug, recorded and not retried.
            if (r.status === 503 && attempt < 50) {
              await sleep(100);
              continue;
            }
          }
          return { status: r.status, body: parsed };
        } catch {
          stats.resent++;
          await sleep(20 + Math.random() * 50);
        }
      }
    };
    const killAt = o.killAtSeconds ?? o.seconds / 2;
    let restartMs = 0;
    const terminal = async (t: number) => {
      let sale = 0;
      while (Date.now() < endAt) {
        const credential = { type: 'member_no', data: memberNos[Math.floor(Math.random() * M)]! };
        const amountFen = 5000 + Math.floor(Math.random() * 55_000);
        const q = await call('/api/v1/quotes', tokens[t]!, { credential, amountFen });
        stats.quotes++;
        if (q.status === 200 && q.body.eligible) {
          const key = `soak-${dbName}-${t}-${++sale}`;
          const r = await call('/api/v1/redemptions', tokens[t]!, { quoteId: q.body.quoteId, idempotencyKey: key });
          if (r.status === 201 || r.status === 200) {
            if (r.status === 200) stats.replays++;
            const seen = acked.get(r.body.id);
            if (seen && !isDeepStrictEqual(seen, r.body)) ackMismatch.push(r.body.id);
            if (!seen) {
              acked.set(r.body.id, r.body);
              stats.acknowledged++;
            }
          } else {
            const code = r.body?.error?.code ?? String(r.status);
            stats.refused[code] = (stats.refused[code] ?? 0) + 1;
          }
        }
        if (o.thinkMs) await sleep(Math.random() * o.thinkMs);
      }
    };
    const killer = (async () => {
      await sleep(killAt * 1000);
      const victim = instances[1]!;
      log(`\nsoak: SIGKILL ${victim.url} at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      await victim.kill();
      const tr = Date.now();
      instances[1] = restarted = await start();
      restartMs = Date.now() - tr;
      endAt = Math.max(endAt, Date.now() + (o.secondsAfterRestart ?? 3) * 1000);
      log(`soak: started again as ${instances[1]!.url} after ${restartMs} ms`);
    })();
    let second = 0;
    const ticker = setInterval(() => o.onTick?.(++second, stats), 1000);
    try {
      await Promise.all([...Array.from({ length: o.terminals }, (_, t) => terminal(t)), killer]);
    } finally {
      clearInterval(ticker);
    }
    const elapsed = (Date.now() - t0) / 1000;

    // The checks.
    const checks: SoakCheck[] = [];
    const rows = await sql<RedemptionRow>(db, `SELECT * FROM redemptions WHERE terminal_id LIKE 't-soak-%'`);
    const inStore = new Map(rows.map((r) => [r.id, publicOf(r)]));
    const missing = [...acked.keys()].filter((id) => !inStore.has(id));
    const differing = [...acked.entries()]
      .filter(([id, body]) => inStore.has(id) && !isDeepStrictEqual(inStore.get(id), body))
      .map(([id]) => id);
    checks.push({
      name: 'every acknowledged redemption is in the store, body identical',
      ok: missing.length === 0 && differing.length === 0 && ackMismatch.length === 0,
      detail: `${acked.size} acknowledged, ${missing.length} missing, ${differing.length} differing${ackMismatch.length ? `, ${ackMismatch.length} replays unlike the first answer` : ''}`,
    });
    const untold = rows.filter((r) => !acked.has(r.id)).length;
    checks.push({
      name: 'nothing committed that no terminal was told',
      ok: untold === 0,
      detail: `${rows.length} in the store, ${untold} never acknowledged`,
    });
    const drawn = new Map<string, number>();
    for (const r of acked.values()) for (const [offer, fen] of draws(r.lines)) drawn.set(offer, (drawn.get(offer) ?? 0) + fen);
    const budgets = await sql<{ offer_id: string; budget_fen: number | null; used_fen: number }>(
      db,
      'SELECT offer_id, budget_fen::bigint AS budget_fen, used_fen::bigint AS used_fen FROM budgets ORDER BY offer_id',
    );
    const budgetText: string[] = [];
    let budgetsOk = true;
    for (const b of budgets) {
      const used = Number(b.used_fen) - (budgetsBefore.get(b.offer_id) ?? 0);
      const want = drawn.get(b.offer_id) ?? 0;
      const ok = used === want && (b.budget_fen === null || Number(b.used_fen) <= Number(b.budget_fen));
      budgetsOk &&= ok;
      if (want || used) budgetText.push(`${b.offer_id} ${used}/${b.budget_fen ?? '∞'} fen${ok ? '' : ` but ${want} acknowledged`}`);
    }
    checks.push({
      name: 'budgets moved by exactly the union money acknowledged, none overspent',
      ok: budgetsOk,
      detail: budgetText.join('; '),
    });
    const auditor = await fetch(`${pick(0)}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'demo-pass' }),
    }).then((r) => r.json() as Promise<{ token: string }>);
    const verify = (await fetch(`${pick(1)}/api/v1/audit/verify`, { headers: { authorization: `Bearer ${auditor.token}` } }).then((r) =>
      r.json(),
    )) as { ok: boolean; checked: number; brokenAt?: string };
    checks.push({
      name: 'the hash chain verifies (audit/verify)',
      ok: verify.ok === true && verify.checked >= rows.length,
      detail: `${verify.checked} entries checked${verify.brokenAt ? `, broken at ${verify.brokenAt}` : ''}`,
    });
    const fivehundreds = Object.entries(stats.status5xx).filter(([k]) => !k.startsWith('503'));
    checks.push({
      name: 'no request answered 500',
      ok: fivehundreds.length === 0,
      detail: Object.keys(stats.status5xx).length ? JSON.stringify(stats.status5xx) : 'none (and no 503)',
    });
    if (o.redisUrl) {
      // Every terminal reconnected somewhere; a card reported lost on one instance reaches all of them.
      for (let i = 0; i < 100 && connected.size < o.terminals; i++) await sleep(100);
      const r = await fetch(`${pick(0)}/api/v1/admin/cards/card-1/status`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${auditor.token}` },
        body: JSON.stringify({ status: 'lost' }),
      });
      for (let i = 0; i < 100 && revokedHeard.size < o.terminals; i++) await sleep(50);
      checks.push({
        name: 'every terminal is connected again and hears card:revoked',
        ok: r.status === 200 && revokedHeard.size === o.terminals,
        detail: `${connected.size}/${o.terminals} connected, ${revokedHeard.size} heard it`,
      });
    }
    stopping = true;
    return {
      ...stats,
      terminals: o.terminals,
      seconds: elapsed,
      killedAtSeconds: killAt,
      restartMs,
      redemptionsPerSecond: acked.size / elapsed,
      checks,
      ok: checks.every((c) => c.ok),
    };
  } finally {
    stopping = true;
    for (const s of sockets) {
      s?.removeAllListeners();
      s?.close();
    }
    await Promise.all(instances.map((x) => x?.kill()));
    await sql(adminUrl, `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}
