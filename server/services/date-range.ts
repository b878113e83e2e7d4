/**
 * Report ranges: `from` and `to` are either instants with an offset or local dates. A date means the
 * whole day in the given zone, so `from=2026-05-01&to=2026-05-31` is all of May in Shanghai.
 */
import { nextDate, startOfLocalDate } from '../../core/local-time.ts';

const isDate = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s);

export function rangeMs(from: string | undefined, to: string | undefined, timeZone: string): { fromMs?: number; toMs?: number } {
  const out: { fromMs?: number; toMs?: number } = {};
  if (from) out.fromMs = isDate(from) ? startOfLocalDate(from, timeZone).getTime() : Date.parse(from);
  if (to) out.toMs = isDate(to) ? startOfLocalDate(nextDate(to), timeZone).getTime() : Date.parse(to);
  return out;
}
