/**
 * Node-side file helpers shared by the server and the terminal (core/ stays free of I/O).
 * lowdb's own JSONFile renames a temp file but never fsyncs, so a power cut can lose a write it said
 * was done; these fsync the file and its directory.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SyncAdapter } from 'lowdb';
import type { z } from 'zod';

/** Atomically replaces a small file and makes the change durable (write temp, fsync, rename, fsync dir). */
export function writeFileDurably(file: string, content: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeFileSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  fsyncDir(dirname(file));
}

export function fsyncDir(dir: string): void {
  const dfd = openSync(dir, 'r');
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}

export class DataFileCorruptError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Escapes control bytes so an error quoting a damaged file stays one line. */
export const oneLine = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** A lowdb adapter that validates with a zod schema on read, refuses (never replaces) a damaged file, and fsyncs on write. */
export class ValidatedJsonFile<S extends z.ZodType> implements SyncAdapter<z.infer<S>> {
  constructor(
    private readonly file: string,
    private readonly schema: S,
    private readonly errorCode: string,
  ) {}
  read(): z.infer<S> | null {
    if (!existsSync(this.file)) return null;
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (err) {
      throw new DataFileCorruptError(
        this.errorCode,
        `${this.file} is not valid JSON (${oneLine((err as Error).message)}); it was left untouched. Restore it from a backup; huika will not overwrite it.`,
      );
    }
    const parsed = this.schema.safeParse(raw);
    if (!parsed.success) {
      const i = parsed.error.issues[0]!;
      throw new DataFileCorruptError(this.errorCode, `${this.file} is damaged at ${i.path.join('.') || '(root)'}: ${oneLine(i.message)}; it was left untouched. Restore it from a backup.`);
    }
    return parsed.data;
  }
  write(data: z.infer<S>): void {
    writeFileDurably(this.file, JSON.stringify(data));
  }
}
