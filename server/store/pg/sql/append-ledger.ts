/**
 * Appends one entry to the hash-chained ledger inside the caller's transaction. It locks the single
 * head row, so appends are one line even across instances; callers take it last, after every other
 * check, so the lock is held only for the insert and the commit.
 */
import type pg from 'pg';
import { seal } from '../../hash-chain.ts';

export interface Appended<T> {
  seq: number;
  /** Receipt numbers given out so far, this entry's included when it is a commit (ledger_head.receipts). */
  receipts: number;
  hash: string;
  prevHash: string;
  data: T;
}

export async function lockHead(c: pg.PoolClient): Promise<{ seq: number; hash: string; receipts: number }> {
  const { rows } = await c.query<{ seq: number; hash: string; receipts: number }>(
    'SELECT seq, hash, receipts FROM ledger_head WHERE id = 1 FOR UPDATE',
  );
  return rows[0]!;
}

/**
 * Seals `data(seq, receiptNo)` onto the head and writes the entry and the new head in one statement. A
 * commit takes the next receipt number under the same lock; a void takes none (receiptNo is then the last one given).
 */
export async function appendLedger<T>(
  c: pg.PoolClient,
  type: 'commit' | 'void',
  data: (seq: number, receiptNo: number) => T,
  also?: { text: string; values: (a: Appended<T>) => unknown[] },
): Promise<Appended<T>> {
  const head = await lockHead(c);
  const seq = head.seq + 1;
  const receipts = head.receipts + (type === 'commit' ? 1 : 0);
  const d = data(seq, receipts);
  const { entry, line } = seal(seq, type, d, head.hash);
  const a: Appended<T> = { seq, receipts, hash: entry.hash, prevHash: head.hash, data: d };
  // One round trip while the head is locked: the entry, the head and the caller's own row together.
  const extra = also ? also.values(a) : [];
  await c.query(
    `WITH l AS (INSERT INTO ledger (seq, type, line) VALUES ($1, $2, $3)),
          h AS (UPDATE ledger_head SET seq = $1, hash = $4, receipts = ${type === 'commit' ? 'receipts + 1' : 'receipts'} WHERE id = 1)
     ${also ? also.text : 'SELECT 1'}`,
    [seq, type, line, entry.hash, ...extra],
  );
  return a;
}
