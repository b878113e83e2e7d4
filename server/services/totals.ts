/** Daily or monthly totals per store in a zone: sales, discount given, and union money owed (committed only). */
import { localParts } from '../../core/local-time.ts';
import type { Redemption } from '../../core/wire.ts';
import type { Totals } from '../../core/wire-portal.ts';
import { merchantFenOf, unionFenOf } from './portal-data.ts';

export function totalsOf(rs: readonly Redemption[], granularity: 'day' | 'month', timeZone: string): Totals {
  const rows = new Map<string, Totals['rows'][number]>();
  const total = { count: 0, salesFen: 0, discountFen: 0, merchantFen: 0, unionFen: 0 };
  for (const r of rs) {
    if (r.status !== 'committed') continue;
    const p = localParts(new Date(r.createdAt), timeZone);
    const period = granularity === 'day' ? p.date : p.month;
    const k = `${period}|${r.storeId}`;
    const row = rows.get(k) ?? { period, storeId: r.storeId, count: 0, salesFen: 0, discountFen: 0, merchantFen: 0, unionFen: 0 };
    const u = unionFenOf(r);
    const m = merchantFenOf(r);
    for (const t of [row, total]) {
      t.count++;
      t.salesFen += r.amountFen;
      t.discountFen += r.discountFen;
      t.merchantFen += m;
      t.unionFen += u;
    }
    rows.set(k, row);
  }
  const sorted = [...rows.values()].sort((a, b) =>
    a.period < b.period ? -1 : a.period > b.period ? 1 : a.storeId.localeCompare(b.storeId),
  );
  return { granularity, timeZone, rows: sorted, total };
}
