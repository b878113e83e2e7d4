/**
 * Members' feedback and the complaint queue, newest first: `n < cursor's n ORDER BY n DESC LIMIT k` over an
 * index per scope (feedback_merchant, feedback_member_org, the unique n for everything; a complaint status
 * feedback_complaint_n, migration 007), so a page of the queue costs the same however long its history.
 * Without a limit it answers every match (older clients), still in that order.
 * tests/integration/pg-paging-plans.test.ts EXPLAINs exactly this.
 */
import type { FeedbackFilter } from '../../member-store.ts';
import { whereBuilder } from './where.ts';

export function feedbackListQuery(f: FeedbackFilter): { text: string; values: unknown[] } {
  const { where, values, add, inSet } = whereBuilder();
  inSet('merchant_id', f.merchantIds);
  inSet('member_org_id', f.memberOrgIds);
  if (f.memberId) add('member_id = ?', f.memberId);
  if (f.redemptionIds) add('redemption_id = ANY(?::text[])', [...f.redemptionIds]);
  if (f.complaintStatus) add('complaint_status = ?', f.complaintStatus);
  if (f.fromMs !== undefined) add('created_at >= ?', new Date(f.fromMs).toISOString());
  if (f.toMs !== undefined) add('created_at < ?', new Date(f.toMs).toISOString());
  // An unknown cursor gives nothing (the subquery is NULL), never the first page again.
  if (f.before !== undefined) add('n < (SELECT b.n FROM feedback b WHERE b.id = ?)', f.before);
  if (f.limit !== undefined) values.push(f.limit);
  return {
    text: `SELECT doc FROM feedback ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY n DESC${f.limit !== undefined ? ` LIMIT $${values.length}` : ''}`,
    values,
  };
}
