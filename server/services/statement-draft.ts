/**
 * A settlement statement's draft: union money per merchant and funding offer for committed redemptions
 * in the period, and the adjustments it carries for voids since an approved or paid statement.
 * Counted with core/union-money.ts, as settlement reports and statistics are.
 */
import { unionDraws } from '../../core/union-money.ts';
import type { Redemption } from '../../core/wire.ts';
import type { Statement, StatementAdjustment } from '../../core/wire-portal.ts';

type Counts = (offerId: string) => boolean;

export function draftRows(rs: readonly Redemption[], counts: Counts): Pick<Statement, 'rows' | 'totalUnionFen' | 'redemptionIds'> {
  const rows = new Map<string, Statement['rows'][number]>();
  const ids: string[] = [];
  for (const r of rs) {
    const draws = unionDraws(r, counts);
    for (const d of draws) {
      const k = `${r.merchantId}|${d.offerId}`;
      const row = rows.get(k) ?? { merchantId: r.merchantId, campaignId: d.offerId, count: 0, unionFen: 0 };
      row.count++;
      row.unionFen += d.unionFen;
      rows.set(k, row);
    }
    if (draws.length) ids.push(r.id);
  }
  const sorted = [...rows.values()].sort((a, b) => a.merchantId.localeCompare(b.merchantId) || a.campaignId.localeCompare(b.campaignId));
  return { rows: sorted, totalUnionFen: sorted.reduce((s, x) => s + x.unionFen, 0), redemptionIds: ids.reverse() };
}

/**
 * Voided redemptions that an approved or paid statement of the union counted and no statement (other
 * than cancelled ones) has deducted yet: what the union's next statement must carry.
 */
export function pendingAdjustments(statements: readonly Statement[], voided: readonly Redemption[], counts: Counts): StatementAdjustment[] {
  const carried = new Set<string>();
  for (const s of statements) if (s.status !== 'cancelled') for (const a of s.adjustments ?? []) carried.add(a.redemptionId);
  const coveredBy = new Map<string, string>();
  for (const s of statements) if (s.status === 'approved' || s.status === 'paid') for (const id of s.redemptionIds) coveredBy.set(id, s.id);
  const out: StatementAdjustment[] = [];
  for (const r of voided) {
    const statementId = coveredBy.get(r.id);
    if (r.status !== 'voided' || !statementId || carried.has(r.id)) continue;
    // What the earlier statement counted: the lines as committed (lines never change; only the status does).
    for (const d of unionDraws({ status: 'committed', lines: r.lines }, counts)) {
      out.push({
        redemptionId: r.id,
        statementId,
        merchantId: r.merchantId,
        campaignId: d.offerId,
        unionFen: d.unionFen,
        voidedAt: r.voidedAt ?? r.createdAt,
      });
    }
  }
  return out.sort((a, b) => (a.voidedAt < b.voidedAt ? -1 : a.voidedAt > b.voidedAt ? 1 : a.redemptionId.localeCompare(b.redemptionId)));
}
