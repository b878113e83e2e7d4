/** Calendar facts of an instant in a named time zone. Pure: Intl only, no clock reads. */
export interface LocalParts {
  /** YYYY-MM-DD */
  date: string;
  /** YYYY-MM */
  month: string;
  /** ISO weekday, 1 = Monday … 7 = Sunday */
  weekday: number;
  /** minutes since local midnight */
  minuteOfDay: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // Building a DateTimeFormat costs ~50 µs; a quote evaluates several offers, so keep one per zone.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * The zone's offset from UTC in minutes, read through Intl once per zone and quarter hour, then cached.
 * Why: formatToParts costs microseconds and allocates; a quote asked it several times (7.4% of server
 * CPU under load). Every offset and every transition of today's zones falls on a quarter hour of UTC,
 * so the offset is constant within each quarter hour. Pure: the cache holds facts, not the clock.
 */
const QUARTER_MS = 15 * 60_000;
const OFFSET_CACHE_MAX = 20_000; // per zone: about 200 days of distinct quarter hours

interface ZoneCache {
  offsets: Map<number, number>;
  // The last quarter hour and minute asked: a server asks about "now" thousands of times a second.
  lastQ: number;
  lastOff: number;
  lastMinute: number;
  lastParts: LocalParts | undefined;
}
const zones = new Map<string, ZoneCache>();

function zoneCache(timeZone: string): ZoneCache {
  let z = zones.get(timeZone);
  if (!z) zones.set(timeZone, (z = { offsets: new Map(), lastQ: NaN, lastOff: 0, lastMinute: NaN, lastParts: undefined }));
  return z;
}

function zoneOffsetMinutes(ms: number, timeZone: string): number {
  const z = zoneCache(timeZone);
  const q = Math.floor(ms / QUARTER_MS);
  if (q === z.lastQ) return z.lastOff;
  let off = z.offsets.get(q);
  if (off === undefined) {
    const start = q * QUARTER_MS;
    const p: Record<string, string> = {};
    for (const part of formatter(timeZone).formatToParts(new Date(start))) p[part.type] = part.value;
    const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute));
    off = Math.round((asUtc - start) / 60_000);
    if (z.offsets.size >= OFFSET_CACHE_MAX) z.offsets.clear();
    z.offsets.set(q, off);
  }
  z.lastQ = q;
  z.lastOff = off;
  return off;
}

/** Days since 1970-01-01 → [year, month 1–12, day] (Howard Hinnant's civil_from_days): no Date object made. */
function civil(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** The same object for every instant of one local minute (do not mutate it). */
export function localParts(at: Date, timeZone: string): LocalParts {
  const ms = at.getTime();
  const z = zoneCache(timeZone);
  const minute = Math.floor(ms / 60_000);
  if (minute === z.lastMinute && z.lastParts) return z.lastParts;
  const localMin = minute + zoneOffsetMinutes(ms, timeZone);
  const days = Math.floor(localMin / 1440);
  const [y, m, d] = civil(days);
  const month = `${y}-${pad2(m)}`;
  const parts: LocalParts = Object.freeze({
    date: `${month}-${pad2(d)}`,
    month,
    weekday: ((((days + 3) % 7) + 7) % 7) + 1, // 1970-01-01 was a Thursday (ISO 4)
    minuteOfDay: localMin - days * 1440,
  });
  z.lastMinute = minute;
  z.lastParts = parts;
  return parts;
}

/**
 * The local calendar day and month of an instant as plain numbers (days since 1970-01-01 local, and
 * year × 12 + month index): keys for usage counters, with no strings made.
 */
export function localDayMonth(ms: number, timeZone: string): { day: number; month: number } {
  const day = Math.floor((ms + zoneOffsetMinutes(ms, timeZone) * 60_000) / 86_400_000);
  const [y, m] = civil(day);
  return { day, month: y * 12 + m - 1 };
}

export function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** ISO 8601 with the zone's own offset, e.g. 2026-11-23T18:30:00+08:00, for people and CSV. */
export function isoInZone(at: Date, timeZone: string): string {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'longOffset',
  });
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(at)) p[part.type] = part.value;
  const off = (p.timeZoneName ?? 'GMT').replace('GMT', '') || '+00:00';
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${off}`;
}

/** Offset of the zone from UTC at an instant, in minutes (Shanghai: +480). */
export function offsetMinutes(at: Date, timeZone: string): number {
  return zoneOffsetMinutes(at.getTime(), timeZone);
}

/** The instant a local calendar date starts in a zone (DST-safe to the minute). */
export function startOfLocalDate(date: string, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d);
  let t = guess - offsetMinutes(new Date(guess), timeZone) * 60_000;
  // Across a DST change the offset at the guess differs from the offset at the answer; one refinement fixes it.
  t = guess - offsetMinutes(new Date(t), timeZone) * 60_000;
  return new Date(t);
}

/** The day after a YYYY-MM-DD date. */
export function nextDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}
