/**
 * Forward-only schema migrations, applied in order at start (Graphile Worker's way): all pending ones in
 * one transaction under an advisory lock, so two instances starting at once apply each exactly once and
 * the second finds the work done. A database newer than this code is refused rather than guessed at.
 */
import type pg from 'pg';
import m001 from './migrations/001-initial.ts';
import m002 from './migrations/002-member-side.ts';
import m003 from './migrations/003-quotes.ts';
import m004 from './migrations/004-receipt-numbers.ts';
import m005 from './migrations/005-member-list-keyset.ts';
import m006 from './migrations/006-union-settings.ts';
import m007 from './migrations/007-admin-list-keyset.ts';

/** Index i is migration i + 1. Append only: never edit or reorder one that has shipped. */
export const MIGRATIONS: readonly string[] = [m001, m002, m003, m004, m005, m006, m007];

/** Arbitrary, fixed: the advisory lock every Huika instance takes while migrating. */
const MIGRATION_LOCK = 0x4875_696b; // "Huik"

export async function migrate(pool: pg.Pool): Promise<{ from: number; to: number }> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    // Transaction-scoped: released by COMMIT or ROLLBACK, even if this process dies.
    await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await c.query(
      'CREATE TABLE IF NOT EXISTS huika_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const { rows } = await c.query<{ v: number | null }>('SELECT max(version) AS v FROM huika_migrations');
    const from = rows[0]?.v ?? 0;
    if (from > MIGRATIONS.length) {
      throw Object.assign(
        new Error(`the database schema is at version ${from}, newer than this Huika (${MIGRATIONS.length}); upgrade Huika`),
        { code: 'SCHEMA_TOO_NEW' },
      );
    }
    for (let v = from + 1; v <= MIGRATIONS.length; v++) {
      await c.query(MIGRATIONS[v - 1]!);
      await c.query('INSERT INTO huika_migrations (version) VALUES ($1)', [v]);
    }
    await c.query('COMMIT');
    return { from, to: MIGRATIONS.length };
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    c.release();
  }
}
