/**
 * The administration half of the storage port: reference-data writes for the admin pages, each one a
 * single check-and-change with one durable state write and its audit-trail entry. HuikaStore exposes
 * it as `store.admin`; every backend implements it (the embedded one in embedded-admin.ts).
 */
import type { Card, Member, Merchant, Offer, Store as Shop, Terminal, UnionSettings, User } from '../../core/domain.ts';

/** Who made a change and when; the store adds what changed. */
export interface AuditBy {
  userId: string;
  username: string;
  at: Date;
}

export type AuditEntity = 'member' | 'card' | 'merchant' | 'store' | 'terminal' | 'offer' | 'user' | 'import' | 'union_settings';

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

/**
 * The admin card list: cards of members in these unions, the most recently changed first (updatedAt, then
 * id, both descending), a keyset page after `after` (the previous page's nextCursor, cardCursor below).
 */
export interface CardFilter {
  orgIds: ReadonlySet<string>;
  status?: Card['status'];
  last4?: string;
  after?: string;
  limit: number;
}

/** The card list counts at most this many matches (then says "10,000 or more"). */
export const CARD_TOTAL_CAP = 10_000;

/** A page of cards with their members; `total` (at most 10,000, then `totalIsLowerBound`) only on the first page (no `after`). */
export interface CardPage {
  items: { card: Card; member: Member }[];
  total?: number;
  totalIsLowerBound?: boolean;
  nextCursor?: string;
}

/** A card's place in the card list, as a cursor: `updatedAt|id` (the stores write toISOString times, which sort as text). */
export const cardCursor = (c: Pick<Card, 'updatedAt' | 'id'>): string => `${c.updatedAt}|${c.id}`;
/** The cursor's two parts, or undefined when it is not one cardCursor made. */
export function parseCardCursor(s: string): { updatedAt: string; id: string } | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T[0-9:.Z+-]{8,29})\|([A-Za-z0-9_.:-]{1,64})$/.exec(s);
  return m ? { updatedAt: m[1]!, id: m[2]! } : undefined;
}

export type WriteResult<T> = { kind: 'ok'; value: T } | { kind: 'refused'; code: 'NOT_FOUND' | 'CONFLICT'; message: string };

export interface AdminStore {
  members(f: MemberFilter): Promise<MemberPage>;
  cardsOf(memberId: string): Promise<Card[]>;
  /** The admin card list, keyset-paged on an index (PostgreSQL: migration 007). */
  cards(f: CardFilter): Promise<CardPage>;
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

  /** A union's settings (anomaly thresholds); undefined until someone saved them (the defaults apply). */
  unionSettings(orgId: string): Promise<UnionSettings | undefined>;
  /** Replaces a union's settings, with an audit entry; NOT_FOUND for an unknown union. */
  saveUnionSettings(s: UnionSettings, by: AuditBy): Promise<WriteResult<UnionSettings>>;

  auditTrail(f: AuditFilter): Promise<{ items: AuditEntry[]; nextBeforeSeq?: number }>;
  /** Re-reads the audit file and checks its hash chain. */
  verifyAuditTrail(): Promise<{ ok: boolean; checked: number; message?: string }>;
}
