/**
 * Voids a redemption in one transaction: its row is locked (so concurrent voids queue and the second
 * finds it voided), the union money of its campaign lines goes back to their budgets, and the void is
 * appended to the chain.
 */
import type pg from 'pg';
import type { VoidResult } from '../../store.ts';
import { inTransaction } from '../pool.ts';
import { appendLedger } from './append-ledger.ts';
import { draws } from './commit-redemption.ts';
import { publicOf, type RedemptionRow } from './redemption-row.ts';

export async function voidRedemption(pool: pg.Pool, id: string, reason: string, by: string, now: Date): Promise<VoidResult> {
  return inTransaction(
    pool,
    async (c): Promise<VoidResult> => {
      const { rows } = await c.query<RedemptionRow>('SELECT * FROM redemptions WHERE id = $1 FOR UPDATE', [id]);
      const r = rows[0];
      if (!r) return { kind: 'refused', code: 'NOT_FOUND', message: 'no such redemption' };
      if (r.status === 'voided') return { kind: 'refused', code: 'ALREADY_VOIDED', message: `voided at ${r.voided_at}` };
      for (const [offerId, fen] of draws(r.body.lines))
        await c.query('UPDATE budgets SET used_fen = used_fen - $2 WHERE offer_id = $1', [offerId, fen]);
      const at = now.toISOString();
      await appendLedger(c, 'void', () => ({ redemptionId: id, reason, by, at }), {
        text: `, u AS (UPDATE redemption_offers SET live = false WHERE seq = $8), d AS (UPDATE redemption_draws SET live = false WHERE seq = $8)
               UPDATE redemptions SET status = 'voided', voided_at = $5, void_reason = $6 WHERE id = $7`,
        values: () => [at, reason, id, r.seq],
      });
      return { kind: 'voided', redemption: publicOf({ ...r, status: 'voided', voided_at: at, void_reason: reason }) };
    },
    { keep: (v) => v.kind === 'voided' },
  );
}
