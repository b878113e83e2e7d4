/**
 * The audit trail of administrative changes: audit.jsonl beside the state, hash-chained like the
 * redemption ledger (hash-chain.ts) so an edited or deleted entry is found.
 *
 * Why its own file and not state.json: the trail only grows, and lowdb rewrites the whole state on every
 * write. Why synchronous: the entry is appended and fsync'd *before* the state write, inside the same
 * synchronous check-and-change, so every change on disk has its entry on disk. A crash between the two
 * leaves an entry for a change that never landed (and was never acknowledged) — the safe direction for
 * an audit trail. Admin writes are rare, so blocking on one fdatasync is cheap.
 */
import { existsSync, readFileSync } from 'node:fs';
import { closeFile, openFile, StorageError, syncFile, truncateFile, writeAll } from '../../platform/durable-file.ts';
import { GENESIS_HASH, seal, unseal } from './hash-chain.ts';
import { loadLedger } from './ledger-file.ts';
import type { AuditEntry } from './admin-store.ts';

export class AuditFile {
  readonly entries: AuditEntry[] = [];
  private fd: number | undefined;
  private seq = 0;
  private head = GENESIS_HASH;
  private failed: Error | undefined;
  /** Bytes of whole entries in the file: where the next append lands, and what a failed one is cut back to. */
  private size = 0;

  constructor(readonly file: string) {
    // A torn last line (crash mid-append) is moved aside by loadLedger, as for the redemption ledger.
    const loaded = loadLedger(file, (e) => {
      this.entries.push({ ...(e.data as Omit<AuditEntry, 'seq'>), seq: e.seq });
    });
    this.seq = loaded.last?.seq ?? 0;
    this.head = loaded.last?.hash ?? GENESIS_HASH;
    this.size = loaded.size;
    this.fd = openFile(file, 'a', 0o600);
  }

  /**
   * Appends and fsyncs before returning. When the disk refuses, whatever part of the line reached the
   * file is cut off again and STORAGE_FAILED is thrown; only if that repair fails too are later appends
   * refused (until a restart, which cuts a torn tail itself).
   */
  append(data: Omit<AuditEntry, 'seq'>): AuditEntry {
    if (this.failed) throw this.failed;
    const { entry, line } = seal(this.seq + 1, 'audit', data, this.head);
    const bytes = Buffer.from(`${line}\n`);
    try {
      writeAll(this.fd!, bytes);
      syncFile(this.fd!, true);
    } catch (err) {
      this.cutBackTo(this.size);
      throw new StorageError(`cannot write ${this.file}: ${(err as Error).message}`, err);
    }
    this.prev.push({ seq: this.seq, head: this.head, size: this.size });
    if (this.prev.length > 1) this.prev.shift();
    this.seq = entry.seq;
    this.head = entry.hash;
    this.size += bytes.length;
    const out = { ...data, seq: entry.seq };
    this.entries.push(out);
    return out;
  }

  /** Where the chain stood before the last append: what undoLast goes back to. */
  private prev: Array<{ seq: number; head: string; size: number }> = [];

  /**
   * Takes back the last entry: the change it describes could not be saved (the state write failed after
   * it), so it was refused and must not be found in the trail either.
   */
  undoLast(entry: AuditEntry): void {
    const before = this.prev.pop();
    if (!before || entry.seq !== this.seq) return;
    this.cutBackTo(before.size);
    if (this.failed) return;
    this.seq = before.seq;
    this.head = before.head;
    this.size = before.size;
    if (this.entries.at(-1) === entry) this.entries.pop();
  }

  private cutBackTo(size: number): void {
    try {
      truncateFile(this.fd!, size);
      syncFile(this.fd!, true);
    } catch (err) {
      this.failed = new StorageError(
        `cannot repair ${this.file} after a failed write: ${(err as Error).message}; writes are refused until a restart`,
        err,
      );
    }
  }

  verify(): { ok: boolean; checked: number; message?: string } {
    if (!existsSync(this.file)) return { ok: this.seq === 0, checked: 0 };
    let prev = GENESIS_HASH;
    let checked = 0;
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (line === '') continue;
      const u = unseal(line);
      if (!u.ok) return { ok: false, checked, message: `entry ${checked + 1}: ${u.why}` };
      if (u.entry.seq !== checked + 1 || u.entry.prevHash !== prev)
        return { ok: false, checked, message: `entry ${checked + 1} does not link to the entry before it` };
      prev = u.entry.hash;
      checked++;
    }
    if (checked !== this.seq || prev !== this.head)
      return { ok: false, checked, message: `the file ends at entry ${checked}, but ${this.seq} were written` };
    return { ok: true, checked };
  }

  close(): void {
    if (this.fd !== undefined) closeFile(this.fd);
    this.fd = undefined;
  }
}
