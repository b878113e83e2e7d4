/**
 * The administrative audit trail, hash-chained like the ledger. Every admin write locks the audit head
 * first (lockAudit), so admin writes queue one at a time across instances (they are rare) and each
 * change commits together with its entry, or neither does.
 */
import type pg from 'pg';
import type { AuditEntry } from '../../admin-store.ts';
import { GENESIS_HASH, seal, unseal } from '../../hash-chain.ts';
import type { Sql } from '../pool.ts';

export async function lockAudit(c: pg.PoolClient): Promise<{ seq: number; hash: string }> {
  return (await c.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE')).rows[0]!;
}

export async function appendAudit(
  c: pg.PoolClient,
  head: { seq: number; hash: string },
  data: Omit<AuditEntry, 'seq'>,
): Promise<AuditEntry> {
  const seq = head.seq + 1;
  const { entry, line } = seal(seq, 'audit', data, head.hash);
  await c.query(
    `WITH a AS (INSERT INTO audit (seq, entity, entity_id, username, org_ids, merchant_ids, line) VALUES ($1, $2, $3, $4, $5, $6, $7))
     UPDATE audit_head SET seq = $1, hash = $8 WHERE id = 1`,
    [seq, data.entity, data.id, data.by.username, data.orgIds, data.merchantIds, line, entry.hash],
  );
  head.seq = seq;
  head.hash = entry.hash;
  return { ...data, seq };
}

export function entryOf(line: string): AuditEntry {
  const u = unseal(line);
  if (!u.ok) throw Object.assign(new Error(`audit entry damaged: ${u.why}`), { code: 'AUDIT_CORRUPT' });
  return { ...(u.entry.data as Omit<AuditEntry, 'seq'>), seq: u.entry.seq };
}

export async function verifyAudit(sql: Sql): Promise<{ ok: boolean; checked: number; message?: string }> {
  const head = (await sql.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_head WHERE id = 1')).rows[0]!;
  let prev = GENESIS_HASH;
  let checked = 0;
  for (;;) {
    const { rows } = await sql.query<{ line: string }>('SELECT line FROM audit WHERE seq > $1 ORDER BY seq LIMIT 5000', [checked]);
    for (const { line } of rows) {
      const u = unseal(line);
      if (!u.ok) return { ok: false, checked, message: `entry ${checked + 1}: ${u.why}` };
      if (u.entry.seq !== checked + 1 || u.entry.prevHash !== prev)
        return { ok: false, checked, message: `entry ${checked + 1} does not link to the entry before it` };
      prev = u.entry.hash;
      checked++;
    }
    if (rows.length < 5000) break;
  }
  if (checked !== head.seq || prev !== head.hash)
    return { ok: false, checked, message: `the trail ends at entry ${checked}, but ${head.seq} were written` };
  return { ok: true, checked };
}
