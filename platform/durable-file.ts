/**
 * The one file layer every durable write goes through (server ledger, state, secrets, audit trail,
 * checkpoint, ledger head; terminal.json and its outbox), shared by the server and the terminal
 * (core/ stays free of I/O).
 *
 * Why one layer: a disk fails in ways a test cannot wait for (a full disk mid-line, EIO, an fsync that
 * fails). Like SQLite's test VFS, this layer sits *under* the real code and can be told to fail its Nth
 * open, write, sync, rename or truncate; production runs the plain node:fs calls. A test installs a
 * plan in-process (installFaults) or hands one to a child process in HUIKA_FAULTS (JSON of FaultPlan).
 *
 * Why fsync here: lowdb's own JSONFile renames a temp file but never fsyncs, so a power cut can lose a
 * write it said was done; these fsync the file and its directory.
 */
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { open as openAsync, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SyncAdapter } from 'lowdb';
import type { z } from 'zod';

// ---------------------------------------------------------------- faults

/** The operations a fault plan counts, each on its own counter. */
export type FileOp = 'open' | 'write' | 'sync' | 'rename' | 'truncate';
/**
 * ENOSPC / EIO: the call fails with that errno and writes nothing. short: a write stores only part of
 * its bytes and reports so (a later write carries on; with `persist`, later writes fail with ENOSPC —
 * a disk filling up mid-line).
 */
export type FaultKind = 'ENOSPC' | 'EIO' | 'short';

export interface FaultPlan {
  op: FileOp;
  /** 1-based: the Nth call of `op` (counted from installFaults) fails. */
  at: number;
  kind: FaultKind;
  /** Every later call of `op` fails too (a full disk), not only the Nth (a transient error). */
  persist?: boolean;
  /** Count and fail only calls on paths containing this. */
  pathIncludes?: string;
}

let plan: FaultPlan | undefined;
const counts: Record<FileOp, number> = { open: 0, write: 0, sync: 0, rename: 0, truncate: 0 };
let injected = 0;

/** Installs a plan (or none) and restarts the counters. */
export function installFaults(p: FaultPlan | undefined): void {
  plan = p;
  for (const k of Object.keys(counts) as FileOp[]) counts[k] = 0;
  injected = 0;
}

/** How many calls of each kind ran since installFaults, and how many of them were made to fail. */
export function faultCounts(): Record<FileOp, number> & { injected: number } {
  return { ...counts, injected };
}

if (process.env.HUIKA_FAULTS) installFaults(JSON.parse(process.env.HUIKA_FAULTS) as FaultPlan);

function errnoError(code: 'ENOSPC' | 'EIO', op: string, path: string): NodeJS.ErrnoException {
  const text = code === 'ENOSPC' ? 'no space left on device' : 'i/o error';
  return Object.assign(new Error(`${code}: ${text}, ${op} '${path}' (injected)`), {
    code,
    errno: code === 'ENOSPC' ? -28 : -5,
    syscall: op,
    path,
  });
}

/** Counts the call; returns the fault to act out, if the plan names this one. */
function fault(op: FileOp, path: string): FaultKind | undefined {
  if (plan?.pathIncludes && !path.includes(plan.pathIncludes)) return undefined;
  const n = ++counts[op];
  if (!plan || plan.op !== op) return undefined;
  if (n === plan.at || (plan.persist && n > plan.at)) {
    injected++;
    // After the one short write of a persistent plan, the disk is full.
    return plan.kind === 'short' && n > plan.at ? 'ENOSPC' : plan.kind;
  }
  return undefined;
}

function throwIf(kind: FaultKind | undefined, op: string, path: string): void {
  if (kind === 'ENOSPC' || kind === 'EIO') throw errnoError(kind, op, path);
  if (kind === 'short') throw errnoError('EIO', op, path); // a short rename or sync is a failed one
}

const paths = new Map<number, string>();

// ---------------------------------------------------------------- synchronous operations

export function openFile(path: string, flags: string, mode?: number): number {
  if (flags !== 'r') throwIf(fault('open', path), 'open', path);
  const fd = openSync(path, flags, mode);
  paths.set(fd, path);
  return fd;
}

export function closeFile(fd: number): void {
  paths.delete(fd);
  closeSync(fd);
}

/** One write(2): may store fewer bytes than asked, like the real call. */
function writeOnce(fd: number, buf: Buffer, from: number, position: number | null): number {
  const path = paths.get(fd) ?? `fd ${fd}`;
  const f = fault('write', path);
  if (f === 'short') {
    const part = Math.max(1, Math.floor((buf.length - from) / 2));
    return buf.length - from > 1 ? writeSync(fd, buf, from, part, position) : 0;
  }
  throwIf(f, 'write', path);
  return writeSync(fd, buf, from, buf.length - from, position);
}

/** Writes every byte (looping over short writes, as write(2) may return fewer); throws when the disk does. */
export function writeAll(fd: number, data: string | Buffer, position: number | null = null): void {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  let done = 0;
  while (done < buf.length) {
    const n = writeOnce(fd, buf, done, position === null ? null : position + done);
    if (n === 0 && buf.length - done > 0) {
      // A zero-byte write makes no progress; one more try tells a full disk (ENOSPC) from a hiccup.
      const again = writeOnce(fd, buf, done, position === null ? null : position + done);
      if (again === 0) throw errnoError('ENOSPC', 'write', paths.get(fd) ?? `fd ${fd}`);
      done += again;
    } else done += n;
  }
}

export function syncFile(fd: number, dataOnly = false): void {
  throwIf(fault('sync', paths.get(fd) ?? `fd ${fd}`), 'fsync', paths.get(fd) ?? `fd ${fd}`);
  if (dataOnly) fdatasyncSync(fd);
  else fsyncSync(fd);
}

export function truncateFile(fd: number, length: number): void {
  throwIf(fault('truncate', paths.get(fd) ?? `fd ${fd}`), 'ftruncate', paths.get(fd) ?? `fd ${fd}`);
  ftruncateSync(fd, length);
}

export function renameFile(from: string, to: string): void {
  throwIf(fault('rename', to), 'rename', to);
  renameSync(from, to);
}

export function fsyncDir(dir: string): void {
  const dfd = openSync(dir, 'r');
  try {
    throwIf(fault('sync', dir), 'fsync', dir);
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}

/** A failed durable write: carries STORAGE_FAILED so the HTTP layer answers 503, never 500. */
export class StorageError extends Error {
  readonly code = 'STORAGE_FAILED';
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

/**
 * Atomically replaces a small file and makes the change durable (write temp, fsync, rename, fsync dir).
 * When it fails after the rename (only the directory fsync is left), it puts `previous` back (or removes
 * a file that did not exist before), so a refused write is not found after a restart either. Throws
 * StorageError; the temp file is removed.
 */
export function writeFileDurably(file: string, content: string | Buffer, previous?: string | Buffer | null): void {
  const tmp = `${file}.tmp-${process.pid}`;
  let renamed = false;
  try {
    const fd = openFile(tmp, 'w', 0o600);
    try {
      writeAll(fd, content);
      syncFile(fd);
    } finally {
      closeFile(fd);
    }
    renameFile(tmp, file);
    renamed = true;
    fsyncDir(dirname(file));
  } catch (err) {
    try {
      if (!renamed) unlinkSync(tmp);
      else if (previous === null) unlinkSync(file);
      else if (previous !== undefined) writeFileDurably(file, previous);
    } catch {
      /* the caller refuses later writes or a restart finds what is there */
    }
    throw new StorageError(`cannot write ${file}: ${(err as Error).message}`, err);
  }
}

// ---------------------------------------------------------------- an async handle (the ledger's group commit)

/** A file handle whose writes and syncs go through the fault plan; used where awaiting keeps the server answering. */
export class DurableHandle {
  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
  ) {}

  static async open(path: string, flags: string, mode?: number): Promise<DurableHandle> {
    throwIf(fault('open', path), 'open', path);
    return new DurableHandle(path, await openAsync(path, flags, mode));
  }

  /**
   * Writes every byte, looping over short writes (the bytesWritten a plain fh.write leaves to the
   * caller). `position`: where (ignored by the kernel for a file opened to append).
   */
  async writeAll(data: string | Buffer, position: number | null = null): Promise<void> {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    let done = 0;
    let stalls = 0;
    while (done < buf.length) {
      const f = fault('write', this.path);
      const at = position === null ? null : position + done;
      let n: number;
      if (f === 'short') {
        const part = Math.max(1, Math.floor((buf.length - done) / 2));
        n = buf.length - done > 1 ? (await this.fh.write(buf, done, part, at)).bytesWritten : 0;
      } else {
        throwIf(f, 'write', this.path);
        n = (await this.fh.write(buf, done, buf.length - done, at)).bytesWritten;
      }
      if (n === 0 && ++stalls > 1) throw errnoError('ENOSPC', 'write', this.path);
      done += n;
    }
  }

  async datasync(): Promise<void> {
    throwIf(fault('sync', this.path), 'fdatasync', this.path);
    await this.fh.datasync();
  }

  async truncate(length: number): Promise<void> {
    throwIf(fault('truncate', this.path), 'ftruncate', this.path);
    await this.fh.truncate(length);
  }

  async size(): Promise<number> {
    return (await this.fh.stat()).size;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

// ---------------------------------------------------------------- validated JSON files (lowdb)

export class DataFileCorruptError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Escapes control bytes so an error quoting a damaged file stays one line. */
export const oneLine = (s: string) =>
  s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * A lowdb adapter that validates with a zod schema on read, refuses (never replaces) a damaged file, and
 * fsyncs on write. A failed write throws StorageError and leaves the file as it was; the caller must
 * undo its change in memory (lowdb holds the data, this adapter only writes it).
 */
export class ValidatedJsonFile<S extends z.ZodType> implements SyncAdapter<z.infer<S>> {
  /** What the file holds now (null: no file), to put back if a write fails after its rename. */
  private onDisk: string | null | undefined;
  constructor(
    private readonly file: string,
    private readonly schema: S,
    private readonly errorCode: string,
  ) {}
  read(): z.infer<S> | null {
    if (!existsSync(this.file)) {
      this.onDisk = null;
      return null;
    }
    let raw: unknown;
    const text = readFileSync(this.file, 'utf8');
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new DataFileCorruptError(
        this.errorCode,
        `${this.file} is not valid JSON (${oneLine((err as Error).message)}); it was left untouched. Restore it from a backup; huika will not overwrite it.`,
      );
    }
    const parsed = this.schema.safeParse(raw);
    if (!parsed.success) {
      const i = parsed.error.issues[0]!;
      throw new DataFileCorruptError(
        this.errorCode,
        `${this.file} is damaged at ${i.path.join('.') || '(root)'}: ${oneLine(i.message)}; it was left untouched. Restore it from a backup.`,
      );
    }
    this.onDisk = text;
    return parsed.data;
  }
  write(data: z.infer<S>): void {
    const text = JSON.stringify(data);
    writeFileDurably(this.file, text, this.onDisk);
    this.onDisk = text;
  }
}
