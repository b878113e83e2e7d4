/**
 * Bulk loading through COPY (pg-copy-streams): millions of members and cards in minutes, where row-by-row
 * INSERTs would take hours. Rows stream in text format with backpressure, so memory stays flat; indexes are
 * kept (the table is loaded into a live schema), which is slower than building them afterwards but leaves
 * nothing to forget.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Card, Member } from '../../../core/domain.ts';

/** COPY text format: backslash, tab, newline and carriage return are escaped; null is \N. */
function field(v: string | null): string {
  if (v === null) return '\\N';
  return v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

async function copy<T>(
  c: pg.PoolClient,
  table: string,
  cols: string[],
  rows: AsyncIterable<T> | Iterable<T>,
  toFields: (x: T) => (string | null)[],
  onRow?: () => void,
): Promise<void> {
  const sink = c.query(copyFrom(`COPY ${table} (${cols.join(', ')}) FROM STDIN`));
  async function* lines() {
    let buf = '';
    for await (const x of rows) {
      buf += `${toFields(x).map(field).join('\t')}\n`;
      onRow?.();
      if (buf.length > 256 * 1024) {
        yield buf;
        buf = '';
      }
    }
    if (buf) yield buf;
  }
  await pipeline(Readable.from(lines()), sink);
}

export function copyMembers(c: pg.PoolClient, rows: AsyncIterable<Member> | Iterable<Member>, onRow?: () => void): Promise<void> {
  return copy(
    c,
    'members',
    ['id', 'member_no', 'org_id', 'status', 'name', 'doc'],
    rows,
    (m) => [m.id, m.memberNo, m.orgId, m.status, m.name, JSON.stringify(m)],
    onRow,
  );
}

export function copyCards(c: pg.PoolClient, rows: AsyncIterable<Card> | Iterable<Card>, onRow?: () => void): Promise<void> {
  return copy(
    c,
    'cards',
    ['id', 'member_id', 'pan_hash', 'last4', 'doc'],
    rows,
    (k) => [k.id, k.memberId, k.panHash, k.last4, JSON.stringify(k)],
    onRow,
  );
}

/**
 * Runs a bulk load into an empty table with its secondary indexes dropped and rebuilt afterwards, in one
 * transaction: building an index once over sorted data is several times faster than maintaining it row by
 * row. Constraint indexes (primary key, unique) stay, so duplicates are still refused during the load.
 */
export async function withSecondaryIndexesDeferred(c: pg.PoolClient, tables: string[], load: () => Promise<void>): Promise<void> {
  const { rows } = await c.query<{ name: string; def: string }>(
    `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
      WHERE i.schemaname = 'public' AND i.tablename = ANY($1::text[])
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname)`,
    [tables],
  );
  await c.query('BEGIN');
  try {
    for (const r of rows) await c.query(`DROP INDEX ${r.name}`);
    await load();
    for (const r of rows) await c.query(r.def);
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {});
    throw err;
  }
}
