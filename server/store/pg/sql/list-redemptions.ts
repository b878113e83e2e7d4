/**
 * Newest-first keyset paging: `seq < cursor ORDER BY seq DESC LIMIT n + 1` over an index per scope
 * (merchant, store, terminal, member, union), so a page costs the same at ten or ten million redemptions.
 */
import type { Redemption } from '../../../../core/wire.ts';
import type { RedemptionFilter } from '../../store.ts';
import type { Sql } from '../pool.ts';
import { publicOf, type RedemptionRow } from './redemption-row.ts';
import { whereBuilder } from './where.ts';

/** The query a page runs (tests/integration/pg-paging-plans.test.ts EXPLAINs exactly this). */
export function listQuery(f: RedemptionFilter): { text: string; values: unknown[] } {
  const { where, values, add, inSet } = whereBuilder();
  inSet('merchant_id', f.merchantIds);
  if (f.storeId) add('store_id = ?', f.storeId);
  if (f.terminalId) add('terminal_id = ?', f.terminalId);
  if (f.memberId) add('member_id = ?', f.memberId);
  inSet('member_org_id', f.memberOrgIds);
  if (f.status) add('status = ?', f.status);
  if (f.funding === 'union') where.push('union_fen > 0');
  if (f.funding === 'merchant') where.push('union_fen = 0');
  if (f.fromMs !== undefined) add('created_at >= ?', new Date(f.fromMs).toISOString());
  if (f.toMs !== undefined) add('created_at < ?', new Date(f.toMs).toISOString());
  if (f.receiptNo !== undefined) add('receipt_no = ?', f.receiptNo);
  if (f.beforeSeq !== undefined) add('seq < ?', f.beforeSeq);
  values.push(f.limit + 1);
  return {
    text: `SELECT body, receipt_no, status, voided_at, void_reason, seq FROM redemptions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT $${values.length}`,
    values,
  };
}

export async function listRedemptions(sql: Sql, f: RedemptionFilter): Promise<{ items: Redemption[]; nextBeforeSeq?: number }> {
  if (f.merchantIds?.size === 0 || f.memberOrgIds?.size === 0) return { items: [] };
  const q = listQuery(f);
  const { rows } = await sql.query<RedemptionRow>(q.text, q.values);
  const more = rows.length > f.limit;
  const page = more ? rows.slice(0, f.limit) : rows;
  return { items: page.map(publicOf), ...(more ? { nextBeforeSeq: page[page.length - 1]!.seq } : {}) };
}
