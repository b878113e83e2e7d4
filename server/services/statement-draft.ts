/** A settlement statement's draft: union money per merchant and campaign for committed redemptions in the period. */
import type { Redemption } from '../../core/wire.ts';
import type { Statement } from '../../core/wire-portal.ts';

export function draftRows(rs: readonly Redemption[], campaignIds: ReadonlySet<string>): Pick<Statement, 'rows' | 'totalUnionFen' | 'redemptionIds'> {
  const rows = new Map<string, Statement['rows'][number]>();
  const ids: string[] = [];
  for (const r of rs) {
    if (r.status !== 'committed') continue;
    let counted = false;
    for (const l of r.lines) {
      const c = l.funding.campaignId;
      if (!c || !campaignIds.has(c) || l.funding.unionFen === 0) continue;
      const k = `${r.merchantId}|${c}`;
      const row = rows.get(k) ?? { merchantId: r.merchantId, campaignId: c, count: 0, unionFen: 0 };
      row.count++;
      row.unionFen += l.funding.unionFen;
      rows.set(k, row);
      counted = true;
    }
    if (counted) ids.push(r.id);
  }
  const sorted = [...rows.values()].sort((a, b) => a.merchantId.localeCompare(b.merchantId) || a.campaignId.localeCompare(b.campaignId));
  return { rows: sorted, totalUnionFen: sorted.reduce((s, x) => s + x.unionFen, 0), redemptionIds: ids.reverse() };
}
