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
import { closeSync, existsSync, fdatasyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { GENESIS_HASH, seal, unseal } from './hash-chain.ts';
import { loadLedger } from './ledger-file.ts';
import type { AuditEntry } from './admin-store.ts';

export class AuditFile {
  readonly entries: AuditEntry[] = [];
  private fd: number | undefined;
  private seq = 0;
  private head = GENESIS_HASH;
  private failed: Error | undefined;

  constructor(readonly file: string) {
    // A torn last line (crash mid-append) is moved aside by loadLedger, as for the redemption ledger.
    const loaded = loadLedger(file, (e) => {
      this.entries.push({ ...(e.data as Omit<AuditEntry, 'seq'>), seq: e.seq });
    });
    this.seq = loaded.last?.seq ?? 0;
    this.head = loaded.last?.hash ?? GENESIS_HASH;
    this.fd = openSync(file, 'a', 0o600);
  }

  /** Appends and fsyncs before returning; throws STORAGE_FAILED (and refuses later appends) when the disk does. */
  append(data: Omit<AuditEntry, 'seq'>): AuditEntry {
    if (this.failed) throw this.failed;
    const { entry, line } = seal(this.seq + 1, 'audit', data, this.head);
    try {
      writeSync(this.fd!, line + '\n');
      fdatasyncSync(this.fd!);
    } catch (err) {
      this.failed = Object.assign(new Error(`cannot write ${this.file}: ${(err as Error).message}`), { code: 'STORAGE_FAILED' });
      throw this.failed;
    }
    this.seq = entry.seq;
    this.head = entry.hash;
    const out = { ...data, seq: entry.seq };
    this.entries.push(out);
    return out;
  }

  verify(): { ok: boolean; checked: number; message?: string } {
    if (!existsSync(this.file)) return { ok: this.seq === 0, checked: 0 };
    let prev = GENESIS_HASH;
    let checked = 0;
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (line === '') continue;
      const u = unseal(line);
      if (!u.ok) return { ok: false, checked, message: `entry ${checked + 1}: ${u.why}` };
      if (u.entry.seq !== checked + 1 || u.entry.prevHash !== prev) return { ok: false, checked, message: `entry ${checked + 1} does not link to the entry before it` };
      prev = u.entry.hash;
      checked++;
    }
    if (checked !== this.seq || prev !== this.head) return { ok: false, checked, message: `the file ends at entry ${checked}, but ${this.seq} were written` };
    return { ok: true, checked };
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
