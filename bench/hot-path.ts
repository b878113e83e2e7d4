/**
 * The quote path under load (issue 13): quotes beside bare express at 1 and N connections for the
 * campaign terminal (t-minmao-1) and the plain one (t-xlk-1); a member with a long history against one
 * with none; garbage-collection pauses with a million redemptions in the store; the heap over a long
 * run at the highest rate; and the live heap one outstanding quote costs.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { demoData } from '../server/demo-data.ts';
import { loadOrCreateSecrets } from '../server/security/secrets.ts';
import { GENESIS_HASH, seal } from '../server/store/hash-chain.ts';
import { load, type LoadResult } from './http-load.ts';

export interface ProbeReport {
  pauses: Array<[kind: string, ms: number]>;
  heapUsedMiB: number;
  /** Heap used right after a forced full collection: what is really alive. */
  liveMiB?: number;
  heapTotalMiB: number;
  rssMiB: number;
}

export interface ProbedServer {
  url: string;
  proc: ChildProcess;
  /** Pauses since the last report, and the heap now. */
  report(): Promise<ProbeReport>;
  stop(): Promise<void>;
}

/** The server as `npm start` runs it, with bench/gc-probe.mjs preloaded. */
export function startProbedHuika(
  dataDir: string,
  env: Record<string, string> = {},
  nodeArgs: readonly string[] = [],
): Promise<ProbedServer> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      'node',
      [
        ...nodeArgs,
        '--expose-gc',
        '--import',
        './bench/gc-probe.mjs',
        'bin/huika.js',
        'server',
        '--demo',
        '--data',
        dataDir,
        '--port',
        '0',
        '--log-level',
        'warn',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } },
    );
    const rl = createInterface({ input: proc.stdout! });
    const waiting: Array<(r: ProbeReport) => void> = [];
    const timer = setTimeout(() => reject(new Error('server did not start in 60 s')), 60_000);
    proc.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    rl.on('line', (line) => {
      if (line.startsWith('gc-probe ')) return waiting.shift()?.(JSON.parse(line.slice(9)) as ProbeReport);
      const m = /Huika server: (http:\/\/\S+)/.exec(line);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        url: m[1]!,
        proc,
        report: () =>
          new Promise<ProbeReport>((r) => {
            waiting.push(r);
            proc.kill('SIGUSR2');
          }),
        stop: () =>
          new Promise<void>((r) => {
            if (proc.exitCode !== null) return r();
            proc.once('exit', () => r());
            proc.kill('SIGTERM');
          }),
      });
    });
  });
}

export async function enrollAt(url: string, pairingCode: string): Promise<Record<string, string>> {
  const r = await fetch(`${url}/api/v1/terminals/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ pairingCode }),
  });
  if (r.status !== 201) throw new Error(`enroll ${pairingCode}: ${r.status} ${await r.text()}`);
  return { authorization: `Bearer ${((await r.json()) as { token: string }).token}` };
}

/** 40,000 fen at 民贸: the 5% agreement and the once-a-day ¥200 union campaign both apply. */
export const campaignQuote = (memberNo = '5133000017') =>
  JSON.stringify({ credential: { type: 'member_no', data: memberNo }, amountFen: 40000 });
/** 12,800 fen at 小龙坎: one 10% agreement. */
export const plainQuote = (memberNo = '5133000017') =>
  JSON.stringify({ credential: { type: 'member_no', data: memberNo }, amountFen: 12800 });

export interface GcSummary {
  count: number;
  maxMs: number;
  /** Pauses over 20 ms (the bound). */
  over20: number;
  byKind: Record<string, { count: number; maxMs: number }>;
}

export function summariseGc(pauses: ProbeReport['pauses']): GcSummary {
  const byKind: GcSummary['byKind'] = {};
  let maxMs = 0;
  let over20 = 0;
  for (const [kind, ms] of pauses) {
    const k = (byKind[kind] ??= { count: 0, maxMs: 0 });
    k.count++;
    k.maxMs = Math.max(k.maxMs, ms);
    maxMs = Math.max(maxMs, ms);
    if (ms > 20) over20++;
  }
  return { count: pauses.length, maxMs, over20, byKind };
}

/**
 * A data directory with the demo data and `n` past redemptions of member 5133000017 at 民贸 (the 5%
 * agreement and the limited campaign), one every ten minutes before `now`, none today: the member is
 * as eligible as one with no history, only the history differs.
 */
export async function writeHistoryDir(n: number, now: Date): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'huika-bench-history-'));
  const data = await demoData(loadOrCreateSecrets(dir), now);
  writeFileSync(join(dir, 'state.json'), JSON.stringify({ format: 'huika-state/1', ...data }));
  const out = createWriteStream(join(dir, 'ledger.jsonl'));
  let prev = GENESIS_HASH;
  const startOfToday = Date.parse(`${new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10)}T00:00:00+08:00`);
  for (let i = 1; i <= n; i++) {
    const amountFen = 40000;
    const { entry, line } = seal(
      i,
      'commit',
      {
        idempotencyKey: `history-${i}`,
        quoteId: `q-history-${i}`,
        memberId: 'mbr-1',
        memberOrgId: 'org-kd',
        merchantId: 'm-minmao',
        storeId: 's-minmao-1',
        terminalId: 't-minmao-1',
        memberNoMasked: '513300****17',
        credentialType: 'member_no',
        amountFen,
        discountFen: 2100,
        payableFen: amountFen - 2100,
        lines: [
          {
            agreementId: 'a-minmao',
            agreementVersion: 1,
            title: '会员9.5折',
            discountFen: 2000,
            funding: { merchantFen: 2000, unionFen: 0 },
          },
          {
            agreementId: 'c-wuyi',
            agreementVersion: 1,
            title: '工会五一满300减200',
            discountFen: 100,
            funding: { merchantFen: 0, unionFen: 100, campaignId: 'c-wuyi' },
          },
        ],
        createdAt: new Date(startOfToday - (n - i + 1) * 600_000).toISOString(),
        offline: false,
        id: `rd-${String(i).padStart(10, '0')}`,
      },
      prev,
    );
    prev = entry.hash;
    if (!out.write(`${line}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
  return dir;
}

export interface HistoryResult {
  redemptions: number;
  withHistory: LoadResult;
  without: LoadResult;
}

/** Quote p50 for a member with `n` past redemptions against one with none, at 1 connection, same server. */
export async function benchHistory(o: {
  redemptions: number;
  seconds: number;
  onTick?: (label: string) => (s: number, n: number) => void;
}): Promise<HistoryResult> {
  const dir = await writeHistoryDir(o.redemptions, new Date());
  const srv = await startProbedHuika(dir);
  try {
    const headers = await enrollAt(srv.url, 'PAIR-T-MINMAO-1');
    const url = `${srv.url}/api/v1/quotes`;
    // Warm both paths first so neither row pays for compilation.
    await load({ name: 'warm', url, connections: 1, seconds: 1, headers, body: campaignQuote('5133000025') });
    const without = await load({
      name: `quote at 民贸, member with no past redemptions, 1 conn`,
      url,
      connections: 1,
      seconds: o.seconds,
      headers,
      body: campaignQuote('5133000025'),
      ...(o.onTick ? { onTick: o.onTick('no history') } : {}),
    });
    const withHistory = await load({
      name: `quote at 民贸, member with ${o.redemptions.toLocaleString('en-US')} past redemptions, 1 conn`,
      url,
      connections: 1,
      seconds: o.seconds,
      headers,
      body: campaignQuote('5133000017'),
      ...(o.onTick ? { onTick: o.onTick('history') } : {}),
    });
    return { redemptions: o.redemptions, withHistory, without };
  } finally {
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface GcResult {
  redemptions: number;
  quotes: LoadResult;
  gc: GcSummary;
}

/**
 * Waits until the server process has been nearly idle for a second (after opening from a checkpoint it
 * re-checks every ledger hash in the background, which would otherwise be measured as quote time).
 */
async function settled(pid: number, maxSeconds = 300): Promise<void> {
  const ticks = () => {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(f[11]) + Number(f[12]); // utime + stime, in clock ticks (100 a second)
  };
  for (let i = 0; i < maxSeconds; i++) {
    const a = ticks();
    await new Promise((r) => setTimeout(r, 1000));
    if (ticks() - a < 10) return;
  }
}

/** Quotes at `connections` against a store of a million redemptions (a kept bench/ledger-load.ts directory), with every GC pause recorded. */
export async function benchGcAtScale(o: {
  dir: string;
  redemptions: number;
  seconds: number;
  connections: number;
  /** V8 flags for the server, e.g. --max-semi-space-size=N to see what a young generation of another size does. */
  nodeArgs?: readonly string[];
  onTick?: (s: number, n: number) => void;
}): Promise<GcResult> {
  const srv = await startProbedHuika(o.dir, {}, o.nodeArgs ?? []);
  try {
    const headers = await enrollAt(srv.url, 'PAIR-T-XLK-1');
    const url = `${srv.url}/api/v1/quotes`;
    if (process.platform === 'linux') await settled(srv.proc.pid!);
    await load({ name: 'warm', url, connections: o.connections, seconds: 2, headers, body: plainQuote() });
    await srv.report(); // forget start-up and warm-up pauses
    const quotes = await load({
      name: `quote, ${o.connections} conn, ${o.redemptions.toLocaleString('en-US')} redemptions in the store`,
      url,
      connections: o.connections,
      seconds: o.seconds,
      headers,
      body: plainQuote(),
      ...(o.onTick ? { onTick: o.onTick } : {}),
    });
    const r = await srv.report();
    return { redemptions: o.redemptions, quotes, gc: summariseGc(r.pauses) };
  } finally {
    await srv.stop();
  }
}

export interface SoakResult {
  seconds: number;
  quotes: LoadResult;
  /** Live heap (after a forced full collection) after the warm-up, then every sample, MiB. */
  heapMiB: number[];
  rssMiB: number[];
  sampleEverySeconds: number;
  /** Least-squares slope of the live heap over the second half of the run, MiB a minute: flat is about 0. */
  slopeMiBPerMin: number;
  /** Open quotes the server may keep (HUIKA_MAX_QUOTES), when the run set it. */
  maxQuotes?: number;
  gc: GcSummary;
}

/** Slope of y sampled every `everySeconds`, over the second half of the samples, per minute. */
export function halfSlopePerMinute(y: readonly number[], everySeconds: number): number {
  const ys = y.slice(Math.floor(y.length / 2));
  if (ys.length < 2) return 0;
  const xs = ys.map((_, i) => (i * everySeconds) / 60);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < ys.length; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den ? num / den : 0;
}

/** The highest quote rate this machine gives, for `seconds`, sampling the server's heap: it must end flat. */
export async function benchSoak(o: {
  seconds: number;
  connections: number;
  /** A smaller bound on open quotes, so a short run reaches the plateau a 10-minute one reaches on its own. */
  maxQuotes?: number;
  onTick?: (s: number, n: number) => void;
}): Promise<SoakResult> {
  const dir = mkdtempSync(join(tmpdir(), 'huika-bench-soak-'));
  const srv = await startProbedHuika(dir, o.maxQuotes ? { HUIKA_MAX_QUOTES: String(o.maxQuotes) } : {});
  const heapMiB: number[] = [];
  const rssMiB: number[] = [];
  const pauses: ProbeReport['pauses'] = [];
  const every = Math.max(5, Math.round(o.seconds / 20));
  try {
    const headers = await enrollAt(srv.url, 'PAIR-T-XLK-1');
    const url = `${srv.url}/api/v1/quotes`;
    await load({ name: 'warm', url, connections: o.connections, seconds: 3, headers, body: plainQuote() });
    const first = await srv.report();
    heapMiB.push(first.liveMiB ?? first.heapUsedMiB);
    rssMiB.push(first.rssMiB);
    const sampler = setInterval(() => {
      void srv.report().then((r) => {
        heapMiB.push(r.liveMiB ?? r.heapUsedMiB);
        rssMiB.push(r.rssMiB);
        pauses.push(...r.pauses);
      });
    }, every * 1000);
    let quotes: LoadResult;
    try {
      quotes = await load({
        name: `quote, ${o.connections} conn, for ${o.seconds} s`,
        url,
        connections: o.connections,
        seconds: o.seconds,
        headers,
        body: plainQuote(),
        ...(o.onTick ? { onTick: o.onTick } : {}),
      });
    } finally {
      clearInterval(sampler);
    }
    const last = await srv.report();
    heapMiB.push(last.liveMiB ?? last.heapUsedMiB);
    rssMiB.push(last.rssMiB);
    pauses.push(...last.pauses);
    return {
      seconds: o.seconds,
      quotes,
      heapMiB,
      rssMiB,
      sampleEverySeconds: every,
      slopeMiBPerMin: halfSlopePerMinute(heapMiB, every),
      ...(o.maxQuotes ? { maxQuotes: o.maxQuotes } : {}),
      gc: summariseGc(pauses),
    };
  } finally {
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Live heap per outstanding quote, measured in a fresh process with --expose-gc (bench/quote-memory.ts). */
export function benchQuoteMemory(quotes = 100_000): { quotes: number; bytesPerQuote: number } {
  const out = execFileSync('node', ['--expose-gc', '--import', 'tsx', 'bench/quote-memory.ts', String(quotes)], {
    encoding: 'utf8',
  }).trim();
  return { quotes, bytesPerQuote: Number(out) };
}
