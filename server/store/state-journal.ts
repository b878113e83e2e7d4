/**
 * A lowdb snapshot plus a journal of its changes: state.json (member-side.json) and state.journal
 * (member-side.journal) beside it. One module, two users (the reference state, the member side).
 *
 * Why: lowdb rewrites the whole file on every write. At 100,000 members that is 110–160 ms of frozen
 * event loop per admin write (issue 9, point 6). Here a write appends one small record (the changed
 * positions of the changed tables) and fdatasyncs it, inside the caller's synchronous check-and-change,
 * the way the ledger and the audit trail already append (hash-chained lines, torn tail cut off).
 *
 * The snapshot is folded in the background: once the journal passes `foldAfter` records or bytes (and at
 * clean shutdown), the tables are serialised in slices with the event loop free between them, written
 * to a temp file, fsync'd and renamed over the snapshot (the durable-file way); then the journal is cut
 * down to the records the snapshot does not hold. The snapshot carries the journal position it includes
 * (`journal: {seq, hash}`), so a crash between its rename and the journal's cut applies nothing twice.
 *
 * Records are positional ({len, set: [[index, value]…]} or {all: […]} per table): replayed in order
 * onto the snapshot they give back the same arrays. A record may also carry the write's sealed audit
 * entry (type `change`: {tables, audit}); the record is then the entry's commit point too, and the one
 * fdatasync of the write (audit-file.ts): the lines found here are handed to AuditFile.recover at start. Callers say what they changed (`Change`): a table
 * swapped for a new array (diffed by identity, position by position), or elements changed in place or
 * appended. Every in-place change must be recorded: that is also what makes a snapshot taken in slices,
 * while writes go on, correct once the records after its position are replayed onto it.
 */
import { existsSync, readdirSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { LowSync, type SyncAdapter } from 'lowdb';
import { z } from 'zod';
import {
  closeFile,
  DataFileCorruptError,
  DurableHandle,
  fsyncDir,
  oneLine,
  openFile,
  renameFile,
  StorageError,
  syncFile,
  truncateFile,
  ValidatedJsonFile,
  writeAll,
  writeFileDurably,
} from '../../platform/durable-file.ts';
import { GENESIS_HASH, seal, unseal } from './hash-chain.ts';
import { forEachLine } from './ledger-file.ts';

/** Where a snapshot stands in its journal: the last record it includes. */
export const journalMarkSchema = z.object({ seq: z.number().int().nonnegative(), hash: z.string().regex(/^[0-9a-f]{64}$/) });
export type JournalMark = z.infer<typeof journalMarkSchema>;

export type TablePatch = { len: number; set: Array<[number, unknown]> } | { all: unknown[] };
/** One journal record: the changed tables. */
export type Patch = Record<string, TablePatch>;

/**
 * What a write changed: `data[table]` is now a new array (`replaced` the old one; `byValue`: its elements
 * are copies, compared by value rather than identity), or these elements of it changed in place / were appended. */
export type Change =
  | { table: string; replaced: readonly unknown[]; byValue?: boolean }
  | { table: string; touched: readonly unknown[] }
  /** These positions of the table were set in place or appended (positions past its new length: cut off). */
  | { table: string; positions: Iterable<number> };
/** Per changed table, the elements that left (old) and arrived (next); the same object when changed in place. */
export type Changed = Map<string, Array<{ old?: unknown; next?: unknown }>>;

type Tables = Record<string, unknown> & { journal?: JournalMark };

/** Position-by-position identity diff of a table that was swapped for a new array. */
export function diffTable(
  old: readonly unknown[],
  next: readonly unknown[],
  same: (a: unknown, b: unknown) => boolean = Object.is,
): { patch: TablePatch; pairs: Array<{ old?: unknown; next?: unknown }> } {
  const set: Array<[number, unknown]> = [];
  const pairs: Array<{ old?: unknown; next?: unknown }> = [];
  const n = Math.max(old.length, next.length);
  for (let i = 0; i < n; i++) {
    if (i < old.length && i < next.length && same(old[i], next[i])) continue;
    if (i < next.length) set.push([i, next[i]]);
    pairs.push({ ...(i < old.length ? { old: old[i] } : {}), ...(i < next.length ? { next: next[i] } : {}) });
  }
  // A table mostly rewritten (an import, a filter that removed early rows) is cheaper recorded whole.
  return { patch: set.length > next.length / 2 && next.length > 16 ? { all: next.slice() } : { len: next.length, set }, pairs };
}

/** Equality of two JSON values (what a record would hold of them). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Builds the record and the changed elements of a write from what its caller says it changed. */
export function patchOf(data: Tables, changes: readonly Change[]): { patch: Patch; changed: Changed } {
  const patch: Patch = {};
  const changed: Changed = new Map();
  for (const c of changes) {
    const arr = data[c.table] as unknown[];
    if ('replaced' in c) {
      const d = diffTable(c.replaced, arr, c.byValue ? sameJson : Object.is);
      if (d.pairs.length === 0) continue; // the same rows: nothing to record
      patch[c.table] = d.patch;
      changed.set(c.table, d.pairs);
    } else if ('positions' in c) {
      const set: Array<[number, unknown]> = [];
      for (const i of new Set(c.positions)) if (i < arr.length) set.push([i, arr[i]]);
      patch[c.table] = { len: arr.length, set };
    } else {
      const set: Array<[number, unknown]> = [];
      for (const el of new Set(c.touched)) {
        const i = arr.lastIndexOf(el);
        if (i >= 0) set.push([i, el]);
      }
      patch[c.table] = { len: arr.length, set };
      changed.set(
        c.table,
        set.map(([, el]) => ({ old: el, next: el })),
      );
    }
  }
  return { patch, changed };
}

/** Replays one record onto the state (mutating it); throws a message when it does not fit the schema. */
function applyPatch(state: Tables, patch: Patch, shape: Record<string, z.ZodType>): void {
  for (const [table, p] of Object.entries(patch)) {
    const schema = shape[table];
    if (!schema || table === 'format' || table === 'journal') throw new Error(`unknown table ${oneLine(table)}`);
    if ('all' in p) {
      state[table] = schema.parse(p.all);
      continue;
    }
    if (!Number.isInteger(p.len) || p.len < 0 || !Array.isArray(p.set)) throw new Error(`table ${table}: not a patch`);
    const values = schema.parse(p.set.map((x) => x[1])) as unknown[];
    const arr = (state[table] as unknown[]).slice();
    p.set.forEach(([i], k) => {
      if (!Number.isInteger(i) || i < 0 || i >= p.len) throw new Error(`table ${table}: position ${i} outside 0..${p.len - 1}`);
      arr[i] = values[k];
    });
    if (p.len > arr.length) throw new Error(`table ${table}: ${p.len} rows but only ${arr.length} known`);
    arr.length = p.len;
    for (let i = 0; i < arr.length; i++) if (arr[i] === undefined) throw new Error(`table ${table}: row ${i} missing`);
    state[table] = arr;
  }
}

export interface StateJournalOptions<S> {
  /** The snapshot (lowdb, validated JSON); the journal is `<name without .json>.journal` beside it. */
  file: string;
  schema: z.ZodObject<z.ZodRawShape>;
  empty: () => S;
  /** Fold into a fresh snapshot once the journal holds this many records or bytes. */
  foldAfter?: { records?: number; bytes?: number };
  /** Warnings: a torn last record dropped, a fold that failed (the journal keeps everything then). */
  onNotice?: (message: string) => void;
}

const SLICE_MS = 4;
const SLICE_BYTES = 256 * 1024;

export class StateJournal<S extends object> {
  readonly db: LowSync<S>;
  readonly journalFile: string;
  private fd: number;
  private seq = 0;
  private head = GENESIS_HASH;
  /** Bytes of whole records in the journal: where the next lands, and what a failed one is cut back to. */
  private size = 0;
  /** What the snapshot on disk holds of the journal. */
  private mark: JournalMark = { seq: 0, hash: GENESIS_HASH };
  private failed: Error | undefined;
  private folding: Promise<void> | undefined;
  /** While a fold runs: the records appended after the position it serialises (they stay in the journal). */
  private since: string[] | undefined;
  private closed = false;
  private again = false;
  /** The journal was renamed into place and its directory not yet fsync'd: the next append does it first. */
  private dirDirty = false;
  private foldFailures = 0;
  /** Sealed audit lines the journal held at open (AuditFile.recover takes them). */
  private auditLines: string[] = [];
  /**
   * Called in a fold before the snapshot replaces the old one and the journal is cut: whatever the cut
   * records carry elsewhere (their audit lines) must be durable first; a throw fails the fold, cutting nothing.
   */
  beforeCut: (() => void) | undefined;
  private readonly records: number;
  private readonly bytes: number;
  /** Folds done and how long the last took (the bench reports them). */
  readonly stats = { folds: 0, lastFoldMs: 0, appends: 0 };

  private constructor(private readonly opts: StateJournalOptions<S>) {
    this.journalFile = `${opts.file.replace(/\.json$/, '')}.journal`;
    // HUIKA_STATE_FOLD_AFTER=records[,bytes]: tests (and their child servers) fold after every write.
    const env = (process.env.HUIKA_STATE_FOLD_AFTER ?? '').split(',').map(Number);
    this.records = opts.foldAfter?.records ?? (env[0] || 1000);
    this.bytes = opts.foldAfter?.bytes ?? (env[1] || 8 * 2 ** 20);
    this.db = new LowSync<S>(new ValidatedJsonFile(opts.file, opts.schema, 'STATE_CORRUPT') as unknown as SyncAdapter<S>, opts.empty());
    this.fd = -1;
  }

  /** Reads the snapshot, replays the journal onto it (a torn last record is cut off, damage elsewhere refuses). */
  static open<S extends object>(opts: StateJournalOptions<S>): StateJournal<S> {
    const j = new StateJournal<S>(opts);
    j.removeLeftovers();
    const fresh = !existsSync(opts.file);
    j.db.read();
    const data = j.db.data as Tables;
    if (fresh) {
      // From the first start on the snapshot exists (data-dir-check.ts), and says it has a journal (its
      // mark): a journal missing beside it is then loss, not a directory from before journals. The
      // journal is made first, so no crash leaves a snapshot that says so without one.
      closeFile(openFile(j.journalFile, 'a', 0o600));
      data.journal = { seq: 0, hash: GENESIS_HASH };
      j.db.write();
    }
    j.mark = data.journal ?? { seq: 0, hash: GENESIS_HASH };
    delete data.journal;
    j.replay();
    j.fd = openFile(j.journalFile, 'a', 0o600);
    fsyncDir(dirname(j.journalFile));
    return j;
  }

  /**
   * What the state holds now, read without changing any file (for tools beside a running server): the
   * snapshot plus every whole record of the journal; a torn last record is ignored, not cut off.
   */
  static peek<S extends object>(opts: StateJournalOptions<S>): S {
    const j = new StateJournal<S>(opts);
    j.db.read();
    const data = j.db.data as Tables;
    j.mark = data.journal ?? { seq: 0, hash: GENESIS_HASH };
    delete data.journal;
    j.replay(true);
    return j.db.data;
  }

  private removeLeftovers(): void {
    const dir = dirname(this.opts.file);
    if (!existsSync(dir)) return;
    const prefixes = [`${basename(this.opts.file)}.fold-`, `${basename(this.journalFile)}.tmp-`];
    for (const f of readdirSync(dir)) if (prefixes.some((p) => f.startsWith(p))) unlinkSync(join(dir, f));
  }

  private corrupt(line: number, why: string): DataFileCorruptError {
    return new DataFileCorruptError(
      'STATE_CORRUPT',
      `${this.journalFile} record ${line}: ${why}. The file was left untouched; restore it from a backup or inspect it (huika will not start on a damaged state journal).`,
    );
  }

  private replay(readOnly = false): void {
    if (!existsSync(this.journalFile)) return;
    const shape = this.opts.schema.shape as Record<string, z.ZodType>;
    const data = this.db.data as Tables;
    let prev: string | undefined;
    let last = this.mark.seq;
    const { tail, goodBytes } = forEachLine(this.journalFile, (line, lineNo) => {
      if (line === '') return;
      const u = unseal(line);
      if (!u.ok) throw this.corrupt(lineNo, u.why);
      const e = u.entry;
      if (prev !== undefined && (e.seq !== last + 1 || e.prevHash !== prev))
        throw this.corrupt(lineNo, `does not follow record ${last} (a record before it was changed or removed)`);
      if (prev === undefined && e.seq > this.mark.seq + 1)
        throw this.corrupt(lineNo, `starts at record ${e.seq}, but the snapshot holds only up to ${this.mark.seq} (records are missing)`);
      if (e.seq === this.mark.seq && e.hash !== this.mark.hash) throw this.corrupt(lineNo, 'differs from the record the snapshot holds');
      if (e.seq === this.mark.seq + 1 && e.prevHash !== this.mark.hash) throw this.corrupt(lineNo, 'does not follow the snapshot');
      prev = e.hash;
      last = e.seq;
      const change = e.type === 'change' ? (e.data as { tables: Patch; audit?: unknown }) : undefined;
      if (typeof change?.audit === 'string') this.auditLines.push(change.audit);
      // Records the snapshot already holds (a crash between its rename and the journal's cut) are skipped.
      if (e.seq <= this.mark.seq) return;
      try {
        applyPatch(data, change ? change.tables : (e.data as Patch), shape);
      } catch (err) {
        throw this.corrupt(lineNo, `does not fit the state (${oneLine((err as Error).message).slice(0, 300)})`);
      }
      this.seq = e.seq;
      this.head = e.hash;
    });
    if (this.seq < this.mark.seq || this.seq === 0) {
      this.seq = this.mark.seq;
      this.head = this.mark.hash;
    }
    this.size = goodBytes;
    if (tail.length > 0 && !readOnly) {
      // Bytes after the last newline: a record being appended when the process died. Its fsync never
      // returned, so its write was never acknowledged. Kept aside for forensics, then cut off.
      const saved = `${this.journalFile}.torn-${Date.now()}`;
      writeFileDurably(saved, tail);
      const fd = openFile(this.journalFile, 'r+');
      try {
        truncateFile(fd, goodBytes);
        syncFile(fd);
      } finally {
        closeFile(fd);
      }
      this.opts.onNotice?.(
        `${this.journalFile} ended in a partial record from an interrupted write (never acknowledged); moved it to ${saved} · 状态日志末尾有未完成的记录（未确认），已移至 ${saved}`,
      );
    }
  }

  /** The sealed audit lines the journal held when opened, once (for AuditFile.recover). */
  takeAuditLines(): string[] {
    const out = this.auditLines;
    this.auditLines = [];
    return out;
  }

  /** Records not yet in the snapshot. */
  get pending(): number {
    return this.seq - this.mark.seq;
  }

  /**
   * Appends the write's record and fsyncs it before returning (synchronously: the caller's check-and-change
   * stays free of awaits). Throws StorageError with nothing of it on disk; the caller undoes its change.
   */
  commit(changes: readonly Change[], audit?: string): Changed {
    const { patch, changed } = patchOf(this.db.data as Tables, changes);
    if (Object.keys(patch).length > 0 || audit !== undefined) this.append(patch, audit);
    return changed;
  }

  /** Appends one record (with the write's sealed audit line, when it has one) and fdatasyncs it. */
  append(patch: Patch, audit?: string): void {
    if (this.failed) throw this.failed;
    if (this.closed) throw new StorageError(`${this.journalFile} is closed`);
    const { entry, line } =
      audit === undefined
        ? seal(this.seq + 1, 'patch', patch, this.head)
        : seal(this.seq + 1, 'change', { tables: patch, audit }, this.head);
    const bytes = Buffer.from(`${line}\n`);
    if (this.dirDirty) {
      try {
        fsyncDir(dirname(this.journalFile));
        this.dirDirty = false;
      } catch (err) {
        throw new StorageError(`cannot make ${this.journalFile} durable: ${(err as Error).message}`, err);
      }
    }
    try {
      writeAll(this.fd, bytes);
      syncFile(this.fd, true);
    } catch (err) {
      this.cutBack();
      throw new StorageError(`cannot write ${this.journalFile}: ${(err as Error).message}`, err);
    }
    this.seq = entry.seq;
    this.head = entry.hash;
    this.size += bytes.length;
    this.stats.appends++;
    this.since?.push(`${line}\n`);
    if (!this.folding && this.due()) void this.fold();
  }

  /** Whether the journal has grown enough to fold (a failed fold waits for more before trying again). */
  private due(): boolean {
    const k = 1 + this.foldFailures;
    return this.pending > 0 && (this.pending >= this.records * k || this.size >= this.bytes * k);
  }

  /** Resolves once no fold is running or due (tests, the bench). */
  async idle(): Promise<void> {
    while (this.folding) await this.folding;
  }

  private cutBack(): void {
    try {
      truncateFile(this.fd, this.size);
      syncFile(this.fd, true);
    } catch (err) {
      this.failed = new StorageError(
        `cannot repair ${this.journalFile} after a failed write: ${(err as Error).message}; writes are refused until a restart`,
        err,
      );
    }
  }

  /** Folds the journal into a fresh snapshot without holding the event loop; resolves when done (a failure is a notice). */
  fold(): Promise<void> {
    if (this.folding) return this.folding;
    if (this.pending === 0) return Promise.resolve();
    this.folding = this.foldOnce()
      .then(
        () => {
          this.foldFailures = 0;
          this.again = !this.closed && this.due(); // records that arrived during this fold
        },
        (err: unknown) => {
          this.foldFailures = Math.min(this.foldFailures + 1, 8);
          this.opts.onNotice?.(
            `could not fold ${this.journalFile} into ${this.opts.file} (the journal keeps every change): ${(err as Error).message}`,
          );
        },
      )
      .finally(() => {
        this.folding = undefined;
        this.since = undefined;
        if (this.again) {
          this.again = false;
          void this.fold();
        }
      });
    return this.folding;
  }

  private async foldOnce(): Promise<void> {
    const started = performance.now();
    // The position this snapshot will hold, and the tables as they stand now. Arrays are copied (cheap:
    // references), so a later swap or push does not reach the snapshot; an element changed in place may
    // reach it, and the record that changed it is replayed onto it, to the same value.
    const mark: JournalMark = { seq: this.seq, hash: this.head };
    const data = this.db.data as Tables;
    const tables = Object.entries(data).map(([k, v]) => [k, Array.isArray(v) ? v.slice() : v] as const);
    this.since = [];
    const tmp = `${this.opts.file}.fold-${process.pid}`;
    const fh = await DurableHandle.open(tmp, 'w', 0o600);
    try {
      let buf: string[] = [];
      let bufBytes = 0;
      let sliceStart = performance.now();
      const pause = async () => {
        await new Promise((r) => setImmediate(r));
        sliceStart = performance.now();
      };
      const flush = async () => {
        if (buf.length) await fh.writeAll(buf.join(''));
        buf = [];
        bufBytes = 0;
        await pause();
      };
      // Writes happen per SLICE_BYTES, the event loop is let go per SLICE_MS: the file operations of a fold
      // then depend on its size only, not on how busy the machine is (the fault walk counts them).
      const put = async (s: string) => {
        buf.push(s);
        bufBytes += s.length;
        if (bufBytes >= SLICE_BYTES) await flush();
        else if (performance.now() - sliceStart >= SLICE_MS) await pause();
      };
      let first = true;
      await put('{');
      for (const [k, v] of [...tables, ['journal', mark] as const]) {
        await put(`${first ? '' : ','}${JSON.stringify(k)}:`);
        first = false;
        if (!Array.isArray(v)) {
          await put(JSON.stringify(v));
          continue;
        }
        await put('[');
        for (let i = 0; i < v.length; i++) await put(`${i ? ',' : ''}${JSON.stringify(v[i])}`);
        await put(']');
      }
      await put('}');
      await flush();
      await fh.datasync();
    } catch (err) {
      await fh.close().catch(() => {});
      this.unlinkQuietly(tmp);
      throw err;
    }
    await fh.close();
    // From here on synchronous: no write can land between the rename and the journal's cut.
    try {
      this.beforeCut?.();
      renameFile(tmp, this.opts.file);
    } catch (err) {
      this.unlinkQuietly(tmp);
      throw err;
    }
    // Until the directory entry is durable the old snapshot may come back after a crash: the journal
    // must keep every record it lacks, so a failure here stops before the cut.
    fsyncDir(dirname(this.opts.file));
    this.mark = mark;
    this.cutJournal(this.since ?? []);
    this.stats.folds++;
    this.stats.lastFoldMs = performance.now() - started;
  }

  /** After a durable snapshot at `mark`: the journal keeps only the records appended since. */
  private cutJournal(since: string[]): void {
    if (since.length === 0) {
      truncateFile(this.fd, 0);
      this.size = 0;
      syncFile(this.fd, true);
      return;
    }
    // Records arrived during the fold: the journal becomes just those, through a temp file renamed over
    // it. A failure before the rename leaves the old journal (its extra records are skipped on replay)
    // and its descriptor in use; after the rename, appends go to the new file through a descriptor
    // opened on it beforehand, and until the directory entry is durable every append first makes it so.
    const tmp = `${this.journalFile}.tmp-${process.pid}`;
    const text = since.join('');
    let fd = -1;
    try {
      this.unlinkQuietly(tmp);
      fd = openFile(tmp, 'a', 0o600); // appended to from now on: 'a', so a cut-back write is followed by the next at the end

      writeAll(fd, text);
      syncFile(fd);
      renameFile(tmp, this.journalFile);
    } catch (err) {
      if (fd >= 0) closeFile(fd);
      this.unlinkQuietly(tmp);
      throw err;
    }
    closeFile(this.fd);
    this.fd = fd;
    this.size = Buffer.byteLength(text);
    this.dirDirty = true;
    fsyncDir(dirname(this.journalFile));
    this.dirDirty = false;
  }

  private unlinkQuietly(f: string): void {
    try {
      unlinkSync(f);
    } catch {
      /* gone already, or removed at the next start */
    }
  }

  /** Closes the journal without folding (a start that failed after opening it). */
  abandon(): void {
    this.closed = true;
    if (this.fd >= 0) closeFile(this.fd);
    this.fd = -1;
  }

  /** Waits for a fold in progress, folds what is left (a clean shutdown leaves an empty journal), closes. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.folding;
    if (!this.failed && this.pending > 0) await this.fold();
    this.closed = true;
    if (this.fd >= 0) closeFile(this.fd);
    this.fd = -1;
  }
}
