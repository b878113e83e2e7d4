/**
 * The administration half of the storage port: reference-data writes for the admin pages, each one a
 * single check-and-change with one durable state write and its audit-trail entry. HuikaStore exposes
 * it as `store.admin`; every backend implements it (the embedded one in embedded-admin.ts).
 */
import type { Card, Member, Merchant, Offer, Store as Shop, Terminal, User } from '../../core/domain.ts';

/** Who made a change and when; the store adds what changed. */
export interface AuditBy {
  userId: string;
  username: string;
  at: Date;
}

export type AuditEntity = 'member' | 'card' | 'merchant' | 'store' | 'terminal' | 'offer' | 'user' | 'import';

/** One line of the audit trail: who, when, what, before/after. Secrets (password and token hashes) are left out. */
export interface AuditEntry {
  seq: number;
  at: string;
  by: { userId: string; username: string };
  action: string;
  entity: AuditEntity;
  id: string;
  /** The unions and merchants the change concerns: who may read the entry. */
  orgIds: string[];
  merchantIds: string[];
  before: unknown;
  after: unknown;
  /** A short human summary ("导入 5000 名会员"), for lists. */
  note?: string;
}

export interface AuditFilter {
  /** Entries visible to a scoped reader: concerning one of these unions or merchants. undefined = everything. */
  orgIds?: ReadonlySet<string>;
  merchantIds?: ReadonlySet<string>;
  entity?: AuditEntity;
  id?: string;
  username?: string;
  /** Entries older than this seq (newest first paging). */
  beforeSeq?: number;
  limit: number;
}

/** One validated import row; the PAN has already been turned into its hash and last 4. */
export interface MemberImportRow {
  line: number;
  memberNo: string;
  name: string;
  orgId: string;
  status: Member['status'];
  card?: { panHash: string; offlineHash?: string; last4: string; status?: Card['status'] };
}

export interface ImportSummary {
  membersCreated: number;
  membersUpdated: number;
  membersUnchanged: number;
  cardsIssued: number;
  cardsUpdated: number;
}

export interface ImportOptions {
  /** A line for the audit trail: file name, size, sha256. */
  note: string;
  /** Whether the importer may change an existing member of this union. */
  mayTouch?: (orgId: string) => boolean;
  /** Run every check and count what would change; write nothing. */
  dryRun?: boolean;
}

export type ImportOutcome =
  | { kind: 'imported'; summary: ImportSummary }
  | { kind: 'refused'; errors: { line: number; field: string; message: string }[] };

export interface MemberFilter {
  orgIds: ReadonlySet<string>;
  /** Matches member number (prefix), name (substring) or a card's last 4. */
  q?: string;
  status?: Member['status'];
  orgId?: string;
  /** Keyset paging: only members whose number comes after this one (the previous page's nextCursor). */
  after?: string;
  offset: number;
  limit: number;
}

/** A page of members in member-number order; `nextCursor` (the last number on it) when more follow. */
export interface MemberPage {
  items: Member[];
  /** How many match (without the cursor); a lower bound when `totalIsLowerBound` (counting stops at 10,000 on large stores). */
  total: number;
  totalIsLowerBound?: boolean;
  nextCursor?: string;
}

export type WriteResult<T> = { kind: 'ok'; value: T } | { kind: 'refused'; code: 'NOT_FOUND' | 'CONFLICT'; message: string };

export interface AdminStore {
  members(f: MemberFilter): Promise<MemberPage>;
  cardsOf(memberId: string): Promise<Card[]>;
  users(): Promise<User[]>;
  offerVersions(id: string): Promise<Offer[]>;

  /**
   * All or nothing: re-checks every row against the current state (member numbers and cards owned by
   * someone else, unknown unions, existing members whose union `mayTouch` refuses), then applies them in
   * one state write with one audit entry.
   */
  importMembers(rows: readonly MemberImportRow[], by: AuditBy, opts: ImportOptions): Promise<ImportOutcome>;
  setMemberStatus(memberId: string, status: Member['status'], by: AuditBy): Promise<WriteResult<Member>>;

  issueCard(card: Omit<Card, 'updatedAt'>, by: AuditBy): Promise<WriteResult<Card>>;
  /** `allowed` is the transition rule (card-status.ts); the store applies it inside its check-and-change. */
  setCardStatus(
    cardId: string,
    status: Card['status'],
    by: AuditBy,
    allowed: (from: Card['status'], to: Card['status']) => boolean,
  ): Promise<WriteResult<{ before: Card; after: Card }>>;
  /** Marks the old card replaced and issues the new one in one write. */
  replaceCard(oldCardId: string, next: Omit<Card, 'updatedAt' | 'memberId'>, by: AuditBy): Promise<WriteResult<{ old: Card; card: Card }>>;

  saveMerchant(m: Merchant, by: AuditBy, mode: 'create' | 'update'): Promise<WriteResult<Merchant>>;
  saveShop(s: Shop, by: AuditBy, mode: 'create' | 'update'): Promise<WriteResult<Shop>>;
  /** Creates a terminal, or re-pairs one (new pairing code hash, token revoked). */
  saveTerminal(t: Terminal, by: AuditBy, mode: 'create' | 'repair'): Promise<WriteResult<Terminal>>;
  saveUser(u: User, by: AuditBy, mode: 'create' | 'update'): Promise<WriteResult<User>>;
  /** saveOffer with an audit entry: version must be the next number. */
  saveOffer(o: Offer, by: AuditBy): Promise<WriteResult<Offer>>;

  auditTrail(f: AuditFilter): Promise<{ items: AuditEntry[]; nextBeforeSeq?: number }>;
  /** Re-reads the audit file and checks its hash chain. */
  verifyAuditTrail(): Promise<{ ok: boolean; checked: number; message?: string }>;
}
