/**
 * A member's committed, not voided uses of one offer on the local day and in the local month of an
 * instant, in the time zone of the offer's union (its current version), and in total. The day and the
 * month are index ranges on (member, offer, created_at); PostgreSQL computes the local boundaries
 * (AT TIME ZONE), so daylight-saving days are as long as they are. Offers that never had limits are not
 * counted, as in the embedded store.
 */
import { NO_USES, type UsageCount } from '../../../../core/rules/usage-count.ts';
import type { Sql } from '../pool.ts';

export async function usageOf(c: Sql, memberId: string, offerId: string, at: Date): Promise<UsageCount> {
  const { rows } = await c.query<{ day: number; month: number; total: number; counted: boolean }>(
    `WITH z AS (
       SELECT coalesce((SELECT g.doc->>'timeZone' FROM offer_heads h JOIN offers f ON f.id = h.id AND f.version = h.version
                         JOIN orgs g ON g.id = f.doc->>'orgId' WHERE h.id = $2), 'Asia/Shanghai') AS tz
     ), b AS (
       SELECT (date_trunc('day', $3::timestamptz AT TIME ZONE z.tz) AT TIME ZONE z.tz) AS d0,
              ((date_trunc('day', $3::timestamptz AT TIME ZONE z.tz) + interval '1 day') AT TIME ZONE z.tz) AS d1,
              (date_trunc('month', $3::timestamptz AT TIME ZONE z.tz) AT TIME ZONE z.tz) AS m0,
              ((date_trunc('month', $3::timestamptz AT TIME ZONE z.tz) + interval '1 month') AT TIME ZONE z.tz) AS m1
         FROM z
     )
     SELECT count(u.seq) FILTER (WHERE u.created_at >= b.d0 AND u.created_at < b.d1) AS day,
            count(u.seq) FILTER (WHERE u.created_at >= b.m0 AND u.created_at < b.m1) AS month,
            count(u.seq) AS total,
            EXISTS (SELECT 1 FROM offers WHERE id = $2 AND doc->'conditions' ? 'limits') AS counted
       FROM b LEFT JOIN redemption_offers u ON u.member_id = $1 AND u.offer_id = $2 AND u.live
      GROUP BY b.d0, b.d1, b.m0, b.m1`,
    [memberId, offerId, at.toISOString()],
  );
  const r = rows[0];
  if (!r?.counted) return NO_USES;
  return { day: r.day, month: r.month, total: r.total };
}
