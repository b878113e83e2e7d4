/**
 * The storage port. Every backend (the embedded lowdb + ledger store today, PostgreSQL later) implements
 * it and passes tests/store-contract.ts. Reads are async so a networked backend fits; commit and void
 * must check and change in one atomic step (a transaction, or a synchronous section).
 */
import type { Card, Member, Merchant, Offer, Org, Store as Shop, Terminal, User } from '../../core/domain.ts';
import type { UsageCount } from '../../core/rules/usage-count.ts';
import type { Redemption } from '../../core/wire.ts';
import type { Statement, StatementStatus } from '../../core/wire-portal.ts';
import type { AdminStore } from './admin-store.ts';
import type { MemberSideStore } from './member-store.ts';

export interface ReferenceData {
  orgs: Org[];
  members: Member[];
  cards: Card[];
  merchants: Merchant[];
  stores: Shop[];
  terminals: Terminal[];
  offers: Offer[];
  users: User[];
}

/** What the server asks the store to record; the store adds id, seq, receipt number, status and the chain hashes. */
export type RedemptionDraft = Omit<Redemption, 'id' | 'seq' | 'receiptNo' | 'status' | 'hash' | 'prevHash' | 'voidedAt' | 'voidReason'> & {
  memberId: string;
  quoteId: string;
  /** A member QR token's nonce: the store refuses a second redemption with it. */
  qrNonce?: string;
};

export type CommitError = 'IDEMPOTENCY_CONFLICT' | 'BUDGET_EXHAUSTED' | 'LIMIT_REACHED' | 'QR_REPLAYED';
export type CommitResult =
  | { kind: 'created'; redemption: Redemption }
  | { kind: 'replayed'; redemption: Redemption }
  | { kind: 'refused'; code: CommitError; message: string };

export type VoidResult =
  | { kind: 'voided'; redemption: Redemption }
  | { kind: 'refused'; code: 'NOT_FOUND' | 'ALREADY_VOIDED'; message: string };

/** The members of some unions as an offline snapshot needs them, ordered by member number; cards with an offline hash only. */
export interface OfflineRoster {
  members: { id: string; memberNo: string; orgId: string; status: Member['status'] }[];
  cards: { id: string; memberId: string; offlineHash: string; status: Card['status']; last4: string }[];
}

export interface RedemptionFilter {
  /** Scope: only these merchants (undefined = all). */
  merchantIds?: ReadonlySet<string>;
  storeId?: string;
  terminalId?: string;
  /** Only this member's redemptions (the member page). */
  memberId?: string;
  /** Only members of these unions. */
  memberOrgIds?: ReadonlySet<string>;
  fromMs?: number;
  toMs?: number;
  status?: 'committed' | 'voided';
  /** Only the redemption with this receipt number (Redemption.receiptNo). */
  receiptNo?: number;
  /** Return only redemptions older than this seq (newest first paging). */
  beforeSeq?: number;
  /** union: some union money in it; merchant: merchant-funded only. */
  funding?: 'merchant' | 'union';
  limit: number;
}

export interface SettlementRow {
  merchantId: string;
  campaignId: string;
  count: number;
  unionFen: number;
}

export interface LedgerCheck {
  ok: boolean;
  checked: number;
  brokenAt?: string;
  message?: string;
}

export type StatementAdvance =
  | { kind: 'advanced'; statement: Statement }
  | { kind: 'refused'; code: 'NOT_FOUND' | 'STATEMENT_STATE' | 'STATEMENT_OVERLAP'; message: string };

export type StatementCreation = { kind: 'created'; statement: Statement } | { kind: 'refused'; code: 'STATEMENT_OVERLAP'; message: string };

export interface HuikaStore {
  readonly kind: string;
  /** Administrative reads and audited writes (admin-store.ts). */
  readonly admin: AdminStore;
  /** Member passwords, phones (living member codes) and feedback (member-store.ts). */
  readonly memberSide: MemberSideStore;
  /** Loads demo or imported reference data into an empty store. */
  seed(data: ReferenceData): Promise<void>;
  isEmpty(): Promise<boolean>;

  orgs(): Promise<Org[]>;
  memberByNo(memberNo: string): Promise<Member | undefined>;
  member(id: string): Promise<Member | undefined>;
  cardByPanHash(panHash: string): Promise<Card | undefined>;
  /** Every member of these unions, and their cards (exports, moving stores). */
  membersOfOrgs(orgIds: ReadonlySet<string>): Promise<{ members: Member[]; cards: Card[] }>;
  /** Only what a terminal's offline snapshot needs of these unions' members (no names): snapshot-service.ts. */
  offlineRoster(orgIds: ReadonlySet<string>): Promise<OfflineRoster>;
  card(id: string): Promise<Card | undefined>;
  setCardStatus(cardId: string, status: Card['status'], now: Date): Promise<Card | undefined>;
  merchant(id: string): Promise<Merchant | undefined>;
  merchants(): Promise<Merchant[]>;
  shop(id: string): Promise<Shop | undefined>;
  /** Every store and terminal (portals list a merchant's own). */
  shops(): Promise<Shop[]>;
  terminals(): Promise<Terminal[]>;
  terminal(id: string): Promise<Terminal | undefined>;
  terminalByTokenHash(tokenHash: string): Promise<Terminal | undefined>;
  /** Uses a pairing code once: sets the token, clears the code. Undefined when the code is unknown or used. */
  enrollTerminal(pairingCodeHash: string, tokenHash: string, now: Date): Promise<Terminal | undefined>;
  user(id: string): Promise<User | undefined>;
  userByUsername(username: string): Promise<User | undefined>;

  /** Current version of every active offer of a merchant. */
  activeOffers(merchantId: string): Promise<Offer[]>;
  /** Current version of every offer (active or ended). */
  offers(): Promise<Offer[]>;
  offerVersion(id: string, version: number): Promise<Offer | undefined>;
  /** Saves a new offer, or a new version of an existing one (version must be the next number). */
  saveOffer(offer: Offer): Promise<Offer>;

  /**
   * This member's committed, not voided uses of each offer: on the local calendar day and in the local
   * month that contain `at`, in the time zone of the offer's union (its current version's `orgId`), and
   * in total. Kept as counters updated in the same atomic step as commit and void, so the cost does not
   * grow with the member's history. Every offer id asked gets an entry (zeros when never used).
   */
  usage(memberId: string, offerIds: readonly string[], at: Date): Promise<Map<string, UsageCount>>;
  remainingBudget(campaignId: string): Promise<number>;
  qrNonceUsed(nonce: string): Promise<boolean>;

  /**
   * Records a redemption durably, or refuses it. In one atomic step: idempotency, QR replay, every
   * line's usage limit and every campaign's budget. Resolves only once the record is on disk.
   * `limitCheck` is asked only for lines whose cited offer version has limits, with the member's uses
   * of that offer counted as `usage(draft.memberId, [offer.id], new Date(draft.createdAt))` would, from
   * inside the atomic step; a non-null answer refuses with LIMIT_REACHED.
   */
  commitRedemption(draft: RedemptionDraft, limitCheck: (offer: Offer, used: UsageCount) => string | null): Promise<CommitResult>;
  voidRedemption(id: string, reason: string, by: string, now: Date): Promise<VoidResult>;
  redemption(id: string): Promise<Redemption | undefined>;
  redemptionByKey(idempotencyKey: string): Promise<(Redemption & { quoteId: string }) | undefined>;
  listRedemptions(filter: RedemptionFilter): Promise<{ items: Redemption[]; nextBeforeSeq?: number }>;
  settlement(campaignIds: ReadonlySet<string>, fromMs?: number, toMs?: number): Promise<SettlementRow[]>;
  verifyLedger(): Promise<LedgerCheck>;
  /** The last ledger entry on disk (committed): what the signed head for auditors covers (routes/audit.ts). */
  ledgerHead(): Promise<{ seq: number; hash: string }>;
  /**
   * The hash of ledger entry `seq` as stored now, checked against the entry's own content (seq 0: the
   * genesis hash); undefined past the head. With verifyLedger, proves today's ledger extends an old head.
   */
  ledgerHashAt(seq: number): Promise<string | undefined>;
  /** The member behind each redemption (for per-member audit checks and unique-member counts; never shown). */
  memberIdsOf(redemptionIds: readonly string[]): Promise<Map<string, string>>;

  /** Settlement statements of these unions, newest first. */
  statements(orgIds: ReadonlySet<string>): Promise<Statement[]>;
  statement(id: string): Promise<Statement | undefined>;
  /**
   * Records a new draft (the store assigns the id), in one atomic check-and-change: refused with
   * STATEMENT_OVERLAP when another statement of the same union that is not cancelled covers any of the
   * same days, or already carries an adjustment for one of the same redemptions (a void is deducted once).
   */
  createStatement(draft: Omit<Statement, 'id'>): Promise<StatementCreation>;
  /**
   * Moves a statement one step (draft → approved → paid) in one atomic check-and-change; approving is
   * refused while another approved or paid statement of the same union covers any of the same days.
   */
  advanceStatement(id: string, to: Exclude<StatementStatus, 'draft'>, by: string, now: Date): Promise<StatementAdvance>;
  /**
   * Ends one portal session (sign-out) before its token expires. Kept until `expiresAt`, across restarts
   * and for every instance on the same store; throws when it cannot be recorded durably.
   */
  revokeSession(sessionId: string, expiresAt: Date): Promise<void>;
  sessionRevoked(sessionId: string): Promise<boolean>;
  /** Undefined while healthy; the reason writes are refused otherwise. */
  writeFailure(): Error | undefined;
  close(): Promise<void>;
}
