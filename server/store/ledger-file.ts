/**
 * An append-only, fsync'd, hash-chained log file (JSON lines) with group commit.
 *
 * Why not lowdb: lowdb rewrites the whole file on every write and never fsyncs (83 ms a write at 76,000
 * members, measured). Here an append costs one write + one fdatasync shared by every entry that arrived
 * while the previous flush was on disk, so durable throughput grows with concurrency.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  closeFile,
  DurableHandle,
  fsyncDir,
  openFile,
  StorageError,
  syncFile,
  truncateFile,
  writeFileDurably,
} from '../../platform/durable-file.ts';
import { GENESIS_HASH, seal, unseal, type ChainEntry } from './hash-chain.ts';
import type { LedgerHeadFile } from './ledger-head.ts';

export class LedgerCorruptError extends Error {
  readonly code = 'LEDGER_CORRUPT';
  constructor(
    readonly file: string,
    readonly line: number,
    why: string,
  ) {
    super(
      `${file} line ${line}: ${why}. The file was left untouched; restore it from a backup or inspect it (huika will not start on a damaged ledger).`,
    );
  }
}

export interface LoadedLedger {
  count: number;
  /** Bytes of whole entries in the file: where the next append lands. */
  size: number;
  last?: ChainEntry;
  /** A partial last line from a crash mid-append: never acknowledged, moved aside, reported. */
  tornTailSavedTo?: string;
}

const CHUNK = 8 * 2 ** 20;

/**
 * Calls `onLine` for each complete line of a file, reading it in chunks: a ledger of a million
 * redemptions is larger than the longest string V8 can hold, so it is never read as one string.
 * Returns the bytes after the last newline (a torn final line) and where they start.
 */
export function forEachLine(
  file: string,
  onLine: (line: string, lineNo: number, byteStart: number, byteLength: number) => void,
  chunkBytes = CHUNK,
  startOffset = 0,
  startLineNo = 0,
): { tail: Buffer; goodBytes: number } {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const chunk = Buffer.allocUnsafe(chunkBytes);
    let carry = Buffer.alloc(0);
    let pos = startOffset;
    let lineNo = startLineNo;
    while (pos < size) {
      const n = readSync(fd, chunk, 0, chunk.length, pos);
      if (n === 0) break;
      pos += n;
      const data = carry.length ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      const base = pos - data.length; // file offset of data[0]
      let start = 0;
      for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, start)) {
        onLine(data.toString('utf8', start, nl), ++lineNo, base + start, nl - start);
        start = nl + 1;
      }
      carry = Buffer.from(data.subarray(start));
    }
    return { tail: carry, goodBytes: pos - carry.length };
  } finally {
    closeSync(fd);
  }
}

/**
 * forEachLine without blocking: awaits between chunks, so a running server keeps answering while a
 * large ledger is checked. Stops at `endOffset` (bytes appended after the check began are not its business).
 */
export async function forEachLineAsync(
  file: string,
  onLine: (line: string) => boolean | undefined,
  endOffset?: number,
): Promise<{ tail: Buffer }> {
  const fh = await open(file, 'r');
  try {
    const size = Math.min(endOffset ?? Infinity, (await fh.stat()).size);
    const chunk = Buffer.allocUnsafe(CHUNK);
    let carry = Buffer.alloc(0);
    let pos = 0;
    while (pos < size) {
      const { bytesRead } = await fh.read(chunk, 0, Math.min(chunk.length, size - pos), pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      const data = carry.length ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      let start = 0;
      for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, start)) {
        if (onLine(data.toString('utf8', start, nl)) === false) return { tail: Buffer.alloc(0) };
        start = nl + 1;
      }
      carry = Buffer.from(data.subarray(start));
    }
    return { tail: carry };
  } finally {
    await fh.close();
  }
}

/**
 * Reads and checks the whole chain, handing each entry to `onEntry` as it goes (no array of a million
 * entries held twice). A torn final line is moved aside; damage anywhere else refuses to load.
 */
export function loadLedger(
  file: string,
  onEntry: (e: ChainEntry, byteStart: number, byteLength: number) => void,
  /** Resume after a checkpoint: the byte offset, entry count and head hash it covers. */
  from?: { offset: number; seq: number; hash: string },
): LoadedLedger {
  if (!existsSync(file)) return { count: 0, size: 0 };
  let prev = from?.hash ?? GENESIS_HASH;
  let count = from?.seq ?? 0;
  let last: ChainEntry | undefined;
  const { tail, goodBytes } = forEachLine(
    file,
    (line, lineNo, byteStart, byteLength) => {
      if (line === '') return;
      const u = unseal(line);
      if (!u.ok) throw new LedgerCorruptError(file, lineNo, u.why);
      const e = u.entry;
      if (e.seq !== count + 1) throw new LedgerCorruptError(file, lineNo, `expected entry ${count + 1}, found ${e.seq}`);
      if (e.prevHash !== prev) throw new LedgerCorruptError(file, lineNo, 'hash chain broken (an entry before it was changed or removed)');
      prev = e.hash;
      count++;
      last = e;
      onEntry(e, byteStart, byteLength);
    },
    CHUNK,
    from?.offset ?? 0,
    from?.seq ?? 0,
  );
  let tornTailSavedTo: string | undefined;
  if (tail.length > 0) {
    // Bytes after the last newline were being appended when the process died; their flush never
    // completed, so no client was told they were recorded. Only now that the rest is known good
    // (a damaged file is left untouched): keep the tail for forensics, then cut it off.
    tornTailSavedTo = `${file}.torn-${Date.now()}`;
    writeFileDurably(tornTailSavedTo, tail);
    const fd = openFile(file, 'r+');
    try {
      truncateFile(fd, goodBytes);
      syncFile(fd);
    } finally {
      closeFile(fd);
    }
  }
  return { count, size: goodBytes, ...(last ? { last } : {}), ...(tornTailSavedTo ? { tornTailSavedTo } : {}) };
}

type Pending = { line: string; resolve: () => void; reject: (e: Error) => void };

/** Where the chain stands: after everything on disk (durable) or after everything appended (logical). */
interface Position {
  seq: number;
  head: string;
  size: number;
  lastLineStart: number;
}

export class LedgerWriter {
  private fh: DurableHandle | undefined;
  private headFile: LedgerHeadFile | undefined;
  private queue: Pending[] = [];
  private flushing = false;
  private failed: Error | undefined;
  /** After a failed append: the file may hold part of it, to be cut off before anything else is written. */
  private needsRepair = false;
  private at: Position;
  private durable: Position;
  /** How many fsyncs ran and how many entries they carried: the bench reports the batch size. */
  readonly stats = { flushes: 0, entries: 0 };
  /** Told when the head file could not be written (the head then lags; nothing acknowledged is at risk). */
  onNotice: ((message: string) => void) | undefined;

  private constructor(
    readonly file: string,
    last: ChainEntry | undefined,
    lastLineStart: number,
  ) {
    this.at = { seq: last?.seq ?? 0, head: last?.hash ?? GENESIS_HASH, size: 0, lastLineStart };
    this.durable = { ...this.at };
  }

  /**
   * `headFile`: where the last acknowledged head is recorded after each group commit (ledger-head.ts);
   * tests of the bare writer leave it out.
   */
  static async open(
    file: string,
    last: ChainEntry | undefined,
    opts: { lastLineStart?: number; headFile?: LedgerHeadFile } = {},
  ): Promise<LedgerWriter> {
    const w = new LedgerWriter(file, last, opts.lastLineStart ?? 0);
    w.fh = await DurableHandle.open(file, 'a', 0o600);
    w.at.size = w.durable.size = await w.fh.size();
    w.headFile = opts.headFile;
    // A new file's directory entry must be durable too, or a crash could lose the whole file.
    fsyncDir(dirname(file));
    return w;
  }

  get headHash(): string {
    return this.at.head;
  }
  get lastSeq(): number {
    return this.at.seq;
  }
  /** Start of the last appended line (the checkpoint checks the head against it). */
  get lastLineStart(): number {
    return this.at.lastLineStart;
  }
  /** Where the next entry will start; equal to the file's size once everything queued is written. */
  get endOffset(): number {
    return this.at.size;
  }
  /** The last entry on disk (what the head file and a signed head may claim). */
  get durableHead(): { seq: number; hash: string } {
    return { seq: this.durable.seq, hash: this.durable.head };
  }
  get idle(): boolean {
    return !this.flushing && this.queue.length === 0 && !this.needsRepair;
  }
  get error(): Error | undefined {
    return this.failed;
  }

  /**
   * Seals the entry into the chain now (synchronously, so callers can keep their check-and-change
   * free of awaits) and returns it with a promise that settles once it is on disk.
   */
  append<T>(type: string, data: T): { entry: ChainEntry<T>; durable: Promise<void>; offset: number; length: number } {
    if (this.failed) throw this.failed;
    const { entry, line } = seal(this.at.seq + 1, type, data, this.at.head);
    const offset = this.at.size;
    const length = Buffer.byteLength(line);
    this.at = { seq: entry.seq, head: entry.hash, size: offset + length + 1, lastLineStart: offset };
    const durable = new Promise<void>((resolve, reject) => {
      this.queue.push({ line: `${line}\n`, resolve, reject });
    });
    if (!this.flushing) void this.flush();
    return { entry, durable, offset, length };
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while ((this.queue.length > 0 || this.needsRepair) && !this.failed) {
        if (this.needsRepair) {
          // Cut off whatever part of the failed batch reached the file, so the next entry follows the
          // last good one and a restart finds nothing that was refused. If even that fails, stop.
          try {
            await this.fh!.truncate(this.durable.size);
            await this.fh!.datasync();
            this.needsRepair = false;
          } catch (err) {
            this.failed = new StorageError(
              `cannot repair ${this.file} after a failed write: ${(err as Error).message}; writes are refused until a restart`,
              err,
            );
            for (const p of this.queue) p.reject(this.failed);
            this.queue = [];
            return;
          }
          continue;
        }
        const batch = this.queue;
        const target = this.at;
        this.queue = [];
        try {
          await this.fh!.writeAll(batch.map((p) => p.line).join(''));
          await this.fh!.datasync();
        } catch (err) {
          // Nothing of this batch, nor of what queued behind it (sealed onto it), was acknowledged: the
          // chain goes back to the last entry on disk, synchronously, before any other append seals onto it.
          const e = new StorageError(`cannot write ${this.file}: ${(err as Error).message}`, err);
          const rejected = [...batch, ...this.queue];
          this.queue = [];
          this.at = { ...this.durable };
          this.needsRepair = true;
          for (const p of rejected) p.reject(e);
          continue;
        }
        // `target` was taken when the batch was: later appends replace `at`, never change it.
        this.durable = target;
        this.stats.flushes++;
        this.stats.entries += batch.length;
        await this.recordHead();
        for (const p of batch) p.resolve();
      }
    } finally {
      this.flushing = false;
    }
  }

  /** After a group commit and before it is acknowledged: the head file learns the new durable head. */
  private async recordHead(): Promise<void> {
    if (!this.headFile) return;
    try {
      await this.headFile.record({ seq: this.durable.seq, hash: this.durable.head, at: new Date().toISOString() });
    } catch (err) {
      // Only the head lags (a later commit records it); the entries themselves are on disk.
      this.onNotice?.(`could not record the ledger head in ${this.headFile.file}: ${(err as Error).message}`);
    }
  }

  /** Resolves once everything appended so far is on disk (or failed). */
  async drain(): Promise<void> {
    while (this.flushing || this.queue.length > 0) await new Promise((r) => setTimeout(r, 1));
  }

  /** Waits for queued entries, then closes. */
  async close(): Promise<void> {
    await this.drain();
    await this.fh?.close();
    this.fh = undefined;
    await this.headFile?.close();
    this.headFile = undefined;
  }
}
