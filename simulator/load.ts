import { randomUUID } from 'node:crypto';
import type { Credential } from '../drivers/scan-result.ts';
import { defaultFetch, postJson, type FetchLike } from './http-json.ts';

/** Demo stores (CONTRACT.md, "Demo data"); each has one terminal whose pairing code is PAIR-T-<STORE REST>. */
export const DEMO_STORES = ['s-minmao-1', 's-minmao-2', 's-xlk-1', 's-dicos-1', 's-hotel-1', 's-carwash-1', 's-cinema-1'];
export const pairingCodeFor = (storeId: string): string => `PAIR-T-${storeId.replace(/^s-/, '').toUpperCase()}`;
/** Credentials the demo data knows: an eligible member, an unactivated card, a lost card, a suspended member. */
export const DEMO_CREDENTIALS: Credential[] = [
  { type: 'member_no', data: '5133000017' },
  { type: 'card_number', data: '6217996600000000015' },
  { type: 'card_track', data: ';6217996600000000015=2912101?' },
  { type: 'member_no', data: '5101000064' },
  { type: 'card_number', data: '6217996600000000023' },
  { type: 'card_number', data: '6217996600000000031' },
  { type: 'member_no', data: '5133000041' },
];

export interface LoadOptions {
  serverUrl: string;
  pairingCodes: string[];
  /** Checkouts each virtual terminal runs, one after another. */
  checkoutsPerTerminal: number;
  fetch?: FetchLike;
  now?: () => number;
  onProgress?: (p: { done: number; total: number; errors: number }) => void;
}

export interface OpStats {
  op: 'enroll' | 'quote' | 'redeem';
  count: number;
  ok: number;
  statuses: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
}

export interface LoadSummary {
  terminals: number;
  wallMs: number;
  ops: OpStats[];
}

/** Enrolls one virtual terminal per pairing code, then each runs quote → redeem loops against the server. */
export async function runLoad(o: LoadOptions): Promise<LoadSummary> {
  const fetchFn = o.fetch ?? defaultFetch;
  const now = o.now ?? (() => performance.now());
  const samples: Record<OpStats['op'], Array<{ ms: number; status: number }>> = { enroll: [], quote: [], redeem: [] };
  const timed = async <T>(op: OpStats['op'], f: () => Promise<{ status: number; body: T }>) => {
    const t0 = now();
    try {
      const r = await f();
      samples[op].push({ ms: now() - t0, status: r.status });
      return r;
    } catch {
      samples[op].push({ ms: now() - t0, status: 0 });
      return undefined;
    }
  };
  const start = now();
  const total = o.pairingCodes.length * o.checkoutsPerTerminal;
  let done = 0;
  let errors = 0;
  await Promise.all(
    o.pairingCodes.map(async (pairingCode, t) => {
      const en = await timed('enroll', () =>
        postJson<{ token?: string }>(fetchFn, `${o.serverUrl}/api/v1/terminals/enroll`, { pairingCode }),
      );
      const token = en?.status === 201 ? en.body.token : undefined;
      for (let i = 0; i < o.checkoutsPerTerminal; i++) {
        if (!token) {
          errors++;
          o.onProgress?.({ done: ++done, total, errors });
          continue;
        }
        const credential = DEMO_CREDENTIALS[(t + i) % DEMO_CREDENTIALS.length]!;
        const amountFen = 5_000 + ((t * 7919 + i * 104_729) % 60_000);
        const q = await timed('quote', () =>
          postJson<{ quoteId?: string; eligible?: boolean }>(fetchFn, `${o.serverUrl}/api/v1/quotes`, { credential, amountFen }, token),
        );
        if (q?.status !== 200) errors++;
        else if (q.body.eligible && q.body.quoteId) {
          const r = await timed('redeem', () =>
            postJson(fetchFn, `${o.serverUrl}/api/v1/redemptions`, { quoteId: q.body.quoteId, idempotencyKey: randomUUID() }, token),
          );
          if (r?.status !== 201 && r?.status !== 200) errors++;
        }
        o.onProgress?.({ done: ++done, total, errors });
      }
    }),
  );
  const ops = (Object.keys(samples) as OpStats['op'][]).map((op): OpStats => {
    const s = samples[op];
    const ms = s.map((x) => x.ms).sort((a, b) => a - b);
    const pct = (p: number) => (ms.length ? ms[Math.min(ms.length - 1, Math.ceil(p * ms.length) - 1)]! : 0);
    const statuses: Record<string, number> = {};
    for (const x of s) statuses[String(x.status)] = (statuses[String(x.status)] ?? 0) + 1;
    return {
      op,
      count: s.length,
      ok: s.filter((x) => x.status >= 200 && x.status < 300).length,
      statuses,
      p50Ms: pct(0.5),
      p99Ms: pct(0.99),
    };
  });
  return { terminals: o.pairingCodes.length, wallMs: now() - start, ops };
}

export function formatSummary(s: LoadSummary): string {
  const head = ['op', 'count', 'ok', 'statuses', 'p50 ms', 'p99 ms', 'per s'];
  const rows = s.ops.map((o) => [
    o.op,
    String(o.count),
    String(o.ok),
    Object.entries(o.statuses)
      .map(([k, v]) => `${k}×${v}`)
      .join(' ') || '-',
    o.p50Ms.toFixed(1),
    o.p99Ms.toFixed(1),
    s.wallMs > 0 ? (o.count / (s.wallMs / 1000)).toFixed(1) : '-',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return `${[`${s.terminals} virtual terminals, ${(s.wallMs / 1000).toFixed(2)} s`, line(head), ...rows.map(line)].join('\n')}\n`;
}
