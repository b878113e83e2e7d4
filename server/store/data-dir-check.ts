/**
 * Loss evidence at start: a data directory whose state.json or secrets.json is gone while the rest of
 * its data is there is refused, never silently refilled. Without state.json every union, member and
 * terminal is forgotten; without secrets.json new keys are made and every stored card hash stops
 * matching. Both look like a working empty server, which is why they must stop the start instead.
 * A snapshot that says it has a journal (state.json, member-side.json: their `journal` mark, written
 * since journals exist) without that journal beside it has lost every change since its last fold, and
 * looks whole otherwise: refused the same way.
 *
 * An operator who restored a backup on purpose says so (--restore-from-backup); the start then goes on
 * and the restore is recorded in restores.jsonl beside the data, with what was missing.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { closeFile, openFile, syncFile, writeAll } from '../../platform/durable-file.ts';
import { readLedgerHead } from './ledger-head.ts';

export class DataMissingError extends Error {
  readonly code = 'DATA_MISSING';
}

const nonEmpty = (f: string) => existsSync(f) && statSync(f).size > 0;

/** Whether state.json holds any reference data (an unreadable one is the store's to report, as STATE_CORRUPT). */
function stateHasData(file: string): boolean {
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    return ['orgs', 'members', 'merchants', 'users'].some((k) => Array.isArray(s[k]) && (s[k] as unknown[]).length > 0);
  } catch {
    return false;
  }
}

/**
 * Whether a snapshot says it has a journal: its last key is the journal mark (state-journal.ts writes it
 * last, in a fold and at the first start). Only the file's tail is read: state.json may be large.
 */
function snapshotHasJournal(file: string): boolean {
  if (!existsSync(file)) return false;
  const fd = openSync(file, 'r');
  try {
    const size = statSync(file).size;
    const buf = Buffer.alloc(Math.min(size, 256));
    readSync(fd, buf, 0, buf.length, size - buf.length);
    return /"journal":\{"seq":\d+,"hash":"[0-9a-f]{64}"\}\}\s*$/.test(buf.toString('latin1'));
  } finally {
    closeSync(fd);
  }
}

/**
 * Throws DataMissingError (one line naming the file) unless the directory is whole, fresh, or the
 * operator restored a backup; returns what was accepted as missing in that last case.
 */
export function checkDataDir(dir: string, restoreFromBackup = false): string[] {
  const f = (n: string) => join(dir, n);
  const ledger = nonEmpty(f('ledger.jsonl'));
  const audit = nonEmpty(f('audit.jsonl'));
  const head = (readLedgerHead(f('ledger.head')).head?.seq ?? 0) > 0;
  const state = existsSync(f('state.json'));
  const secrets = existsSync(f('secrets.json'));
  const problems: string[] = [];
  if (!state && (secrets || ledger || audit || head)) {
    problems.push(
      `${f('state.json')} is missing while ${[secrets && 'secrets.json', ledger && 'ledger.jsonl', audit && 'audit.jsonl', head && 'ledger.head'].filter(Boolean).join(', ')} are there`,
    );
  }
  if (!secrets && ((state && stateHasData(f('state.json'))) || ledger || audit)) {
    problems.push(
      `${f('secrets.json')} is missing while ${[state && 'state.json', ledger && 'ledger.jsonl', audit && 'audit.jsonl'].filter(Boolean).join(', ')} are there (new keys would make every stored card stop matching)`,
    );
  }
  for (const [snapshot, journal] of [
    ['state.json', 'state.journal'],
    ['member-side.json', 'member-side.journal'],
  ] as const) {
    if (snapshotHasJournal(f(snapshot)) && !existsSync(f(journal)))
      problems.push(`${f(journal)} is missing while ${snapshot} says it has one (the changes since its last fold are lost)`);
  }
  if (problems.length === 0) return [];
  if (!restoreFromBackup) {
    throw new DataMissingError(
      `${problems.join('; ')}. Restore the file from a backup, or, if you restored this directory from a backup on purpose, start with --restore-from-backup.`,
    );
  }
  recordRestore(dir, { missing: problems });
  return problems;
}

/** Appends one line to restores.jsonl (fsync'd): who started on restored data, when, and what it lacked. */
export function recordRestore(dir: string, what: Record<string, unknown>): void {
  const fd = openFile(join(dir, 'restores.jsonl'), 'a', 0o600);
  try {
    writeAll(fd, `${JSON.stringify({ at: new Date().toISOString(), pid: process.pid, flag: '--restore-from-backup', ...what })}\n`);
    syncFile(fd);
  } finally {
    closeFile(fd);
  }
}
