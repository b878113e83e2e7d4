/**
 * Member imports as jobs: the upload answers at once with a job id, the file is parsed as a stream
 * (csv-parse) and checked row by row with progress the page polls, then either nothing is written
 * (dry run, or any error anywhere) or everything is, in one store call.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { hashPassword } from '../security/hashing.ts';
import type { AuditBy, ImportSummary, MemberImportRow } from '../store/admin-store.ts';
import type { MemberCredential } from '../store/member-store.ts';
import type { HuikaStore } from '../store/store.ts';
import { checkHeader, DuplicateCheck, normalizeHeader, validateRow, type RowContext, type RowError } from './member-import.ts';

export const MAX_REPORTED_ERRORS = 1000;

export interface ImportJob {
  id: string;
  ownerId: string;
  fileName: string;
  dryRun: boolean;
  state: 'running' | 'done' | 'failed';
  phase: 'reading' | 'checking' | 'hashing' | 'writing' | 'finished';
  processed: number;
  total: number;
  /** The first MAX_REPORTED_ERRORS problems, in file order; errorCount counts them all. */
  errors: RowError[];
  errorCount: number;
  /** What was written, or for a dry run what would be. Absent when rows had errors. */
  summary?: ImportSummary;
  written: boolean;
  /**
   * First passwords from the file's first_password column: how many were set, and how many were not because
   * the member already had a password or an activation code (a re-import never resets anyone's password).
   */
  firstPasswords?: { set: number; skipped: number };
  /**
   * Members of the file left without any way to sign in (no first_password, no password yet): their
   * one-time activation codes are made when the importer downloads them, once.
   */
  activationCodes?: { pending: number; downloadedAt?: string };
  message?: string;
  startedAt: string;
  finishedAt?: string;
}

/** Decodes an upload: UTF-8 (with or without BOM), else GB18030, which is what Excel in zh-CN saves as "CSV". */
export function decodeCsv(buf: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return new TextDecoder('gb18030').decode(buf);
  }
}

/** First passwords are scrypt-hashed two at a time: the machine's other work keeps a core. */
const HASH_CONCURRENCY = 2;

export class ImportJobs {
  private jobs = new Map<string, ImportJob>();
  /** Job id → member numbers still waiting for an activation code: kept out of the job's JSON. */
  private codeMembers = new Map<string, string[]>();

  constructor(private readonly keepMs = 3_600_000) {}

  get(id: string): ImportJob | undefined {
    return this.jobs.get(id);
  }

  /** The member numbers awaiting activation codes, handed out once: a second call gets undefined. */
  takeCodeMembers(id: string, now: Date): string[] | undefined {
    const job = this.jobs.get(id);
    const list = this.codeMembers.get(id);
    if (!job?.activationCodes || job.activationCodes.downloadedAt || !list) return undefined;
    this.codeMembers.delete(id);
    job.activationCodes = { pending: 0, downloadedAt: now.toISOString() };
    return list;
  }

  start(
    store: HuikaStore,
    input: { text: string; fileName: string; dryRun: boolean; by: AuditBy; rowCtx: RowContext; mayTouch: (orgId: string) => boolean },
    now: () => Date,
  ): ImportJob {
    this.prune(now().getTime());
    const job: ImportJob = {
      id: `imp-${randomUUID()}`,
      ownerId: input.by.userId,
      fileName: input.fileName,
      dryRun: input.dryRun,
      state: 'running',
      phase: 'reading',
      processed: 0,
      // An estimate until the parser has seen the whole file (quoted fields may hold newlines).
      total: Math.max(0, input.text.split('\n').filter((l) => l.trim() !== '').length - 1),
      errors: [],
      errorCount: 0,
      written: false,
      startedAt: now().toISOString(),
    };
    this.jobs.set(job.id, job);
    void this.run(job, store, input, now).catch((err: Error) => {
      job.state = 'failed';
      job.phase = 'finished';
      job.message = err.message;
      job.finishedAt = now().toISOString();
    });
    return job;
  }

  private async run(
    job: ImportJob,
    store: HuikaStore,
    input: { text: string; dryRun: boolean; by: AuditBy; rowCtx: RowContext; mayTouch: (orgId: string) => boolean },
    now: () => Date,
  ): Promise<void> {
    const report = (e: RowError) => {
      job.errorCount++;
      if (job.errors.length < MAX_REPORTED_ERRORS) job.errors.push(e);
    };
    const rows: MemberImportRow[] = [];
    /** member_no → the first password its row gave; in memory for the job's run only. */
    const firstPasswords = new Map<string, string>();
    const duplicates = new DuplicateCheck(input.rowCtx.hashPan);
    let headerOk = true;
    const parser = Readable.from([input.text]).pipe(
      parse({
        bom: true,
        columns: (header: string[]) => {
          const cols = header.map(normalizeHeader);
          const errs = checkHeader(cols);
          for (const e of errs) report(e);
          headerOk = errs.length === 0;
          return cols;
        },
        skip_empty_lines: true,
        skip_records_with_empty_values: true,
        relax_column_count: true,
        trim: true,
        info: true,
      }),
    );
    job.phase = 'checking';
    try {
      for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
        if (!headerOk) break;
        const line = info.lines;
        const checked = validateRow(record, line, input.rowCtx);
        const repeats = duplicates.check(record, line);
        if ('errors' in checked || repeats.length > 0) [...('errors' in checked ? checked.errors : []), ...repeats].forEach(report);
        else {
          rows.push(checked.row);
          if (checked.firstPassword) firstPasswords.set(checked.row.memberNo, checked.firstPassword);
        }
        job.processed++;
        if (job.processed > job.total) job.total = job.processed;
        // Let other requests (and the progress poll) in between slices of rows.
        if (job.processed % 500 === 0) await new Promise((r) => setImmediate(r));
      }
    } catch (err) {
      const e = err as Error & { lines?: number };
      report({ line: e.lines ?? 0, field: '(file)', message: `the file is not valid CSV: ${e.message} · 文件不是有效的CSV` });
    }
    job.total = job.processed;
    if (job.errorCount === 0 && rows.length === 0)
      report({ line: 1, field: '(file)', message: 'the file has no member rows · 文件中没有会员数据' });
    if (headerOk && rows.length > 0) {
      // Checks against the stored data (cards of other members, members of other unions) run even when
      // rows already failed, as a dry run, so one upload reports every problem.
      const rowsFailed = job.errorCount > 0;
      const writing = !rowsFailed && !input.dryRun;
      // scrypt is the slow part: done before the write, so members and their first passwords land moments apart.
      const hashes = writing ? await this.hashAll(job, firstPasswords) : new Map<string, string>();
      firstPasswords.clear();
      job.phase = writing ? 'writing' : 'checking';
      const hash = createHash('sha256').update(input.text).digest('hex');
      const outcome = await store.admin.importMembers(rows, input.by, {
        note: `${job.fileName}: ${rows.length} rows, sha256 ${hash.slice(0, 16)}${hashes.size ? `, first_password on ${hashes.size} rows` : ''}`,
        mayTouch: input.mayTouch,
        dryRun: !writing,
      });
      if (outcome.kind === 'refused') outcome.errors.forEach(report);
      else if (!rowsFailed) {
        job.summary = outcome.summary;
        job.written = !input.dryRun;
        if (writing) await this.credentialsAfter(job, store, rows, hashes, now);
      }
    }
    job.errors.sort((a, b) => a.line - b.line);
    job.state = 'done';
    job.phase = 'finished';
    job.finishedAt = now().toISOString();
  }

  private async hashAll(job: ImportJob, passwords: ReadonlyMap<string, string>): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (passwords.size === 0) return out;
    job.phase = 'hashing';
    const todo = [...passwords];
    await Promise.all(
      Array.from({ length: HASH_CONCURRENCY }, async () => {
        for (let next = todo.pop(); next; next = todo.pop()) out.set(next[0], await hashPassword(next[1]));
      }),
    );
    return out;
  }

  /**
   * After the members are written: first passwords for those without any credential yet (changed at the
   * first sign-in, like an activation code), and the list of the others still without one, for codes.
   */
  private async credentialsAfter(
    job: ImportJob,
    store: HuikaStore,
    rows: readonly MemberImportRow[],
    hashes: ReadonlyMap<string, string>,
    now: () => Date,
  ): Promise<void> {
    const creds: MemberCredential[] = [];
    const waiting: string[] = [];
    let skipped = 0;
    const at = now().toISOString();
    for (const row of rows) {
      const m = await store.memberByNo(row.memberNo);
      if (!m) continue;
      const has = await store.memberSide.credential(m.id);
      const fresh = !has?.passwordHash && !has?.activationHash;
      const h = hashes.get(row.memberNo);
      if (h && fresh) creds.push({ memberId: m.id, passwordHash: null, activationHash: h, updatedAt: at });
      else if (h) skipped++;
      else if (fresh && m.status === 'active') waiting.push(m.memberNo);
    }
    if (creds.length) await store.memberSide.putCredentials(creds);
    if (hashes.size) job.firstPasswords = { set: creds.length, skipped };
    if (waiting.length) {
      this.codeMembers.set(job.id, waiting);
      job.activationCodes = { pending: waiting.length };
    }
  }

  private prune(nowMs: number): void {
    for (const [id, j] of this.jobs)
      if (j.finishedAt && nowMs - Date.parse(j.finishedAt) > this.keepMs) {
        this.jobs.delete(id);
        this.codeMembers.delete(id);
      }
  }
}
