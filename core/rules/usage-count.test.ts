import { describe, expect, it } from 'vitest';
import { countUses, NO_USES } from './usage-count.ts';

describe('countUses', () => {
  it('counts the local day and month of the instant asked about, in the zone given', () => {
    // 23:30 on 30 April in Shanghai is 15:30 UTC; 00:30 on 1 May in Shanghai is 16:30 UTC.
    const uses = ['2026-04-30T15:30:00Z', '2026-04-30T16:30:00Z', '2026-05-01T03:00:00Z', '2026-03-01T03:00:00Z'];
    expect(countUses(uses, new Date('2026-05-01T04:00:00Z'), 'Asia/Shanghai')).toEqual({ day: 2, month: 2, total: 4 });
    expect(countUses(uses, new Date('2026-05-01T04:00:00Z'), 'UTC')).toEqual({ day: 1, month: 1, total: 4 });
  });
  it('answers no uses for none', () => {
    expect(countUses([], new Date(), 'Asia/Shanghai')).toBe(NO_USES);
  });
});
