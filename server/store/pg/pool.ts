/**
 * The PostgreSQL connection pool and the one way this store runs a transaction: `inTransaction` retries
 * serialization failures (40001) and deadlocks (40P01), which PostgreSQL-compatible distributed databases
 * (CockroachDB, YugabyteDB) raise on contention where PostgreSQL would wait, so the same SQL runs on them.
 */
import pg from 'pg';

export type Sql = pg.PoolClient | pg.Pool;

export interface PgOptions {
  url: string;
  /** Connections per instance (pg's default is 10). */
  poolSize?: number;
  /** Name shown in pg_stat_activity. */
  applicationName?: string;
}

// BIGINT (int8) and NUMERIC come back as strings by default: every count here fits a JS number.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

export function createPool(o: PgOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: o.url,
    max: o.poolSize ?? 10,
    application_name: o.applicationName ?? 'huika',
    connectionTimeoutMillis: 10_000,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return pool;
}

const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 8;

/** SQLSTATE classes that mean "the database is not taking writes right now", not "this request is wrong". */
export function isUnavailable(err: unknown): boolean {
  const code = (err as { code?: string })?.code ?? '';
  return (
    /^(08|53|57P0|25006)/.test(code) ||
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'ETIMEDOUT' ||
    /Connection terminated|timeout exceeded when trying to connect/i.test((err as Error)?.message ?? '')
  );
}

/**
 * Runs `fn` in one transaction, retrying it from the start on 40001/40P01 (and on the extra codes
 * given, e.g. a unique violation that a re-run turns into a replay). `fn` must be safe to run again:
 * it only talks to the database through `c`.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  fn: (c: pg.PoolClient) => Promise<T>,
  opts: {
    retryOn?: (err: unknown) => boolean /** false: roll back and still return the value (a refusal must leave nothing behind). */;
    keep?: (out: T) => boolean;
  } = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const c = await pool.connect();
    let broken = false;
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query(opts.keep && !opts.keep(out) ? 'ROLLBACK' : 'COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => (broken = true));
      const code = (err as { code?: string }).code ?? '';
      const retry = RETRYABLE.has(code) || opts.retryOn?.(err) === true;
      if (!retry || attempt >= MAX_ATTEMPTS) throw err;
      // Back off a little, with jitter, so the contenders do not collide again in lock step.
      await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
    } finally {
      c.release(broken);
    }
  }
}

/** The first row of a query, or undefined. */
export async function one<T = Record<string, unknown>>(sql: Sql, text: string, values: unknown[] = []): Promise<T | undefined> {
  return (await sql.query(text, values)).rows[0] as T | undefined;
}

/** Every row of a query. */
export async function all<T = Record<string, unknown>>(sql: Sql, text: string, values: unknown[] = []): Promise<T[]> {
  return (await sql.query(text, values)).rows as T[];
}
