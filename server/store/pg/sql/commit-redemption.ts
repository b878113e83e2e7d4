/**
 * Records a redemption, or refuses it, in one transaction: idempotency key, QR nonce, per-member limits
 * (the member's row is locked while they are counted), every campaign's budget (a conditional update:
 * `used + n <= budget`), then the ledger append. Two commits of one key race to the unique index; the
 * loser is re-run and answers as a replay.
 */
import type pg from 'pg';
import type { Offer } from '../../../../core/domain.ts';
import type { UsageCount } from '../../../../core/rules/usage-count.ts';
import { fundedOfferOf } from '../../../../core/union-money.ts';
import type { Redemption } from '../../../../core/wire.ts';
import { redemptionId } from '../../ledger-index.ts';
import type { CommitResult, RedemptionDraft } from '../../store.ts';
import { inTransaction } from '../pool.ts';
import { appendLedger } from './append-ledger.ts';
import { publicOf, type RedemptionRow } from './redemption-row.ts';
import { usageOf } from './usage.ts';

export type OfferVersion = (id: string, version: number) => Promise<Offer | undefined>;

const isRaceLoss = (err: unknown) => {
  const e = err as { code?: string; constraint?: string };
  return e.code === '23505' && (e.constraint === 'redemptions_idempotency_key_key' || e.constraint === 'redemptions_qr_nonce_key');
};

/** Union money per offer whose budget it draws on (core/union-money.ts), in a fixed order so concurrent commits lock budgets alike and never deadlock. */
export function draws(lines: RedemptionDraft['lines']): [string, number][] {
  const m = new Map<string, number>();
  for (const l of lines) if (l.funding.unionFen > 0) m.set(fundedOfferOf(l), (m.get(fundedOfferOf(l)) ?? 0) + l.funding.unionFen);
  return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
}

export async function commitRedemption(
  pool: pg.Pool,
  draft: RedemptionDraft,
  limitCheck: (offer: Offer, used: UsageCount) => string | null,
  offerVersion: OfferVersion,
): Promise<CommitResult> {
  const offers: (Offer | undefined)[] = await Promise.all(draft.lines.map((l) => offerVersion(l.agreementId, l.agreementVersion)));
  return inTransaction(
    pool,
    async (c): Promise<CommitResult> => {
      const prior = await c.query<RedemptionRow>('SELECT * FROM redemptions WHERE idempotency_key = $1', [draft.idempotencyKey]);
      const existing = prior.rows[0];
      if (existing) {
        if (existing.quote_id !== draft.quoteId)
          return { kind: 'refused', code: 'IDEMPOTENCY_CONFLICT', message: `key already used for quote ${existing.quote_id}` };
        return { kind: 'replayed', redemption: publicOf(existing) };
      }
      if (draft.qrNonce) {
        const used = await c.query('SELECT 1 FROM redemptions WHERE qr_nonce = $1', [draft.qrNonce]);
        if (used.rowCount) return { kind: 'refused', code: 'QR_REPLAYED', message: 'member QR code already used' };
      }
      const limited = draft.lines.map((l, i) => [l, offers[i]] as const).filter(([, o]) => o?.conditions.limits);
      if (limited.length > 0) {
        // Counting and recording a member's uses must not interleave with another commit of the same member.
        await c.query('SELECT 1 FROM members WHERE id = $1 FOR UPDATE', [draft.memberId]);
        for (const [line, offer] of limited) {
          const why = limitCheck(offer!, await usageOf(c, draft.memberId, offer!.id, new Date(draft.createdAt)));
          if (why) return { kind: 'refused', code: 'LIMIT_REACHED', message: `${line.title}: limit ${why}` };
        }
      }
      for (const [offerId, fen] of draws(draft.lines)) {
        // Every union-funded line draws on its offer's budget; an offer without a budget grants no union money.
        const ok = await c.query(
          'UPDATE budgets SET used_fen = used_fen + $2 WHERE offer_id = $1 AND budget_fen IS NOT NULL AND used_fen + $2 <= budget_fen',
          [offerId, fen],
        );
        if (ok.rowCount === 0) {
          const row = (
            await c.query<{ budget_fen: number | null; used_fen: number }>('SELECT budget_fen, used_fen FROM budgets WHERE offer_id = $1', [
              offerId,
            ])
          ).rows[0];
          const title = draft.lines.find((l) => fundedOfferOf(l) === offerId)?.title ?? offerId;
          const left =
            row && row.budget_fen !== null ? `${row.budget_fen - row.used_fen} fen left of the budget` : 'no budget for union money';
          return { kind: 'refused', code: 'BUDGET_EXHAUSTED', message: `${title}: ${left}` };
        }
      }
      const campaignLine = draft.lines.find((l) => l.funding.campaignId);
      const unionFen = draft.lines.reduce((s, l) => s + l.funding.unionFen, 0);
      const offerIds = [...new Set(draft.lines.map((l) => l.agreementId))];
      const lineDraws = draft.lines.filter((l) => l.funding.unionFen > 0);
      const { memberId: _m, quoteId: _q, qrNonce: _n, ...pub } = draft;
      // The receipt number is taken under the head's lock with the seq, and sealed into the entry.
      const a = await appendLedger(c, 'commit', (seq, receiptNo) => ({ ...draft, id: redemptionId(seq), receiptNo }), {
        text: `, r AS (INSERT INTO redemptions (seq, id, idempotency_key, quote_id, member_id, member_org_id, merchant_id, store_id, terminal_id,
                  created_at, status, union_fen, campaign_id, campaign_fen, qr_nonce, body, receipt_no)
                VALUES ($1, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'committed', $14, $15, $16, $17, $18, $23) RETURNING seq)
               , o AS (INSERT INTO redemption_offers (seq, member_id, offer_id, created_at) SELECT r.seq, $8, o, $13 FROM r, unnest($19::text[]) AS o)
               INSERT INTO redemption_draws (seq, line_no, offer_id, merchant_id, union_fen, created_at)
                 SELECT r.seq, d.n, d.offer_id, $10, d.fen, $13 FROM r, unnest($20::int[], $21::text[], $22::bigint[]) AS d (n, offer_id, fen)`,
        values: (x) => [
          redemptionId(x.seq),
          draft.idempotencyKey,
          draft.quoteId,
          draft.memberId,
          draft.memberOrgId,
          draft.merchantId,
          draft.storeId,
          draft.terminalId,
          draft.createdAt,
          unionFen,
          campaignLine?.funding.campaignId ?? null,
          campaignLine?.funding.unionFen ?? 0,
          draft.qrNonce ?? null,
          JSON.stringify({ ...pub, id: redemptionId(x.seq), receiptNo: x.receipts, seq: x.seq, hash: x.hash, prevHash: x.prevHash }),
          offerIds,
          lineDraws.map((_, i) => i),
          lineDraws.map((l) => fundedOfferOf(l)),
          lineDraws.map((l) => l.funding.unionFen),
          x.receipts,
        ],
      });
      const redemption = {
        ...pub,
        id: redemptionId(a.seq),
        receiptNo: a.receipts,
        seq: a.seq,
        hash: a.hash,
        prevHash: a.prevHash,
        status: 'committed',
      } as Redemption;
      return { kind: 'created', redemption };
    },
    { retryOn: isRaceLoss, keep: (r) => r.kind === 'created' },
  );
}
