/**
 * The members' half of the storage port (HuikaStore.memberSide): member passwords and activation codes,
 * the phones that make living member codes, and feedback on redemptions with the complaint queue.
 * Every backend implements it and passes the "member side" part of tests/store-contract.ts.
 * Secrets are kept only as hashes (passwords scrypt, activation codes sha256) or wrapped (device keys,
 * AES-GCM under a server key): nothing here is a usable secret on its own.
 */
import type { AuditBy, AuditEntry } from './admin-store.ts';

export interface MemberCredential {
  memberId: string;
  /** scrypt$N$salt$hash (server/security/hashing.ts), or null before the member chose one. */
  passwordHash: string | null;
  /** sha256 hex of a one-time activation code the union handed out; cleared when a password is set. */
  activationHash: string | null;
  updatedAt: string;
}

export interface MemberDevice {
  /** base32 of 5 random bytes (core/member-code.ts): what a member code names. */
  id: string;
  memberId: string;
  /** The device key, AES-256-GCM-wrapped under a server key (server/security/member-code.ts). */
  keyWrapped: string;
  createdAt: string;
  revokedAt: string | null;
}

export type ComplaintStatus = 'open' | 'answered' | 'closed';

export interface Complaint {
  status: ComplaintStatus;
  answer?: string;
  answeredBy?: string;
  answeredAt?: string;
  closedBy?: string;
  closedAt?: string;
}

export interface Feedback {
  id: string;
  redemptionId: string;
  /** Who gave it: never shown to a merchant, kept so a member sees only their own. */
  memberId: string;
  memberOrgId: string;
  merchantId: string;
  storeId: string;
  /** When the sale was made. */
  redemptionAt: string;
  rating: number;
  honoured: boolean;
  comment?: string;
  createdAt: string;
  /** Present when the member said the discount was not honoured. */
  complaint?: Complaint;
}

export interface FeedbackFilter {
  merchantIds?: ReadonlySet<string>;
  memberOrgIds?: ReadonlySet<string>;
  memberId?: string;
  redemptionIds?: ReadonlySet<string>;
  complaintStatus?: ComplaintStatus;
  fromMs?: number;
  toMs?: number;
  /** Keyset paging, newest first: only feedback older than this one (by id: the previous page's last). */
  before?: string;
  /** At most this many (the newest first); every match without it. */
  limit?: number;
}

export type FeedbackAdd = { kind: 'created'; feedback: Feedback } | { kind: 'exists'; feedback: Feedback };
export type ComplaintAdvance =
  | { kind: 'advanced'; feedback: Feedback }
  | { kind: 'refused'; code: 'NOT_FOUND' | 'CONFLICT'; message: string };

export interface MemberSideStore {
  credential(memberId: string): Promise<MemberCredential | undefined>;
  /** Sets (or replaces) credentials in one durable write; used for a member's own change and bulk activation codes. */
  putCredentials(creds: readonly MemberCredential[]): Promise<void>;
  /**
   * A union resets a member's password: the new credential, every device of the member revoked, and an
   * audit-trail entry (with no hash in it), in one step.
   */
  resetCredential(cred: MemberCredential, by: AuditBy, orgId: string): Promise<void>;

  device(id: string): Promise<MemberDevice | undefined>;
  /** Registers a device; a member keeps at most `keep` active ones (the oldest are revoked). Refuses a taken id with CONFLICT. */
  addDevice(d: MemberDevice, keep: number): Promise<{ kind: 'ok' } | { kind: 'refused'; code: 'CONFLICT' }>;
  revokeDevice(id: string, now: Date): Promise<void>;
  /** Active devices of these members: what offline snapshots carry. */
  activeDevicesOf(memberIds: ReadonlySet<string>): Promise<MemberDevice[]>;

  /** One feedback per redemption, checked and recorded in one atomic step. */
  addFeedback(f: Feedback): Promise<FeedbackAdd>;
  feedback(f: FeedbackFilter): Promise<Feedback[]>;
  feedbackById(id: string): Promise<Feedback | undefined>;
  /** open → answered (with the answer) → closed; each step once, atomically. */
  advanceComplaint(id: string, to: 'answered' | 'closed', by: string, now: Date, answer?: string): Promise<ComplaintAdvance>;
}

/** The audit record of a union resetting a member's password: the same for every backend. */
export function passwordResetAudit(cred: MemberCredential, by: AuditBy, orgId: string): Omit<AuditEntry, 'seq'> {
  return {
    at: by.at.toISOString(),
    by: { userId: by.userId, username: by.username },
    action: 'member.password-reset',
    entity: 'member',
    id: cred.memberId,
    orgIds: [orgId],
    merchantIds: [],
    before: null,
    after: { activationCodeIssued: cred.activationHash !== null, devicesRevoked: true },
    note: '重置会员密码，发放激活码 Member password reset, activation code issued',
  };
}
