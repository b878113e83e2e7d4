/** The PostgreSQL parts' rows for the table `npm run bench` prints (bench/run.ts). */
import type { InstancesPart, PgPart, PgRow } from './pg-bench.ts';
import type { City } from './pg-city.ts';
import type { SoakReport } from './pg-soak.ts';

type Fmt = (n: number, d?: number) => string;

export function pgReportLines(
  r: { city?: City; pg?: PgPart; instances?: InstancesPart; soak?: SoakReport; soakError?: string; pgError?: string },
  fmt: Fmt,
): string[] {
  const lines: string[] = [];
  const ratio = (x: number, y: number | undefined) => (y ? `${(x / y).toFixed(2)}×` : '');
  const row = (x: PgRow) =>
    `| ${x.name} | ${fmt(x.requests)} | ${fmt(x.perSecond)} | ${fmt(x.p50Ms, 2)} | ${fmt(x.p99Ms, 2)} | ${x.non2xx + x.errors} | ${ratio(x.perSecond, x.baselinePerSecond)} | ${ratio(x.perSecond, x.pgbenchPerSecond)} |`;
  if (r.pgError) lines.push('', `PostgreSQL parts (pg, instances) stopped before their figures: ${r.pgError.split('\n')[0]}`);
  if (r.city) {
    const i = r.city.import;
    lines.push(
      '',
      '| PostgreSQL member import (COPY, members and cards on two connections, indexes rebuilt after) | members | stores | seconds | rows/s | database | one district offline (members, MB, read ms) |',
      '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
      `| ${r.city.reused ? `reused ${r.city.database}: imported ${i.at.slice(0, 16)}Z by an earlier run` : `${r.city.database}, imported in this run`} | ${fmt(i.members)} | ${fmt(i.stores)} | ${fmt(i.seconds, 1)} | ${fmt(i.rowsPerSecond)} | ${i.databaseSize} | ${fmt(i.snapshot.members)}, ${fmt(i.snapshot.mb, 1)} MB, ${fmt(i.snapshot.ms)} ms |`,
    );
  }
  if (r.pg) {
    lines.push(
      '',
      `| PostgreSQL, ${fmt(r.pg.city.import.members)} members (t-xlk-1, member 5133000017) | requests | req/s | p50 ms | p99 ms | non-2xx + errors | vs baseline | vs pgbench |`,
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...r.pg.rows.map(row),
      ...r.pg.pgbench.map(
        (p) =>
          `| pgbench, the same redemption as one bare SQL transaction, ${p.connections} conn | ${fmt(p.transactions)} | ${fmt(p.tps)} | ${fmt(p.latencyMs, 2)} (mean) | | 0 | | 1.00× |`,
      ),
    );
  }
  if (r.instances) {
    const x = r.instances;
    lines.push(
      '',
      '| one instance vs two (same database; the two split the connections, quotes made on either redeemed on either) | requests | req/s | p50 ms | p99 ms | non-2xx + errors | | |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...x.rows.map(row),
      `| check: redemptions the store gained = 2xx answers | ${fmt(x.stored)} | ${fmt(x.acknowledged)} | | | | ${x.stored === x.acknowledged ? 'pass' : '**FAIL**'} | |`,
    );
  }
  if (r.soak || r.soakError) {
    lines.push('', '| soak: terminals through two instances, one SIGKILLed and restarted | result | detail |', '| --- | --- | --- |');
    if (r.soakError) lines.push(`| the soak did not finish | **FAIL** | ${r.soakError.replace(/\|/g, '/').replace(/\n/g, ' ')} |`);
    const s = r.soak;
    if (s) {
      lines.push(
        `| ${s.terminals} terminals for ${fmt(s.seconds, 0)} s, killed at ${fmt(s.killedAtSeconds, 0)} s, up again after ${fmt(s.restartMs / 1000, 1)} s | ${s.ok ? 'pass' : '**FAIL**'} | ${fmt(s.quotes)} quotes, ${fmt(s.acknowledged)} redemptions acknowledged (${fmt(s.redemptionsPerSecond, 1)}/s), ${fmt(s.resent)} requests sent again after the kill, ${fmt(s.replays)} answered as replays, ${fmt(s.servedAfterRestart)} answers from the restarted instance; refused: ${
          Object.entries(s.refused)
            .map(([k, v]) => `${k} ${fmt(v)}`)
            .join(', ') || 'none'
        } |`,
        ...s.checks.map((c) => `| check: ${c.name} | ${c.ok ? 'pass' : '**FAIL**'} | ${c.detail} |`),
      );
    }
  }
  return lines;
}
