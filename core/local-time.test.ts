import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isoInZone, localDayMonth, localParts, minutesOf } from './local-time.ts';

const at = (iso: string) => new Date(iso);

describe('localParts', () => {
  it('puts 23:30 UTC on a Friday on Saturday morning in Shanghai', () => {
    const t = at('2026-05-01T23:30:00Z'); // Friday in UTC
    expect(localParts(t, 'UTC')).toEqual({ date: '2026-05-01', month: '2026-05', weekday: 5, minuteOfDay: 23 * 60 + 30 });
    expect(localParts(t, 'Asia/Shanghai')).toEqual({ date: '2026-05-02', month: '2026-05', weekday: 6, minuteOfDay: 7 * 60 + 30 });
  });

  it('puts a Shanghai Saturday 00:30 on Friday in UTC', () => {
    const t = at('2026-05-02T00:30:00+08:00');
    expect(localParts(t, 'Asia/Shanghai').weekday).toBe(6);
    expect(localParts(t, 'UTC').weekday).toBe(5);
  });

  it('crosses the month and the year in the zone, not in UTC', () => {
    expect(localParts(at('2026-01-31T16:00:00Z'), 'Asia/Shanghai')).toMatchObject({ date: '2026-02-01', month: '2026-02' });
    expect(localParts(at('2026-01-31T16:00:00Z'), 'UTC')).toMatchObject({ date: '2026-01-31', month: '2026-01' });
    expect(localParts(at('2025-12-31T16:00:00Z'), 'Asia/Shanghai')).toMatchObject({ date: '2026-01-01', month: '2026-01', weekday: 4 });
  });

  it('reports local midnight as minute 0, not 24:00', () => {
    expect(localParts(at('2026-03-01T16:00:00Z'), 'Asia/Shanghai')).toEqual({
      date: '2026-03-02',
      month: '2026-03',
      weekday: 1,
      minuteOfDay: 0,
    });
    expect(localParts(at('2026-03-02T00:00:00Z'), 'UTC').minuteOfDay).toBe(0);
  });

  it('numbers ISO weekdays Monday = 1 through Sunday = 7', () => {
    // 2026-05-04 is a Monday.
    const days = [0, 1, 2, 3, 4, 5, 6].map(
      (d) => localParts(at(`2026-05-${String(4 + d).padStart(2, '0')}T12:00:00+08:00`), 'Asia/Shanghai').weekday,
    );
    expect(days).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  describe('America/New_York around the 2026 DST changes', () => {
    const NY = 'America/New_York';
    it('jumps from 01:59 EST to 03:00 EDT on 8 March 2026', () => {
      expect(localParts(at('2026-03-08T06:59:00Z'), NY)).toEqual({
        date: '2026-03-08',
        month: '2026-03',
        weekday: 7,
        minuteOfDay: 1 * 60 + 59,
      });
      expect(localParts(at('2026-03-08T07:00:00Z'), NY)).toEqual({ date: '2026-03-08', month: '2026-03', weekday: 7, minuteOfDay: 3 * 60 });
    });
    it('starts the next local day at 04:00 UTC after the change, not at 05:00', () => {
      expect(localParts(at('2026-03-09T03:59:00Z'), NY).date).toBe('2026-03-08');
      expect(localParts(at('2026-03-09T04:00:00Z'), NY)).toMatchObject({ date: '2026-03-09', weekday: 1, minuteOfDay: 0 });
    });
    it('repeats 01:30 on 1 November 2026 (EDT, then EST) on the same local date', () => {
      const edt = localParts(at('2026-11-01T05:30:00Z'), NY);
      const est = localParts(at('2026-11-01T06:30:00Z'), NY);
      expect(edt).toEqual({ date: '2026-11-01', month: '2026-11', weekday: 7, minuteOfDay: 90 });
      expect(est).toEqual(edt);
    });
    it('puts Shanghai noon at New York midnight in summer and at 23:00 the day before in winter', () => {
      // 12:00 Shanghai = 00:00 EDT (summer) or 23:00 EST the day before (winter).
      expect(localParts(at('2026-07-01T12:00:00+08:00'), NY)).toMatchObject({ date: '2026-07-01', minuteOfDay: 0 });
      expect(localParts(at('2026-12-01T12:00:00+08:00'), NY)).toMatchObject({ date: '2026-11-30', minuteOfDay: 23 * 60 });
    });
  });

  it('agrees with the Date UTC fields for every instant in UTC', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1971-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }), (d) => {
        const p = localParts(d, 'UTC');
        expect(p.date).toBe(d.toISOString().slice(0, 10));
        expect(p.month).toBe(d.toISOString().slice(0, 7));
        expect(p.weekday).toBe(((d.getUTCDay() + 6) % 7) + 1);
        expect(p.minuteOfDay).toBe(d.getUTCHours() * 60 + d.getUTCMinutes());
      }),
      { numRuns: 300 },
    );
  });

  it('is always UTC+8 in Shanghai (no DST since 1991)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1992-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }), (d) => {
        expect(localParts(d, 'Asia/Shanghai')).toEqual(localParts(new Date(d.getTime() + 8 * 3_600_000), 'UTC'));
      }),
      { numRuns: 300 },
    );
  });
});

/** What localParts answered before its offset cache: Intl formatToParts on the instant itself. */
const intlFormats = new Map<string, Intl.DateTimeFormat>();
function intlParts(d: Date, timeZone: string) {
  const p: Record<string, string> = {};
  const f =
    intlFormats.get(timeZone) ??
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
    });
  intlFormats.set(timeZone, f);
  for (const part of f.formatToParts(d)) p[part.type] = part.value;
  const date = `${p.year}-${p.month}-${p.day}`;
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(p.weekday!) + 1;
  return { date, month: date.slice(0, 7), weekday, minuteOfDay: Number(p.hour) * 60 + Number(p.minute) };
}

describe('localParts from the cached offset', () => {
  const ZONES = [
    'Asia/Shanghai',
    'America/New_York',
    'Europe/London',
    'Australia/Lord_Howe',
    'Asia/Kathmandu',
    'Pacific/Chatham',
    'America/St_Johns',
    'Asia/Tehran',
  ];
  it('agrees with Intl for any instant in zones with DST, half-hour and quarter-hour offsets', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2090-01-01T00:00:00Z'), noInvalidDate: true }),
        fc.constantFrom(...ZONES),
        (d, tz) => {
          expect(localParts(d, tz)).toEqual(intlParts(d, tz));
        },
      ),
      { numRuns: 500 },
    );
  });
  it('agrees with Intl every minute around the 2026 DST changes (New York, London, Lord Howe, Chatham)', () => {
    const around = [
      '2026-03-08T07:00:00Z',
      '2026-11-01T06:00:00Z',
      '2026-03-29T01:00:00Z',
      '2026-10-25T01:00:00Z',
      '2026-04-04T15:00:00Z',
      '2026-10-03T15:30:00Z',
      '2026-04-04T14:00:00Z',
      '2026-09-26T14:00:00Z',
    ];
    for (const iso of around) {
      for (let m = -90; m <= 90; m++) {
        const d = new Date(Date.parse(iso) + m * 60_000 + 17_000);
        for (const tz of ['America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Pacific/Chatham'])
          expect(localParts(d, tz)).toEqual(intlParts(d, tz));
      }
    }
  });
  it('numbers local days and months as localParts names them', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2090-01-01T00:00:00Z'), noInvalidDate: true }),
        fc.constantFrom(...ZONES),
        (d, tz) => {
          const p = localParts(d, tz);
          const n = localDayMonth(d.getTime(), tz);
          expect(new Date(n.day * 86_400_000).toISOString().slice(0, 10)).toBe(p.date);
          expect(`${Math.floor(n.month / 12)}-${String((n.month % 12) + 1).padStart(2, '0')}`).toBe(p.month);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('minutesOf', () => {
  it.each([
    ['00:00', 0],
    ['09:30', 570],
    ['22:00', 1320],
    ['23:59', 1439],
  ])('reads %s as minute %i of the day', (hhmm, m) => expect(minutesOf(hhmm)).toBe(m));
});

describe('isoInZone', () => {
  it('writes the zone offset: +08:00 in Shanghai, +00:00 in UTC', () => {
    const t = at('2026-11-23T10:30:00Z');
    expect(isoInZone(t, 'Asia/Shanghai')).toBe('2026-11-23T18:30:00+08:00');
    expect(isoInZone(t, 'UTC')).toBe('2026-11-23T10:30:00+00:00');
  });
  it('writes -05:00 before and -04:00 after the New York spring change', () => {
    expect(isoInZone(at('2026-03-08T06:59:59Z'), 'America/New_York')).toBe('2026-03-08T01:59:59-05:00');
    expect(isoInZone(at('2026-03-08T07:00:00Z'), 'America/New_York')).toBe('2026-03-08T03:00:00-04:00');
  });
  it('writes half-hour and quarter-hour offsets', () => {
    expect(isoInZone(at('2026-01-01T00:00:00Z'), 'Asia/Kolkata')).toBe('2026-01-01T05:30:00+05:30');
    expect(isoInZone(at('2026-01-01T00:00:00Z'), 'Asia/Kathmandu')).toBe('2026-01-01T05:45:00+05:45');
  });
  it('names the same instant it was given, in any zone', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2090-01-01T00:00:00Z'), noInvalidDate: true }),
        fc.constantFrom(
          'Asia/Shanghai',
          'UTC',
          'America/New_York',
          'Europe/London',
          'Australia/Lord_Howe',
          'Asia/Kathmandu',
          'Pacific/Chatham',
        ),
        (d, tz) => {
          const s = isoInZone(d, tz);
          expect(s).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
          expect(new Date(s).getTime()).toBe(Math.floor(d.getTime() / 1000) * 1000);
        },
      ),
      { numRuns: 300 },
    );
  });
});
