import type { Rng } from './rng.ts';
import type { TimedReport } from './timed-report.ts';

/** Line noise on a cable or a flaky firmware: drop whole reports, or flip bits inside them. */
export function addNoise(reports: TimedReport[], rng: Rng, opts: { drop?: number; flip?: number }): TimedReport[] {
  return reports
    .filter(() => rng() >= (opts.drop ?? 0))
    .map((r) => {
      if (rng() >= (opts.flip ?? 0)) return r;
      const bytes = r.bytes.slice();
      const i = Math.floor(rng() * bytes.length);
      bytes[i] = bytes[i]! ^ (1 << Math.floor(rng() * 8));
      return { atMs: r.atMs, bytes };
    });
}
