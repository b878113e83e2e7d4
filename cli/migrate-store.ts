/**
 * `huika migrate-store --from DIR --to postgres://…`: copies an embedded data directory into an empty
 * PostgreSQL database, with progress, then checks counts, the hash chain, budgets and the audit trail.
 * Refuses a target that holds anything. The servers that use the database afterwards need this
 * directory's secrets.json (card hashes are keyed by it): point their --data at a copy of it.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadOrCreateSecrets } from '../server/security/secrets.ts';
import { migrateEmbeddedToPg } from '../server/store/pg/migrate-from-embedded.ts';
import { parseFlags, UsageError } from './main.ts';

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags({ args: argv, options: { from: { type: 'string' }, to: { type: 'string' } }, strict: true });
  const to = values.to ?? process.env.DATABASE_URL;
  if (!values.from || !to) throw new UsageError('usage: huika migrate-store --from DIR --to postgres://…');
  if (!/^postgres(ql)?:\/\//.test(to)) throw new UsageError(`--to ${to}: a postgres:// or postgresql:// URL`);
  const from = resolve(values.from);
  if (!existsSync(join(from, 'secrets.json')) || !existsSync(join(from, 'state.json'))) {
    process.stderr.write(`huika migrate-store: ${from} is not a Huika data directory (no state.json and secrets.json)\n`);
    return 1;
  }
  const tty = process.stderr.isTTY;
  let last = '';
  let lastAt = 0;
  const progress = (stage: string, done: number, total?: number) => {
    const pct = total ? ` ${((100 * done) / Math.max(total, 1)).toFixed(0)}%` : '';
    const bar = total ? ` [${'#'.repeat(Math.round((20 * done) / Math.max(total, 1))).padEnd(20, '.')}]` : '';
    const line = `迁移 migrating ${stage.padEnd(12)} ${done.toLocaleString('en')}${total ? `/${total.toLocaleString('en')}` : ''}${pct}${bar}`;
    // On a terminal one line redrawn in place; in a log a line a second at most, and every stage's end.
    if (tty) process.stderr.write(`\r${line}`);
    else if (Date.now() - lastAt > 1000 || done === total || stage !== last) {
      process.stderr.write(`${line}\n`);
      lastAt = Date.now();
    }
    last = stage;
  };
  try {
    const r = await migrateEmbeddedToPg({ from, to, secrets: loadOrCreateSecrets(from), progress });
    if (tty) process.stderr.write('\n');
    process.stdout.write(
      `已迁移并核对 Migrated and checked: ${r.members} members, ${r.cards} cards, ${r.redemptions} redemptions (${r.voids} voided), ` +
        `${r.ledgerEntries} ledger entries (head ${r.headHash.slice(0, 16)}…), ${r.auditEntries} audit entries, ${r.statements} statements, ${r.feedback} feedback.\n` +
        `Start the servers with --db and a --data directory holding a copy of ${join(from, 'secrets.json')}.\n`,
    );
    return 0;
  } catch (err) {
    if (tty) process.stderr.write('\n');
    const e = err as Error & { code?: string };
    if (
      e.code &&
      [
        'TARGET_NOT_EMPTY',
        'MIGRATION_CHECK_FAILED',
        'DATA_DIR_LOCKED',
        'SCHEMA_TOO_NEW',
        'ECONNREFUSED',
        '3D000',
        '28P01',
        'LEDGER_CORRUPT',
        'STATE_CORRUPT',
      ].includes(e.code)
    ) {
      process.stderr.write(`huika migrate-store: ${e.code}: ${e.message}\n`);
      return 1;
    }
    throw err;
  }
}
