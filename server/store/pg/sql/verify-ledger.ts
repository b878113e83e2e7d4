/**
 * Walks the ledger table in seq order and checks every link, as the embedded store walks its file; then
 * checks that each commit's row (what the portals show) is the record the chain holds, and that each
 * void in the chain is a voided row. Reads in pages so a long ledger does not fill memory.
 */
import type pg from 'pg';
import { GENESIS_HASH, redemptionIdOf, unseal } from '../../hash-chain.ts';
import type { LedgerCheck } from '../../store.ts';

const PAGE = 5000;

/** JSON with sorted keys, so a jsonb round trip (which reorders keys) compares equal. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export async function verifyLedger(pool: pg.Pool): Promise<LedgerCheck> {
  const head = (await pool.query<{ seq: number; hash: string }>('SELECT seq, hash FROM ledger_head WHERE id = 1')).rows[0]!;
  let prev = GENESIS_HASH;
  let checked = 0;
  const voided = new Set<string>();
  for (;;) {
    const { rows } = await pool.query<{ seq: number; line: string; body: Record<string, unknown> | null; status: string | null }>(
      `SELECT l.seq, l.line, r.body, r.status FROM ledger l LEFT JOIN redemptions r ON r.seq = l.seq WHERE l.seq > $1 ORDER BY l.seq LIMIT $2`,
      [checked, PAGE],
    );
    for (const row of rows) {
      const u = unseal(row.line);
      const rid = redemptionIdOf(row.line);
      const broken = (why: string): LedgerCheck => ({
        ok: false,
        checked,
        ...(rid ? { brokenAt: rid } : {}),
        message: `entry ${checked + 1}: ${why}`,
      });
      if (!u.ok) return broken(u.why);
      if (u.entry.seq !== checked + 1 || u.entry.prevHash !== prev) return broken('does not link to the entry before it');
      if (u.entry.type === 'commit') {
        if (!row.body) return broken('the redemption row is missing');
        const { memberId: _m, quoteId: _q, qrNonce: _n, ...pub } = u.entry.data as Record<string, unknown>;
        const want = canonical({ ...pub, seq: u.entry.seq, hash: u.entry.hash, prevHash: u.entry.prevHash });
        if (canonical(row.body) !== want) return broken('the redemption row differs from the ledger entry (edited)');
      } else if (u.entry.type === 'void') voided.add((u.entry.data as { redemptionId: string }).redemptionId);
      prev = u.entry.hash;
      checked++;
    }
    if (rows.length < PAGE) break;
  }
  if (checked !== head.seq || prev !== head.hash) {
    return {
      ok: false,
      checked,
      message: `the ledger ends at entry ${checked}, but ${head.seq} were written: entries were removed from the end`,
    };
  }
  const statusOff = await pool.query<{ id: string; status: string }>(
    `SELECT id, status FROM redemptions WHERE status = 'voided' OR id = ANY($1::text[])`,
    [[...voided]],
  );
  for (const r of statusOff.rows) {
    if ((r.status === 'voided') !== voided.has(r.id))
      return { ok: false, checked, brokenAt: r.id, message: `${r.id} is ${r.status} but the ledger says otherwise (edited)` };
  }
  return { ok: true, checked };
}
