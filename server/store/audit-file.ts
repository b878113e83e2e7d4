/**
 * The audit trail of administrative changes: audit.jsonl beside the state, hash-chained like the
 * redemption ledger (hash-chain.ts) so an edited or deleted entry is found.
 *
 * Why its own file and not state.json: the trail only grows, and the state is a snapshot plus journal.
 *
 * One durable sync per admin write (issue 9 point 6): the entry is sealed (`prepare`) and carried inside
 * the write's state journal record, which is the commit point (fdatasync'd). Only once that record is
 * durable is the entry `settle`d: appended to audit.jsonl without an fsync of its own. So a refused
 * change never reaches the trail, and an acknowledged one is in its journal record whatever happens to
 * the audit line after. At the next start `recover` appends the sealed lines found in the journals that
 * audit.jsonl lacks (a kill -9 between the record and the line, a line the disk refused): the same bytes,
 * so the same chain. Before a journal is cut down after a fold, `sync` makes audit.jsonl durable
 * (state-journal.ts `beforeCut`), so no entry is ever only in a record that is about to go.
 */
import { existsSync, readFileSync } from 'node:fs';
import { closeFile, DataFileCorruptError, openFile, StorageError, syncFile, truncateFile, writeAll } from '../../platform/durable-file.ts';
import { GENESIS_HASH, seal, unseal } from './hash-chain.ts';
import { loadLedger } from './ledger-file.ts';
import type { AuditEntry } from './admin-store.ts';

/** An entry sealed for a journal record, not yet in the trail (AuditFile.prepare / settle). */
export interface SealedAudit {
  entry: AuditEntry;
  /** The sealed line, as audit.jsonl will hold it. */
  line: string;
  hash: string;
  prevHash: string;
}

export class AuditFile {
  readonly entries: AuditEntry[] = [];
  private fd: number | undefined;
  private seq = 0;
  private head = GENESIS_HASH;
  private failed: Error | undefined;
  /** Bytes of whole entries in the file: where the next append lands, and what a failed one is cut back to. */
  private size = 0;
  /** Settled lines not yet in the file (the disk refused them): written before the next, or at `sync`. */
  private pending: string[] = [];
  /** A write failed part way: the file is cut back to `size` before anything else is written. */
  private dirty = false;

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
      this.flush();
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

  /**
   * Seals the next entry without writing it: the caller carries `line` in its journal record and calls
   * `settle` once that record is durable (or drops it when the record is refused: nothing to undo).
   */
  prepare(data: Omit<AuditEntry, 'seq'>): SealedAudit {
    if (this.failed) throw this.failed;
    const { entry, line } = seal(this.seq + 1, 'audit', data, this.head);
    return { entry: { ...data, seq: entry.seq }, line, hash: entry.hash, prevHash: this.head };
  }

  /**
   * The entry's journal record is durable: the entry is in the trail. Its line is appended without an
   * fsync; a disk that refuses it leaves it pending (the journal record still has it), never an error.
   */
  settle(s: SealedAudit): AuditEntry {
    if (s.entry.seq !== this.seq + 1 || s.prevHash !== this.head) throw new Error(`audit entry ${s.entry.seq} settled out of order`);
    this.seq = s.entry.seq;
    this.head = s.hash;
    this.entries.push(s.entry);
    this.pending.push(`${s.line}\n`);
    try {
      this.flush();
    } catch {
      /* kept pending: written before the next entry, at the next fold (sync) or by recover at the next start */
    }
    return s.entry;
  }

  /** Writes the pending lines (no fsync); throws StorageError and keeps them pending when the disk refuses. */
  private flush(): void {
    if (this.pending.length === 0 && !this.dirty) return;
    try {
      if (this.dirty) {
        truncateFile(this.fd!, this.size);
        this.dirty = false;
      }
      if (this.pending.length === 0) return;
      const bytes = Buffer.from(this.pending.join(''));
      writeAll(this.fd!, bytes);
      this.size += bytes.length;
      this.pending = [];
    } catch (err) {
      this.dirty = true;
      throw new StorageError(`cannot write ${this.file}: ${(err as Error).message}`, err);
    }
  }

  /** Makes every settled entry durable in audit.jsonl (before a journal that holds them is cut down). */
  sync(): void {
    this.flush();
    try {
      syncFile(this.fd!, true);
    } catch (err) {
      throw new StorageError(`cannot make ${this.file} durable: ${(err as Error).message}`, err);
    }
  }

  /**
   * At start, with the sealed lines the journals hold: appends (and fsyncs) those past the end of
   * audit.jsonl, byte for byte, so the chain is the one the running server built. A line that does not
   * continue the file (entries missing in between, another entry at a number the file holds) refuses
   * the start. Returns how many were appended.
   */
  recover(lines: readonly string[]): number {
    const found = new Map<number, { line: string; prevHash: string; hash: string }>();
    for (const line of lines) {
      const u = unseal(line);
      if (!u.ok) throw this.corrupt(`a state journal carries a damaged audit entry (${u.why})`);
      found.set(u.entry.seq, { line, prevHash: u.entry.prevHash, hash: u.entry.hash });
    }
    const missing = [...found.keys()].filter((n) => n > this.seq).sort((a, b) => a - b);
    if (missing.length === 0) return 0;
    const at = found.get(this.seq);
    if (at && at.hash !== this.head) throw this.corrupt(`entry ${this.seq} differs from the one a state journal carries`);
    let head = this.head;
    const out: string[] = [];
    for (const [k, n] of missing.entries()) {
      const e = found.get(n)!;
      if (n !== this.seq + 1 + k)
        throw this.corrupt(`entries ${this.seq + 1 + k}..${n - 1} are neither in the file nor in a state journal`);
      if (e.prevHash !== head) throw this.corrupt(`entry ${n} in a state journal does not follow entry ${n - 1}`);
      const u = unseal(e.line);
      if (u.ok) this.entries.push({ ...(u.entry.data as Omit<AuditEntry, 'seq'>), seq: n });
      head = e.hash;
      out.push(`${e.line}\n`);
    }
    this.pending.push(...out);
    this.seq = missing.at(-1)!;
    this.head = head;
    this.sync();
    return out.length;
  }

  private corrupt(why: string): DataFileCorruptError {
    return new DataFileCorruptError(
      'STATE_CORRUPT',
      `${this.file}: ${why}. The files were left untouched; restore the data directory from a backup (huika will not start on a broken audit trail).`,
    );
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
    try {
      this.flush();
    } catch {
      /* reported below: the file ends before the entries settled */
    }
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
    try {
      if (this.fd !== undefined) this.sync();
    } catch {
      /* still in a state journal: recover appends it at the next start */
    }
    if (this.fd !== undefined) closeFile(this.fd);
    this.fd = undefined;
  }
}
