/** `huika server [--port N] [--data DIR] [--demo] [--host H] [--db postgres://…] [--redis redis://…]` */
import { resolve } from 'node:path';
import { parseFlags, UsageError } from './main.ts';
import { serveUntilSignal } from './serve-until-signal.ts';
import { loadServerConfig } from '../server/config.ts';
import { startServer } from '../server/index.ts';
import { createLogger } from '../server/logger.ts';

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags({
    args: argv,
    options: {
      port: { type: 'string' },
      data: { type: 'string' },
      demo: { type: 'boolean' },
      host: { type: 'string' },
      'log-level': { type: 'string' },
      db: { type: 'string' },
      redis: { type: 'string' },
      'restore-from-backup': { type: 'boolean' },
    },
    strict: true,
  });
  let config: ReturnType<typeof loadServerConfig>;
  try {
    config = loadServerConfig(values, process.env);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const log = createLogger(config.logLevel);
  try {
    const { db, redis, dbPoolSize, drainSeconds, drainGraceSeconds, ...rest } = config;
    const srv = await startServer({
      ...rest,
      dataDir: resolve(config.dataDir),
      log,
      ...(values['restore-from-backup'] ? { restoreFromBackup: true } : {}),
      ...(db ? { db, dbPoolSize } : {}),
      ...(redis ? { redis } : {}),
      drainMs: drainSeconds * 1000,
      drainGraceMs: drainGraceSeconds * 1000,
    });
    const where = db
      ? `PostgreSQL ${db.replace(/\/\/[^@/]*@/, '//***@')}${redis ? ', Redis' : ''}, secrets: ${resolve(config.dataDir)}`
      : `data: ${resolve(config.dataDir)}`;
    log.info({ url: srv.url, store: srv.ctx.store.kind, demo: config.demo }, 'huika server listening');
    // The signal handlers go in before the URL is printed: whoever reads it may send SIGTERM at once.
    const served = serveUntilSignal(async () => {
      await srv.close();
    });
    process.stdout.write(`Huika server: ${srv.url}  (${where}${config.demo ? ', demo data' : ''})\n`);
    return await served;
  } catch (err) {
    const e = err as Error & { code?: string };
    // Known start-up refusals (locked or damaged data) are one clear line, not a stack trace.
    if (
      e.code &&
      [
        'DATA_DIR_LOCKED',
        'LEDGER_CORRUPT',
        'STATE_CORRUPT',
        'SECRETS_CORRUPT',
        'EADDRINUSE',
        'LEDGER_TRUNCATED',
        'LEDGER_HEAD_MISMATCH',
        'DATA_MISSING',
        'STORAGE_FAILED',
        'SECRETS_MISMATCH',
        'SCHEMA_TOO_NEW',
        'REDIS_UNREACHABLE',
        'ECONNREFUSED',
        '28P01',
        '3D000',
      ].includes(e.code)
    ) {
      process.stderr.write(`huika server: ${e.code}: ${e.message}\n`);
      return 1;
    }
    throw err;
  }
}
