/**
 * Huika server processes on PostgreSQL for the bench and the soak test: each a real `huika server --db …`
 * child on a random port, sharing one --data directory (secrets.json) like instances behind nginx.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import pg from 'pg';

const ROOT = resolve(import.meta.dirname, '..');

export interface Instance {
  proc: ChildProcess;
  url: string;
  /** The last few KB of its stdout and stderr, for a failure message. */
  output(): string;
  exited: Promise<number | null>;
  /** SIGTERM and wait for the exit (the drain). */
  stop(): Promise<void>;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
}

export function startInstance(o: { dataDir: string; db: string; redis?: string; pool?: number; demo?: boolean }): Promise<Instance> {
  const args = [join(ROOT, 'bin/huika.js'), 'server', '--data', o.dataDir, '--port', '0', '--log-level', 'warn', '--db', o.db];
  if (o.demo !== false) args.push('--demo');
  if (o.redis) args.push('--redis', o.redis);
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HUIKA_DB_POOL: String(o.pool ?? 10) },
  });
  let out = '';
  const keep = (c: string) => {
    out = (out + c).slice(-8192);
  };
  proc.stdout!.setEncoding('utf8').on('data', keep);
  proc.stderr!.setEncoding('utf8').on('data', keep);
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const until = (signal: NodeJS.Signals) => async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    await exited;
  };
  return new Promise((res, rej) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      rej(new Error(`huika server did not start in 60 s:\n${out}`));
    }, 60_000);
    const check = () => {
      const m = /Huika server: (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      proc.stdout!.off('data', check);
      res({ proc, url: m[1]!, output: () => out, exited, stop: until('SIGTERM'), kill: until('SIGKILL') });
    };
    proc.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`huika server exited (${code}) before listening:\n${out}`));
    });
  });
}

/** A database URL on the same server as `adminUrl`. */
export function databaseUrl(adminUrl: string, db: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${db}`;
  return u.toString();
}

export const PG_ADMIN_URL = process.env.HUIKA_BENCH_PG ?? process.env.HUIKA_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Runs one statement on a database and closes the connection. */
export async function sql<T extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text, values)).rows;
  } finally {
    await c.end();
  }
}

/** Gives terminals fresh pairing codes (`PAIR-<ID>`) straight in SQL, as a bench does instead of an admin, and enrols them. */
export async function pairAndEnroll(db: string, baseUrl: string, terminalIds: string[]): Promise<string[]> {
  await sql(
    db,
    `UPDATE terminals SET pairing_code_hash = encode(sha256(convert_to('PAIR-' || upper(id), 'UTF8')), 'hex'), token_hash = NULL,
            doc = doc || jsonb_build_object('pairingCodeHash', encode(sha256(convert_to('PAIR-' || upper(id), 'UTF8')), 'hex'), 'tokenHash', NULL)
      WHERE id = ANY($1::text[])`,
    [terminalIds],
  );
  const tokens: string[] = [];
  for (let i = 0; i < terminalIds.length; i += 20)
    tokens.push(
      ...(await Promise.all(
        terminalIds.slice(i, i + 20).map(async (id) => {
          const r = await fetch(`${baseUrl}/api/v1/terminals/enroll`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ pairingCode: `PAIR-${id.toUpperCase()}` }),
          });
          const body = (await r.json()) as { token?: string };
          if (r.status !== 201 || !body.token) throw new Error(`enroll ${id}: ${r.status} ${JSON.stringify(body)}`);
          return body.token;
        }),
      )),
    );
  return tokens;
}
