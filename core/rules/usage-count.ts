/**
 * How often a member used one offer, as the limits ask it: on the local day and in the local month of
 * an instant (in the zone of the offer's union), and in total. The server's store keeps these as
 * counters, so a quote costs the same at a member's first use and at the hundred-thousandth.
 */
import { localDayMonth } from '../local-time.ts';

export interface UsageCount {
  /** Committed, not voided uses on the local day of the instant asked about. */
  day: number;
  /** … in the local month of that instant. */
  month: number;
  /** … ever. */
  total: number;
}

export const NO_USES: UsageCount = Object.freeze({ day: 0, month: 0, total: 0 });

/** Counts a list of use instants (ISO) the way the counters do: for an offline terminal's own queue, and tests. */
export function countUses(instants: readonly string[], at: Date, timeZone: string): UsageCount {
  if (instants.length === 0) return NO_USES;
  const now = localDayMonth(at.getTime(), timeZone);
  let day = 0;
  let month = 0;
  for (const iso of instants) {
    const p = localDayMonth(Date.parse(iso), timeZone);
    if (p.day === now.day) day++;
    if (p.month === now.month) month++;
  }
  return { day, month, total: instants.length };
}
