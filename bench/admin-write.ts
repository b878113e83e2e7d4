/**
 * The admin-write stall (issue 9 point 6, `huika bench --only adminwrite`): at N embedded members (with
 * a card each), what one admin write costs, and what 20 of them do to quote p99 at 16 connections.
 *
 * - before: the old way, the whole state.json rewritten (JSON of every table, fsync, rename), timed
 *   here in the bench process on the same state in the same run (the old path also rebuilt every index);
 * - now: a card reported lost / found again over HTTP on the idle server, as an administrator sees it
 *   (one state.journal record carrying the audit entry, fdatasync'd; the audit line after it, unsynced);
 * - quote p99 at 16 connections without admin writes, then with 20 during the run. The server folds
 *   its journal after every 5 records here (HUIKA_STATE_FOLD_AFTER=5), so the 20 writes also make
 *   4 background folds of the whole state: the stall measured includes them.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { withLuhn } from '../core/luhn.ts';
import { ValidatedJsonFile } from '../platform/durable-file.ts';
import { demoData } from '../server/demo-data.ts';
import { loadOrCreateSecrets } from '../server/security/secrets.ts';
import { stateSchema } from '../server/store/state-file.ts';
import { startHuika } from './children.ts';
import { enrollAt, plainQuote } from './hot-path.ts';
import { load, type LoadResult } from './http-load.ts';

export interface Latency {
  n: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}
export interface AdminWriteResult {
  members: number;
  stateMiB: number;
  /** The old way: the whole state.json written again. */
  rewrite: Latency;
  /** Now: one admin write over HTTP on the idle server. */
  adminWrite: Latency;
  /** The 20 writes made during the busy run, as their callers saw them. */
  duringLoad: Latency;
  quiet: LoadResult;
  busy: LoadResult;
}

function latency(xs: number[]): Latency {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? 0;
  return { n: s.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: s.at(-1) ?? 0 };
}

const hex = (s: string) => createHash('sha256').update(s).digest('hex');

async function dataDir(members: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'huika-bench-adminwrite-'));
  const data = await demoData(loadOrCreateSecrets(dir), new Date());
  const at = new Date().toISOString();
  for (let i = 0; i < members; i++) {
    const id = `mbr-b${i}`;
    data.members.push({ id, memberNo: withLuhn(String(600000000 + i)), name: '测试会员', orgId: 'org-kd', status: 'active' });
    data.cards.push({
      id: `card-b${i}`,
      memberId: id,
      panHash: hex(`bench-pan-${i}`),
      last4: String(i % 10000).padStart(4, '0'),
      status: 'activated',
      updatedAt: at,
    });
  }
  writeFileSync(join(dir, 'state.json'), JSON.stringify({ format: 'huika-state/1', ...data }));
  return dir;
}

export async function benchAdminWrite(o: {
  members: number;
  seconds: number;
  connections: number;
  onTick?: (label: string) => (s: number, n: number) => void;
}): Promise<AdminWriteResult> {
  const dir = await dataDir(o.members);
  const stateFile = join(dir, 'state.json');
  const stateMiB = statSync(stateFile).size / 2 ** 20;
  // Before: the whole file rewritten, the way every admin write did it (ValidatedJsonFile.write).
  const rewrite: number[] = [];
  {
    const state = stateSchema.parse(JSON.parse(readFileSync(stateFile, 'utf8')));
    const copy = new ValidatedJsonFile(join(dir, 'rewrite-probe.json'), stateSchema, 'STATE_CORRUPT');
    copy.read();
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      copy.write(state);
      rewrite.push(performance.now() - t0);
    }
    rmSync(join(dir, 'rewrite-probe.json'));
  }
  process.env.HUIKA_STATE_FOLD_AFTER = '5';
  const srv = await startHuika(dir);
  delete process.env.HUIKA_STATE_FOLD_AFTER;
  try {
    const headers = await enrollAt(srv.url, 'PAIR-T-XLK-1');
    const session = await fetch(`${srv.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'demo-pass' }),
    });
    const admin = { authorization: `Bearer ${((await session.json()) as { token: string }).token}`, 'content-type': 'application/json' };
    let lost = false;
    const write = async (): Promise<number> => {
      lost = !lost;
      const body = lost ? { status: 'lost' } : { status: 'activated', reason: 'bench: found again · 压测：已找回' };
      const t0 = performance.now();
      const r = await fetch(`${srv.url}/api/v1/admin/cards/card-1/status`, { method: 'POST', headers: admin, body: JSON.stringify(body) });
      const ms = performance.now() - t0;
      if (r.status !== 200) throw new Error(`admin write: ${r.status} ${await r.text()}`);
      return ms;
    };
    for (let i = 0; i < 4; i++) await write(); // warm the route
    const idle: number[] = [];
    for (let i = 0; i < 20; i++) idle.push(await write());
    const url = `${srv.url}/api/v1/quotes`;
    const body = plainQuote();
    await load({ name: 'warm', url, connections: o.connections, seconds: 1, headers, body });
    const quiet = await load({
      name: `quotes, ${o.connections} conn, no admin writes`,
      url,
      connections: o.connections,
      seconds: o.seconds,
      headers,
      body,
      ...(o.onTick ? { onTick: o.onTick('quotes without admin writes') } : {}),
    });
    const during: number[] = [];
    const writes = (async () => {
      const gap = (o.seconds * 1000) / 22;
      for (let i = 0; i < 20; i++) {
        await new Promise((r) => setTimeout(r, gap));
        during.push(await write());
      }
    })();
    const busy = await load({
      name: `quotes, ${o.connections} conn, 20 admin writes during the run`,
      url,
      connections: o.connections,
      seconds: o.seconds,
      headers,
      body,
      ...(o.onTick ? { onTick: o.onTick('quotes with 20 admin writes') } : {}),
    });
    await writes;
    return {
      members: o.members,
      stateMiB,
      rewrite: latency(rewrite),
      adminWrite: latency(idle),
      duringLoad: latency(during),
      quiet,
      busy,
    };
  } finally {
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function adminWriteLines(r: AdminWriteResult, fmt: (n: number, d?: number) => string): string[] {
  const row = (name: string, l: Latency) => `| ${name} | ${l.n} | ${fmt(l.p50Ms, 1)} | ${fmt(l.p99Ms, 1)} | ${fmt(l.maxMs, 1)} |`;
  return [
    '',
    `| admin write at ${fmt(r.members)} embedded members (state.json ${fmt(r.stateMiB, 1)} MiB) | writes | p50 ms | p99 ms | max ms |`,
    '| --- | ---: | ---: | ---: | ---: |',
    row('before: the whole state.json rewritten (JSON, fsync, rename; timed in the bench process)', r.rewrite),
    row(
      'now: a card reported lost / found over HTTP, idle server (one state.journal record with its audit entry, one fsync)',
      r.adminWrite,
    ),
    row('now: the same during the 16-connection quote run (journal folded every 5 records)', r.duringLoad),
    '',
    '| quotes beside admin writes | requests | req/s | p50 ms | p99 ms | non-2xx |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...[r.quiet, r.busy].map(
      (q) => `| ${q.name} | ${fmt(q.requests)} | ${fmt(q.perSecond)} | ${fmt(q.p50Ms, 2)} | ${fmt(q.p99Ms, 2)} | ${q.non2xx} |`,
    ),
  ];
}
