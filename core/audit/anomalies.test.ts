import { describe, expect, it } from 'vitest';
import { findAnomalies, type AnomalyRecord } from './anomalies.ts';

const TZ = 'Asia/Shanghai';
let n = 0;
function rec(createdAt: string, o: Partial<AnomalyRecord> = {}): AnomalyRecord {
  n++;
  return {
    id: `rd-${String(n).padStart(4, '0')}`,
    memberKey: 'mbr-1',
    memberNoMasked: '5133****17',
    merchantId: 'm-minmao',
    terminalId: 't-minmao-1',
    createdAt,
    status: 'committed',
    unionFen: 0,
    ...o,
  };
}

describe('anomalies', () => {
  it('flags one member served three times within an hour, and not twice or spread out', () => {
    const burst = [rec('2026-11-25T04:00:00Z'), rec('2026-11-25T04:20:00Z'), rec('2026-11-25T04:59:00Z', { merchantId: 'm-xlk' })];
    const spread = [
      rec('2026-11-25T06:00:00Z', { memberKey: 'b' }),
      rec('2026-11-25T06:40:00Z', { memberKey: 'b' }),
      rec('2026-11-25T07:01:00Z', { memberKey: 'b' }),
    ];
    const flags = findAnomalies([...burst, ...spread], [], { timeZone: TZ });
    const bursts = flags.filter((f) => f.kind === 'member_burst');
    expect(bursts).toHaveLength(1);
    expect(bursts[0]!.redemptionIds).toEqual(burst.map((r) => r.id));
    expect(bursts[0]!.at).toBe('2026-11-25T12:00:00+08:00');
    expect(bursts[0]!.explanation).toContain('3 times in 59 minutes');
    expect(bursts[0]!.explanationZh).toContain('5133****17');
  });

  it('flags redemptions at odd hours in the union time zone, not in UTC', () => {
    // 18:30 UTC is 02:30 in Shanghai; 02:30 UTC is 10:30 there.
    const night = rec('2026-11-24T18:30:00Z', { memberKey: 'x' });
    const day = rec('2026-11-25T02:30:00Z', { memberKey: 'y' });
    const flags = findAnomalies([night, day], [], { timeZone: TZ });
    expect(flags.map((f) => [f.kind, f.redemptionIds[0]])).toEqual([['odd_hours', night.id]]);
    expect(flags[0]!.explanation).toContain('02:30');
    expect(findAnomalies([day], [], { timeZone: 'UTC' }).some((f) => f.kind === 'odd_hours')).toBe(true);
    expect(findAnomalies([night], [], { timeZone: 'UTC' }).some((f) => f.kind === 'odd_hours')).toBe(false);
  });

  it('flags a terminal day far above its usual volume once it has a history', () => {
    const rs: AnomalyRecord[] = [];
    for (let d = 1; d <= 10; d++)
      for (let k = 0; k < 2; k++) rs.push(rec(`2026-11-${String(d).padStart(2, '0')}T03:0${k}:00Z`, { memberKey: `m${d}-${k}` }));
    const busy = Array.from({ length: 25 }, (_, k) =>
      rec(`2026-11-11T0${Math.floor(k / 10) + 2}:${String((k % 10) * 5).padStart(2, '0')}:00Z`, { memberKey: `busy${k}` }),
    );
    const flags = findAnomalies([...rs, ...busy], [], { timeZone: TZ }).filter((f) => f.kind === 'terminal_volume');
    expect(flags).toHaveLength(1);
    expect(flags[0]!.redemptionIds).toHaveLength(25);
    expect(flags[0]!.explanation).toContain('usual is 2.0 a day');
    // Reported only when the busy day is in the asked range; the history still counts.
    expect(
      findAnomalies([...rs, ...busy], [], { timeZone: TZ, fromMs: Date.parse('2026-11-12T00:00:00+08:00') }).filter(
        (f) => f.kind === 'terminal_volume',
      ),
    ).toEqual([]);
    // Without a week of history there is no "usual" to compare with.
    expect(findAnomalies(busy, [], { timeZone: TZ }).filter((f) => f.kind === 'terminal_volume')).toEqual([]);
  });

  it('flags a void of a redemption an approved statement counted, and ignores drafts', () => {
    const r = rec('2026-11-02T03:00:00Z', { memberKey: 'z', status: 'voided', voidedAt: '2026-12-03T02:00:00.000Z', unionFen: 20000 });
    const approved = {
      id: 'st-1',
      status: 'approved' as const,
      approvedAt: '2026-12-02T01:00:00.000Z',
      approvedBy: 'gz-auditor',
      redemptionIds: [r.id],
      from: '2026-11-01',
      to: '2026-11-30',
    };
    const flags = findAnomalies([r], [approved, { ...approved, id: 'st-2', status: 'draft' }], { timeZone: TZ });
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({ kind: 'void_after_statement', redemptionIds: [r.id] });
    expect(flags[0]!.explanation).toContain('after statement st-1');
    expect(flags[0]!.explanation).toContain('¥200.00');
    expect(findAnomalies([{ ...r, status: 'committed' }], [approved], { timeZone: TZ })).toEqual([]);
  });

  it("judges odd hours against each merchant's own opening hours, past midnight too", () => {
    const hours: Record<string, { from: string; to: string }> = {
      'm-xlk': { from: '11:00', to: '02:00' },
      'm-hotel': { from: '00:00', to: '00:00' },
    };
    // 01:30 in Shanghai: the hotpot is open, the hotel always is, the department store (default hours) is not.
    const at = '2026-11-24T17:30:00Z';
    const hotpot = rec(at, { merchantId: 'm-xlk', memberKey: 'a' });
    const hotel = rec(at, { merchantId: 'm-hotel', memberKey: 'b' });
    const store = rec(at, { merchantId: 'm-minmao', memberKey: 'c' });
    const late = rec('2026-11-24T19:30:00Z', { merchantId: 'm-xlk', memberKey: 'd' }); // 03:30: the hotpot closed at 02:00
    const flags = findAnomalies([hotpot, hotel, store, late], [], { timeZone: TZ, hoursOf: (id) => hours[id] });
    expect(flags.map((f) => f.redemptionIds[0]).sort()).toEqual([store.id, late.id].sort());
    expect(flags.find((f) => f.redemptionIds[0] === late.id)!.explanationZh).toContain('该商户营业时间 11:00–02:00');
  });

  it('sorts by weight: settled money first, then bursts, terminal volume, odd hours; bigger groups first within a kind', () => {
    const night = rec('2026-11-24T18:30:00Z', { memberKey: 'n' });
    const burst = [
      rec('2026-11-25T04:00:00Z', { memberKey: 'z' }),
      rec('2026-11-25T04:10:00Z', { memberKey: 'z' }),
      rec('2026-11-25T04:20:00Z', { memberKey: 'z' }),
    ];
    const big = [0, 1, 2, 3].map((i) => rec(`2026-11-25T03:0${i}:00Z`, { memberKey: 'w' }));
    const flags = findAnomalies([night, ...burst, ...big], [], { timeZone: TZ });
    expect(flags.map((f) => [f.kind, f.redemptionIds.length])).toEqual([
      ['member_burst', 4],
      ['member_burst', 3],
      ['odd_hours', 1],
    ]);
  });
});
