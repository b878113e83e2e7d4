/**
 * The member side of the embedded store, in its own lowdb snapshot (member-side.json) beside state.json,
 * with its own journal (member-side.journal; state-journal.ts, as for state.json): feedback arrives with
 * sales, far more often than reference data changes, and each write appends one record of the rows it
 * changed instead of rewriting the file; the snapshot is folded in the background.
 * Each method is one synchronous check-and-change (no await inside), written durably before it returns;
 * a failed write puts memory back as it was.
 *
 * Writes cost what they change (issue 9 point 6): rows are never edited, only replaced by new objects
 * (copy-on-write per row) in place in the live arrays, appended, or removed by moving the last row into
 * the hole; the indexes are maps from key to position, updated for those rows only; the record names
 * the positions. Every step is undone, in reverse, when the record is refused. No write copies a table,
 * compares one, or rebuilds an index.
 */
import type { LowSync } from 'lowdb';
import { z } from 'zod';
import { isoInstant } from '../../core/domain.ts';
import { journalMarkSchema, StateJournal } from './state-journal.ts';
import type { AuditBy } from './admin-store.ts';
import type { AuditFile, SealedAudit } from './audit-file.ts';
import {
  passwordResetAudit,
  type ComplaintAdvance,
  type Feedback,
  type FeedbackAdd,
  type FeedbackFilter,
  type MemberCredential,
  type MemberDevice,
  type MemberSideStore,
} from './member-store.ts';
import { complaintSchema } from '../../core/wire-member.ts';

const memberSideSchema = z.object({
  format: z.literal('huika-member-side/1'),
  credentials: z.array(
    z.object({ memberId: z.string(), passwordHash: z.string().nullable(), activationHash: z.string().nullable(), updatedAt: isoInstant }),
  ),
  devices: z.array(
    z.object({ id: z.string(), memberId: z.string(), keyWrapped: z.string(), createdAt: isoInstant, revokedAt: isoInstant.nullable() }),
  ),
  feedback: z.array(
    z.object({
      id: z.string(),
      redemptionId: z.string(),
      memberId: z.string(),
      memberOrgId: z.string(),
      merchantId: z.string(),
      storeId: z.string(),
      redemptionAt: isoInstant,
      rating: z.number().int().min(1).max(5),
      honoured: z.boolean(),
      comment: z.string().optional(),
      createdAt: isoInstant,
      complaint: complaintSchema.optional(),
    }),
  ),
  /** The last member-side.journal record this snapshot includes (state-journal.ts). */
  journal: journalMarkSchema.optional(),
});
type MemberSide = z.infer<typeof memberSideSchema>;

const clone = <T>(x: T): T => structuredClone(x);
type Table = 'credentials' | 'devices' | 'feedback';
type Row<T extends Table> = MemberSide[T][number];
type Cred = Row<'credentials'>;
type Dev = Row<'devices'>;
type Fb = Row<'feedback'>;
const DAY_MS = 24 * 3600_000;

/** One write's row edits: the positions its record names, and how to undo each step. */
interface Edit {
  positions: Map<Table, Set<number>>;
  undo: Array<() => void>;
}

export class EmbeddedMemberSide implements MemberSideStore {
  private db: LowSync<MemberSide>;
  private readonly journal: StateJournal<MemberSide>;
  // Positions in the live arrays, by key.
  private credAt = new Map<string, number>();
  private deviceAt = new Map<string, number>();
  /** Device ids by member: a sign-in looks at that member's devices only. */
  private devicesOf = new Map<string, Set<string>>();
  private feedbackAtRedemption = new Map<string, number>();
  private feedbackAt = new Map<string, number>();
  /** When (by device creation time) the whole device table was last swept of long-revoked devices. */
  private sweptMs = 0;

  constructor(
    file: string,
    private readonly audit: AuditFile,
    onNotice?: (message: string) => void,
  ) {
    this.journal = StateJournal.open<MemberSide>({
      file,
      schema: memberSideSchema,
      empty: () => ({ format: 'huika-member-side/1', credentials: [], devices: [], feedback: [] }),
      ...(onNotice ? { onNotice } : {}),
    });
    // A password reset's audit entry rides in its record: audit.jsonl is made durable before a fold cuts it.
    this.journal.beforeCut = () => audit.sync();
    this.db = this.journal.db;
    const d = this.db.data;
    for (const [i, r] of d.credentials.entries()) this.index('credentials', r, i);
    for (const [i, r] of d.devices.entries()) this.index('devices', r, i);
    for (const [i, r] of d.feedback.entries()) this.index('feedback', r, i);
  }

  /** The sealed audit lines member-side.journal held at open (AuditFile.recover). */
  takeAuditLines(): string[] {
    return this.journal.takeAuditLines();
  }

  private index(t: Table, row: Cred | Dev | Fb, at: number): void {
    if (t === 'credentials') this.credAt.set((row as Cred).memberId, at);
    else if (t === 'devices') {
      const d = row as Dev;
      this.deviceAt.set(d.id, at);
      let ids = this.devicesOf.get(d.memberId);
      if (!ids) this.devicesOf.set(d.memberId, (ids = new Set()));
      ids.add(d.id);
    } else {
      const f = row as Fb;
      this.feedbackAt.set(f.id, at);
      this.feedbackAtRedemption.set(f.redemptionId, at);
    }
  }

  private unindex(t: Table, row: Cred | Dev | Fb): void {
    if (t === 'credentials') this.credAt.delete((row as Cred).memberId);
    else if (t === 'devices') {
      const d = row as Dev;
      this.deviceAt.delete(d.id);
      const ids = this.devicesOf.get(d.memberId);
      ids?.delete(d.id);
      if (ids?.size === 0) this.devicesOf.delete(d.memberId);
    } else {
      const f = row as Fb;
      this.feedbackAt.delete(f.id);
      this.feedbackAtRedemption.delete(f.redemptionId);
    }
  }

  private mark(e: Edit, t: Table, at: number): void {
    let p = e.positions.get(t);
    if (!p) e.positions.set(t, (p = new Set()));
    p.add(at);
  }

  /** Replaces the row at `at` by a new one with the same key. */
  private setRow<T extends Table>(e: Edit, t: T, at: number, row: Row<T>): void {
    const arr = this.db.data[t] as Row<T>[];
    const old = arr[at]!;
    this.unindex(t, old);
    arr[at] = row;
    this.index(t, row, at);
    this.mark(e, t, at);
    e.undo.push(() => {
      this.unindex(t, row);
      arr[at] = old;
      this.index(t, old, at);
    });
  }

  private pushRow<T extends Table>(e: Edit, t: T, row: Row<T>): void {
    const arr = this.db.data[t] as Row<T>[];
    const at = arr.length;
    arr.push(row);
    this.index(t, row, at);
    this.mark(e, t, at);
    e.undo.push(() => {
      this.unindex(t, row);
      arr.pop();
    });
  }

  /** Removes the row at `at`, moving the last row into its place (order within a table carries nothing here). */
  private removeRow<T extends Table>(e: Edit, t: T, at: number): void {
    const arr = this.db.data[t] as Row<T>[];
    const old = arr[at]!;
    const last = arr.length - 1;
    this.unindex(t, old);
    if (at < last) {
      const moved = arr[last]!;
      arr[at] = moved;
      this.index(t, moved, at);
      arr.pop();
      e.undo.push(() => {
        arr.push(moved);
        arr[at] = old;
        this.index(t, moved, last);
        this.index(t, old, at);
      });
    } else {
      arr.pop();
      e.undo.push(() => {
        arr.push(old);
        this.index(t, old, at);
      });
    }
    this.mark(e, t, at);
  }

  /**
   * Makes the write's row edits, records their positions (one member-side.journal record, fsync'd, with
   * the sealed audit entry when there is one, then settled into audit.jsonl); when that fails every
   * edit is undone: memory never runs ahead of the disk, and a refused change has no audit entry.
   */
  private write(change: (e: Edit) => void, audit?: SealedAudit): void {
    const e: Edit = { positions: new Map(), undo: [] };
    const rollback = () => {
      for (let i = e.undo.length - 1; i >= 0; i--) e.undo[i]!();
    };
    try {
      change(e);
    } catch (err) {
      rollback();
      throw err;
    }
    try {
      this.journal.commit(
        [...e.positions].map(([table, positions]) => ({ table, positions })),
        audit?.line,
      );
    } catch (err) {
      rollback();
      throw Object.assign(new Error(`member-side write failed: ${(err as Error).message}`), { code: 'STORAGE_FAILED' });
    }
    if (audit) this.audit.settle(audit);
  }

  private putCredential(e: Edit, c: MemberCredential): void {
    const at = this.credAt.get(c.memberId);
    if (at === undefined) this.pushRow(e, 'credentials', { ...c });
    else this.setRow(e, 'credentials', at, { ...c });
  }

  private deviceRowsOf(memberId: string): Array<[number, Dev]> {
    const devices = this.db.data.devices;
    return [...(this.devicesOf.get(memberId) ?? [])].map((id) => {
      const at = this.deviceAt.get(id)!;
      return [at, devices[at]!];
    });
  }

  /** Folds the journal into member-side.json and closes it (clean shutdown). */
  close(): Promise<void> {
    return this.journal.close();
  }
  /** Closes the journal without folding (a start that failed). */
  abandon(): void {
    this.journal.abandon();
  }

  async credential(memberId: string) {
    const at = this.credAt.get(memberId);
    return at === undefined ? undefined : { ...this.db.data.credentials[at]! };
  }

  async putCredentials(list: readonly MemberCredential[]) {
    const byId = new Map(list.map((c) => [c.memberId, c]));
    this.write((e) => {
      for (const c of byId.values()) this.putCredential(e, c);
    });
  }

  async resetCredential(cred: MemberCredential, by: AuditBy, orgId: string) {
    const sealed = this.audit.prepare(passwordResetAudit(cred, by, orgId));
    const at = by.at.toISOString();
    this.write((e) => {
      this.putCredential(e, cred);
      for (const [i, dev] of this.deviceRowsOf(cred.memberId)) if (!dev.revokedAt) this.setRow(e, 'devices', i, { ...dev, revokedAt: at });
    }, sealed);
  }

  async device(id: string) {
    const at = this.deviceAt.get(id);
    return at === undefined ? undefined : { ...this.db.data.devices[at]! };
  }

  async addDevice(dev: MemberDevice, keep: number) {
    if (this.deviceAt.has(dev.id)) return { kind: 'refused' as const, code: 'CONFLICT' as const };
    const nowMs = Date.parse(dev.createdAt);
    // Revoked devices older than a day are forgotten (their codes died long ago): this member's at each
    // sign-in, everyone's at most once an hour.
    const cutoff = nowMs - DAY_MS;
    const sweep = nowMs - this.sweptMs >= 3600_000;
    this.write((e) => {
      const mine = this.deviceRowsOf(dev.memberId);
      const active = mine.filter(([, x]) => !x.revokedAt).sort((a, b) => a[1].createdAt.localeCompare(b[1].createdAt));
      for (const [i, old] of active.slice(0, Math.max(0, active.length - keep + 1)))
        this.setRow(e, 'devices', i, { ...old, revokedAt: dev.createdAt });
      const stale = (x: Dev) => !!x.revokedAt && Date.parse(x.revokedAt) <= cutoff;
      const gone = (sweep ? this.db.data.devices : mine.map(([, x]) => x)).filter(stale).map((x) => x.id);
      for (const id of gone) this.removeRow(e, 'devices', this.deviceAt.get(id)!);
      this.pushRow(e, 'devices', { ...dev });
    });
    if (sweep) this.sweptMs = nowMs;
    return { kind: 'ok' as const };
  }

  async revokeDevice(id: string, now: Date) {
    const at = this.deviceAt.get(id);
    const dev = at === undefined ? undefined : this.db.data.devices[at];
    if (at === undefined || !dev || dev.revokedAt) return;
    this.write((e) => this.setRow(e, 'devices', at, { ...dev, revokedAt: now.toISOString() }));
  }

  async activeDevicesOf(memberIds: ReadonlySet<string>) {
    const devices = this.db.data.devices;
    if (memberIds.size >= devices.length) return devices.filter((x) => !x.revokedAt && memberIds.has(x.memberId)).map((x) => ({ ...x }));
    const out: MemberDevice[] = [];
    for (const m of memberIds) for (const [, x] of this.deviceRowsOf(m)) if (!x.revokedAt) out.push({ ...x });
    return out;
  }

  async addFeedback(f: Feedback): Promise<FeedbackAdd> {
    const at = this.feedbackAtRedemption.get(f.redemptionId);
    if (at !== undefined) return { kind: 'exists', feedback: clone(this.db.data.feedback[at]!) };
    const row = clone(f);
    this.write((e) => this.pushRow(e, 'feedback', row));
    return { kind: 'created', feedback: clone(f) };
  }

  async feedback(f: FeedbackFilter) {
    const out: Feedback[] = [];
    const all = this.db.data.feedback;
    // Newest first; a cursor starts after its feedback (an unknown one gives nothing, as on PostgreSQL).
    let i = all.length - 1;
    if (f.before !== undefined) i = (this.feedbackAt.get(f.before) ?? -1) - 1;
    for (; i >= 0 && (f.limit === undefined || out.length < f.limit); i--) {
      const x = all[i]!;
      if (f.merchantIds && !f.merchantIds.has(x.merchantId)) continue;
      if (f.memberOrgIds && !f.memberOrgIds.has(x.memberOrgId)) continue;
      if (f.memberId && x.memberId !== f.memberId) continue;
      if (f.redemptionIds && !f.redemptionIds.has(x.redemptionId)) continue;
      if (f.complaintStatus && x.complaint?.status !== f.complaintStatus) continue;
      const at = Date.parse(x.createdAt);
      if (f.fromMs !== undefined && at < f.fromMs) continue;
      if (f.toMs !== undefined && at >= f.toMs) continue;
      out.push(clone(x));
    }
    return out;
  }

  async feedbackById(id: string) {
    const at = this.feedbackAt.get(id);
    return at === undefined ? undefined : clone(this.db.data.feedback[at]!);
  }

  async advanceComplaint(id: string, to: 'answered' | 'closed', by: string, now: Date, answer?: string): Promise<ComplaintAdvance> {
    const at = this.feedbackAt.get(id);
    const x = at === undefined ? undefined : this.db.data.feedback[at];
    if (at === undefined || !x?.complaint) return { kind: 'refused', code: 'NOT_FOUND', message: 'no such complaint' };
    const from = to === 'answered' ? 'open' : 'answered';
    if (x.complaint.status !== from)
      return { kind: 'refused', code: 'CONFLICT', message: `the complaint is ${x.complaint.status}; only an ${from} one can become ${to}` };
    const when = now.toISOString();
    const next: Fb = {
      ...x,
      complaint:
        to === 'answered'
          ? { ...x.complaint, status: 'answered', answer: answer ?? '', answeredBy: by, answeredAt: when }
          : { ...x.complaint, status: 'closed', closedBy: by, closedAt: when },
    };
    this.write((e) => this.setRow(e, 'feedback', at, next));
    return { kind: 'advanced', feedback: clone(next) };
  }
}
