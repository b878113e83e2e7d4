/**
 * Anomaly flags for union auditors, each with a sentence saying why. Pure: the caller passes the
 * redemptions (with an opaque per-member key, never shown), the statements, the zone and the range.
 */
import { isoInZone, localParts, minutesOf } from '../local-time.ts';
import { formatYuan } from '../money.ts';
import { receiptNoText } from '../receipt-no.ts';
import { z } from 'zod';
import type { Anomaly, Statement } from '../wire-portal.ts';

/** The thresholds a union sets on its audit page (query parameters of GET /audit/anomalies). */
export const anomalySettingsSchema = z.object({
  burstCount: z.coerce.number().int().min(2).max(100).optional(),
  burstMinutes: z.coerce.number().int().min(1).max(1440).optional(),
  volumeFactor: z.coerce.number().min(1.5).max(50).optional(),
  volumeMin: z.coerce.number().int().min(1).max(100_000).optional(),
});

export interface AnomalyRecord {
  id: string;
  /** the receipt number the flag cites (Redemption.receiptNo); the id where absent */
  receiptNo?: number | undefined;
  /** stable per member (the member id), used only to group; output shows memberNoMasked */
  memberKey: string;
  memberNoMasked: string;
  merchantId: string;
  terminalId: string;
  createdAt: string;
  status: 'committed' | 'voided';
  voidedAt?: string;
  unionFen: number;
}

export interface AnomalyOptions {
  timeZone: string;
  /** only patterns starting at or after this instant are reported (earlier records are the baseline) */
  fromMs?: number;
  toMs?: number;
  /** this many uses by one member … */
  burstCount?: number;
  /** … within this many minutes */
  burstMinutes?: number;
  /** local opening hours; a redemption outside them is at an odd hour */
  dayStarts?: string;
  dayEnds?: string;
  /** Each merchant's own opening hours (`to` before `from`: past midnight; equal: always open); dayStarts–dayEnds where absent. */
  hoursOf?: (merchantId: string) => { from: string; to: string } | undefined;
  /** a terminal-day at least this many times its usual daily count … */
  volumeFactor?: number;
  /** … and at least this many redemptions */
  volumeMin?: number;
  /** days of history that make "usual", and the fewest needed to judge */
  baselineDays?: number;
  minHistoryDays?: number;
}

type StatementLike = Pick<Statement, 'id' | 'status' | 'approvedAt' | 'approvedBy' | 'redemptionIds' | 'from' | 'to'>;

const DAY = 86_400_000;

export function findAnomalies(records: readonly AnomalyRecord[], statements: readonly StatementLike[], opts: AnomalyOptions): Anomaly[] {
  const tz = opts.timeZone;
  const burstCount = opts.burstCount ?? 3;
  const burstMs = (opts.burstMinutes ?? 60) * 60_000;
  const dayStarts = minutesOf(opts.dayStarts ?? '06:00');
  const dayEnds = minutesOf(opts.dayEnds ?? '23:00');
  const inRange = (ms: number) => (opts.fromMs === undefined || ms >= opts.fromMs) && (opts.toMs === undefined || ms < opts.toMs);
  const when = (iso: string) => isoInZone(new Date(iso), tz);
  const hhmm = (iso: string) => when(iso).slice(11, 16);
  const flags: Omit<Anomaly, 'receiptNos'>[] = [];
  const sorted = [...records].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || (a.id < b.id ? -1 : 1));

  // 1. One member many times within an hour.
  const byMember = new Map<string, AnomalyRecord[]>();
  for (const r of sorted) byMember.set(r.memberKey, [...(byMember.get(r.memberKey) ?? []), r]);
  for (const list of byMember.values()) {
    let i = 0;
    while (i < list.length) {
      const start = Date.parse(list[i]!.createdAt);
      let j = i;
      while (j + 1 < list.length && Date.parse(list[j + 1]!.createdAt) < start + burstMs) j++;
      const group = list.slice(i, j + 1);
      if (group.length >= burstCount && inRange(start)) {
        const first = group[0]!;
        const last = group[group.length - 1]!;
        const merchants = [...new Set(group.map((g) => g.merchantId))];
        const mins = Math.round((Date.parse(last.createdAt) - start) / 60_000);
        flags.push({
          kind: 'member_burst',
          at: when(first.createdAt),
          redemptionIds: group.map((g) => g.id),
          merchantId: first.merchantId,
          explanation: `member ${first.memberNoMasked} was served ${group.length} times in ${mins} minutes (${hhmm(first.createdAt)}–${hhmm(last.createdAt)}) at ${merchants.join(', ')}: a shared or copied card?`,
          explanationZh: `会员 ${first.memberNoMasked} 在 ${mins} 分钟内（${hhmm(first.createdAt)}–${hhmm(last.createdAt)}）使用 ${group.length} 次，可能是借卡或复制卡`,
        });
        i = j + 1;
      } else i++;
    }
  }

  // 2. Odd hours: outside the merchant's own opening hours (a hotpot open to 02:00 is not odd at 01:00).
  for (const r of sorted) {
    const ms = Date.parse(r.createdAt);
    if (!inRange(ms)) continue;
    const m = localParts(new Date(ms), tz).minuteOfDay;
    const own = opts.hoursOf?.(r.merchantId);
    const from = own ? minutesOf(own.from) : dayStarts;
    const to = own ? minutesOf(own.to) : dayEnds;
    const open = from === to || (from < to ? m >= from && m < to : m >= from || m < to);
    if (open) continue;
    const window = own ? `${own.from}–${own.to}` : `${opts.dayStarts ?? '06:00'}–${opts.dayEnds ?? '23:00'}`;
    flags.push({
      kind: 'odd_hours',
      at: when(r.createdAt),
      redemptionIds: [r.id],
      merchantId: r.merchantId,
      terminalId: r.terminalId,
      explanation: `redeemed at ${hhmm(r.createdAt)} (${tz}), outside ${own ? "the merchant's opening hours" : 'the usual hours'} ${window} at terminal ${r.terminalId}`,
      explanationZh: `在 ${hhmm(r.createdAt)} 核销，不在${own ? '该商户营业时间' : '正常营业时段'} ${window} 内（终端 ${r.terminalId}）`,
    });
  }

  // 3. A terminal far above its usual daily volume.
  const factor = opts.volumeFactor ?? 3;
  const volMin = opts.volumeMin ?? 20;
  const baselineDays = opts.baselineDays ?? 28;
  const minHistory = opts.minHistoryDays ?? 7;
  const perTerminal = new Map<string, Map<string, AnomalyRecord[]>>();
  for (const r of sorted) {
    const d = localParts(new Date(r.createdAt), tz).date;
    const days = perTerminal.get(r.terminalId) ?? new Map<string, AnomalyRecord[]>();
    days.set(d, [...(days.get(d) ?? []), r]);
    perTerminal.set(r.terminalId, days);
  }
  const dayIndex = (d: string) => Math.round(Date.parse(`${d}T00:00:00Z`) / DAY);
  for (const [terminalId, days] of perTerminal) {
    const firstDay = Math.min(...[...days.keys()].map(dayIndex));
    const countOn = new Map([...days].map(([d, l]) => [dayIndex(d), l.length]));
    for (const [d, list] of days) {
      const di = dayIndex(d);
      const start = Math.max(firstDay, di - baselineDays);
      const history = di - start;
      if (history < minHistory || list.length < volMin) continue;
      let sum = 0;
      for (let k = start; k < di; k++) sum += countOn.get(k) ?? 0;
      const usual = sum / history;
      if (list.length < factor * Math.max(usual, 1)) continue;
      if (!inRange(Date.parse(list[0]!.createdAt))) continue;
      flags.push({
        kind: 'terminal_volume',
        at: when(list[0]!.createdAt),
        redemptionIds: list.map((r) => r.id),
        merchantId: list[0]!.merchantId,
        terminalId,
        explanation: `terminal ${terminalId} recorded ${list.length} redemptions on ${d}; its usual is ${usual.toFixed(1)} a day (mean of the ${history} days before)`,
        explanationZh: `终端 ${terminalId} 在 ${d} 核销 ${list.length} 笔，此前 ${history} 天平均每天 ${usual.toFixed(1)} 笔`,
      });
    }
  }

  // 4. Voids of redemptions whose union money an approved statement already counted.
  const byId = new Map(sorted.map((r) => [r.id, r]));
  for (const s of statements) {
    if (s.status !== 'approved' && s.status !== 'paid') continue; // drafts and cancelled ones counted nothing
    for (const id of s.redemptionIds) {
      const r = byId.get(id);
      if (r?.status !== 'voided' || !r.voidedAt) continue;
      const after = s.approvedAt !== undefined && r.voidedAt > s.approvedAt;
      flags.push({
        kind: 'void_after_statement',
        at: when(r.voidedAt),
        redemptionIds: [r.id],
        merchantId: r.merchantId,
        terminalId: r.terminalId,
        explanation: `voided at ${when(r.voidedAt)}, ${after ? 'after' : 'before'} statement ${s.id} (${s.from} to ${s.to}) was approved${s.approvedBy ? ` by ${s.approvedBy}` : ''}; it counted ${formatYuan(r.unionFen)} of union money for it`,
        explanationZh: `于 ${when(r.voidedAt)} 撤销，${after ? '晚于' : '早于'}结算单 ${s.id}（${s.from} 至 ${s.to}）的审批，该单已计入工会资金 ${formatYuan(r.unionFen)}`,
      });
    }
  }
  // Cited by receipt number, as the merchant's and the union's logs print and find them.
  const cite = (id: string) => receiptNoText(byId.get(id) ?? { id });
  return flags.map((f) => ({ ...f, receiptNos: f.redemptionIds.map(cite) })).sort(byWeight);
}

/** How much a kind of flag weighs for an auditor: money already settled first, a stray late sale last. */
export const ANOMALY_WEIGHT: Record<Anomaly['kind'], number> = {
  void_after_statement: 4,
  member_burst: 3,
  terminal_volume: 2,
  odd_hours: 1,
};

/** Heaviest kind first; within a kind, the flag covering the most redemptions, then the newest. */
export function byWeight(a: Anomaly, b: Anomaly): number {
  return (
    ANOMALY_WEIGHT[b.kind] - ANOMALY_WEIGHT[a.kind] ||
    b.redemptionIds.length - a.redemptionIds.length ||
    (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)
  );
}
