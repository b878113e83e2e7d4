/**
 * The audit trail, newest first: `seq < cursor ORDER BY seq DESC LIMIT n + 1`. Everything (a root admin) walks
 * the primary key; one record's history (`id`) audit_entity_id_seq and one user's audit_username_seq
 * (migration 007). A scoped reader's unions and merchants are arrays (GIN indexes): PostgreSQL either walks
 * the primary key and keeps the scope's rows, or, for a scope it expects to be rare, gathers that scope's rows
 * and sorts them: a cost that follows the scope's own history, never the whole trail.
 * tests/integration/pg-paging-plans.test.ts EXPLAINs exactly this.
 */
import type { AuditFilter } from '../../admin-store.ts';
import { whereBuilder } from './where.ts';

export function auditListQuery(f: AuditFilter): { text: string; values: unknown[] } {
  const { where, values, add } = whereBuilder();
  if (f.orgIds || f.merchantIds) {
    values.push([...(f.orgIds ?? [])], [...(f.merchantIds ?? [])]);
    where.push(`(org_ids && $${values.length - 1}::text[] OR merchant_ids && $${values.length}::text[])`);
  }
  if (f.entity) add('entity = ?', f.entity);
  if (f.id) add('entity_id = ?', f.id);
  if (f.username) add('username = ?', f.username);
  if (f.beforeSeq !== undefined) add('seq < ?', f.beforeSeq);
  values.push(f.limit + 1);
  return {
    text: `SELECT line FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT $${values.length}`,
    values,
  };
}
