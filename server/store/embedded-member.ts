/**
 * The member side of the embedded store, in its own lowdb snapshot (member-side.json) beside state.json,
 * with its own journal (member-side.journal; state-journal.ts, as for state.json): feedback arrives with
 * sales, far more often than reference data changes, and each write appends one record of the rows it
 * changed instead of rewriting the file; the snapshot is folded in the background.
 * Each method is one synchronous check-and-change (no await inside), written durably before it returns;
 * a failed write puts memory back as it was.
 */
import type { LowSync } from 'lowdb';
import { z } from 'zod';
import { isoInstant } from '../../core/domain.ts';
import { journalMarkSchema, StateJournal } from './state-journal.ts';
import type { AuditBy } from './admin-store.ts';
import type { AuditFile } from './audit-file.ts';
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
const TABLES = ['credentials', 'devices', 'feedback'] as const;

export class EmbeddedMemberSide implements MemberSideStore {
  private db: LowSync<MemberSide>;
  private readonly journal: StateJournal<MemberSide>;
  private creds = new Map<string, MemberCredential>();
  private devices = new Map<string, MemberDevice>();
  private feedbackByRedemption = new Map<string, Feedback>();
  private feedbackById_ = new Map<string, Feedback>();

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
    this.db = this.journal.db;
    this.reindex();
  }

  private reindex(): void {
    const d = this.db.data;
    this.creds = new Map(d.credentials.map((c) => [c.memberId, c]));
    this.devices = new Map(d.devices.map((x) => [x.id, x]));
    this.feedbackByRedemption = new Map(d.feedback.map((f) => [f.redemptionId, f]));
    this.feedbackById_ = new Map(d.feedback.map((f) => [f.id, f]));
  }

  /**
   * Applies `change` to a copy, swaps it in and records what differs (one member-side.journal record,
   * fsync'd); when that fails the copy is dropped: memory never runs ahead of the disk.
   */
  private write(change: (d: MemberSide) => void): void {
    const next = clone(this.db.data);
    change(next);
    const prev = this.db.data;
    this.db.data = next;
    try {
      this.journal.commit(TABLES.map((table) => ({ table, replaced: prev[table], byValue: true })));
    } catch (err) {
      this.db.data = prev;
      throw Object.assign(new Error(`member-side write failed: ${(err as Error).message}`), { code: 'STORAGE_FAILED' });
    }
    this.reindex();
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
    const c = this.creds.get(memberId);
    return c ? { ...c } : undefined;
  }

  async putCredentials(list: readonly MemberCredential[]) {
    const byId = new Map(list.map((c) => [c.memberId, c]));
    this.write((d) => {
      d.credentials = d.credentials.filter((c) => !byId.has(c.memberId));
      d.credentials.push(...byId.values());
    });
  }

  async resetCredential(cred: MemberCredential, by: AuditBy, orgId: string) {
    this.audit.append(passwordResetAudit(cred, by, orgId));
    const at = by.at.toISOString();
    this.write((d) => {
      d.credentials = d.credentials.filter((c) => c.memberId !== cred.memberId);
      d.credentials.push(cred);
      for (const dev of d.devices) if (dev.memberId === cred.memberId && !dev.revokedAt) dev.revokedAt = at;
    });
  }

  async device(id: string) {
    const d = this.devices.get(id);
    return d ? { ...d } : undefined;
  }

  async addDevice(dev: MemberDevice, keep: number) {
    if (this.devices.has(dev.id)) return { kind: 'refused' as const, code: 'CONFLICT' as const };
    this.write((d) => {
      const active = d.devices
        .filter((x) => x.memberId === dev.memberId && !x.revokedAt)
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      for (const old of active.slice(0, Math.max(0, active.length - keep + 1))) old.revokedAt = dev.createdAt;
      // Revoked devices older than a day are forgotten: their codes died long ago.
      const cutoff = Date.parse(dev.createdAt) - 24 * 3600_000;
      d.devices = d.devices.filter((x) => !x.revokedAt || Date.parse(x.revokedAt) > cutoff);
      d.devices.push(dev);
    });
    return { kind: 'ok' as const };
  }

  async revokeDevice(id: string, now: Date) {
    const dev = this.devices.get(id);
    if (!dev || dev.revokedAt) return;
    this.write((d) => {
      const x = d.devices.find((y) => y.id === id);
      if (x) x.revokedAt = now.toISOString();
    });
  }

  async activeDevicesOf(memberIds: ReadonlySet<string>) {
    return this.db.data.devices.filter((x) => !x.revokedAt && memberIds.has(x.memberId)).map((x) => ({ ...x }));
  }

  async addFeedback(f: Feedback): Promise<FeedbackAdd> {
    const existing = this.feedbackByRedemption.get(f.redemptionId);
    if (existing) return { kind: 'exists', feedback: clone(existing) };
    this.write((d) => {
      d.feedback.push(clone(f));
    });
    return { kind: 'created', feedback: clone(f) };
  }

  async feedback(f: FeedbackFilter) {
    const out: Feedback[] = [];
    const all = this.db.data.feedback;
    // Newest first; a cursor starts after its feedback (an unknown one gives nothing, as on PostgreSQL).
    let i = all.length - 1;
    if (f.before !== undefined) {
      while (i >= 0 && all[i]!.id !== f.before) i--;
      i--;
    }
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
    const x = this.feedbackById_.get(id);
    return x ? clone(x) : undefined;
  }

  async advanceComplaint(id: string, to: 'answered' | 'closed', by: string, now: Date, answer?: string): Promise<ComplaintAdvance> {
    const x = this.feedbackById_.get(id);
    if (!x?.complaint) return { kind: 'refused', code: 'NOT_FOUND', message: 'no such complaint' };
    const from = to === 'answered' ? 'open' : 'answered';
    if (x.complaint.status !== from)
      return { kind: 'refused', code: 'CONFLICT', message: `the complaint is ${x.complaint.status}; only an ${from} one can become ${to}` };
    const at = now.toISOString();
    this.write((d) => {
      const y = d.feedback.find((z) => z.id === id)!;
      y.complaint =
        to === 'answered'
          ? { ...y.complaint!, status: 'answered', answer: answer ?? '', answeredBy: by, answeredAt: at }
          : { ...y.complaint!, status: 'closed', closedBy: by, closedAt: at };
    });
    return { kind: 'advanced', feedback: clone(this.feedbackById_.get(id)!) };
  }
}
