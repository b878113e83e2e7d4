/** A row of the redemptions table and the public record it answers with (no member id, quote id or QR nonce). */
import type { Redemption } from '../../../../core/wire.ts';

export interface RedemptionRow {
  seq: number;
  id: string;
  idempotency_key: string;
  quote_id: string;
  member_id: string;
  /** Absent from a query that does not select it; the body carries it for commits sealed with one. */
  receipt_no?: number;
  status: 'committed' | 'voided';
  voided_at: string | null;
  void_reason: string | null;
  body: Omit<Redemption, 'status' | 'voidedAt' | 'voidReason'>;
}

export function publicOf(r: Pick<RedemptionRow, 'body' | 'receipt_no' | 'status' | 'voided_at' | 'void_reason'>): Redemption {
  const receiptNo = r.body.receiptNo ?? r.receipt_no;
  return {
    ...r.body,
    ...(receiptNo !== undefined ? { receiptNo } : {}),
    status: r.status,
    ...(r.voided_at ? { voidedAt: r.voided_at } : {}),
    ...(r.void_reason ? { voidReason: r.void_reason } : {}),
  };
}
