/**
 * Settlement statements. A step (draft → approved → paid, or cancelled) locks the statement and then its
 * union's row, so two approvals of overlapping statements of one union queue and the second sees the first.
 */
import type pg from 'pg';
import type { Statement } from '../../../../core/wire-portal.ts';
import type { StatementAdvance, StatementCreation } from '../../store.ts';
import { inTransaction, type Sql } from '../pool.ts';

export async function statements(sql: Sql, orgIds: ReadonlySet<string>): Promise<Statement[]> {
  const { rows } = await sql.query<{ doc: Statement }>('SELECT doc FROM statements WHERE org_id = ANY($1::text[]) ORDER BY n DESC', [
    [...orgIds],
  ]);
  return rows.map((r) => r.doc);
}

/** A new draft, refused when another live statement of the union covers a day of it or already carries one of its adjustments. */
export async function createStatement(pool: pg.Pool, draft: Omit<Statement, 'id'>): Promise<StatementCreation> {
  return inTransaction(
    pool,
    async (c): Promise<StatementCreation> => {
      // The union's row serialises drafts and approvals of one union across instances.
      await c.query('SELECT 1 FROM orgs WHERE id = $1 FOR UPDATE', [draft.orgId]);
      const live = (
        await c.query<{ doc: Statement }>(`SELECT doc FROM statements WHERE org_id = $1 AND status <> 'cancelled' ORDER BY n`, [
          draft.orgId,
        ])
      ).rows.map((r) => r.doc);
      const clash = live.find((x) => x.from <= draft.to && draft.from <= x.to);
      if (clash)
        return {
          kind: 'refused',
          code: 'STATEMENT_OVERLAP',
          message: `statement ${clash.id} (${clash.from} to ${clash.to}, ${clash.status}) already covers some of these days`,
        };
      const carried = new Set((draft.adjustments ?? []).map((a) => a.redemptionId));
      const twice = carried.size ? live.find((x) => x.adjustments?.some((a) => carried.has(a.redemptionId))) : undefined;
      if (twice)
        return {
          kind: 'refused',
          code: 'STATEMENT_OVERLAP',
          message: `statement ${twice.id} already carries an adjustment for one of these voids`,
        };
      const n = (await c.query<{ n: number }>("SELECT nextval('statement_seq') AS n")).rows[0]!.n;
      const s: Statement = { id: `st-${String(n).padStart(5, '0')}`, ...draft };
      await c.query('INSERT INTO statements (id, n, org_id, status, doc) VALUES ($1, $2, $3, $4, $5)', [
        s.id,
        n,
        s.orgId,
        s.status,
        JSON.stringify(s),
      ]);
      return { kind: 'created', statement: s };
    },
    { keep: (r) => r.kind === 'created' },
  );
}

export async function advanceStatement(
  pool: pg.Pool,
  id: string,
  to: 'approved' | 'paid' | 'cancelled',
  by: string,
  now: Date,
): Promise<StatementAdvance> {
  return inTransaction(
    pool,
    async (c): Promise<StatementAdvance> => {
      const s = (await c.query<{ doc: Statement }>('SELECT doc FROM statements WHERE id = $1 FOR UPDATE', [id])).rows[0]?.doc;
      if (!s) return { kind: 'refused', code: 'NOT_FOUND', message: 'no such statement' };
      await c.query('SELECT 1 FROM orgs WHERE id = $1 FOR UPDATE', [s.orgId]);
      const from = to === 'paid' ? 'approved' : 'draft';
      if (s.status !== from)
        return {
          kind: 'refused',
          code: 'STATEMENT_STATE',
          message: `statement ${id} is ${s.status}; only a ${from} statement can become ${to}`,
        };
      if (to === 'approved') {
        const { rows } = await c.query<{ doc: Statement }>(
          `SELECT doc FROM statements WHERE org_id = $1 AND id <> $2 AND status IN ('approved', 'paid') AND doc->>'from' <= $3 AND $4 <= doc->>'to' ORDER BY n LIMIT 1`,
          [s.orgId, id, s.to, s.from],
        );
        const clash = rows[0]?.doc;
        if (clash)
          return {
            kind: 'refused',
            code: 'STATEMENT_OVERLAP',
            message: `statement ${clash.id} (${clash.from} to ${clash.to}) is already ${clash.status} for these days`,
          };
      }
      const at = now.toISOString();
      const next: Statement =
        to === 'approved'
          ? { ...s, status: to, approvedAt: at, approvedBy: by }
          : to === 'paid'
            ? { ...s, status: to, paidAt: at, paidBy: by }
            : { ...s, status: to, cancelledAt: at, cancelledBy: by };
      await c.query('UPDATE statements SET status = $2, doc = $3 WHERE id = $1', [id, next.status, JSON.stringify(next)]);
      return { kind: 'advanced', statement: next };
    },
    { keep: (r) => r.kind === 'advanced' },
  );
}
