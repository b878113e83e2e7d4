/**
 * The embedded store: reference state in lowdb (state.json), redemptions in an fsync'd, hash-chained
 * ledger (ledger.jsonl), indexes in memory. One process per data directory (huika.lock).
 * Every check-and-change below runs synchronously between awaits, which is what makes budgets and
 * limits exact under any number of concurrent requests in this single-threaded process.
 */
import { closeSync, existsSync, mkdirSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { LowSync } from 'lowdb';
import type { Card, Member, Offer, Org, Store as Shop, Terminal, User } from '../../core/domain.ts';
import type { Redemption } from '../../core/wire.ts';
import type { Statement } from '../../core/wire-portal.ts';
import { AuditFile } from './audit-file.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { EmbeddedAdmin } from './embedded-admin.ts';
import { EmbeddedMemberSide } from './embedded-member.ts';
import { GENESIS_HASH, redemptionIdOf, unseal, type ChainEntry } from './hash-chain.ts';
import { forEachLineAsync, LedgerWriter, loadLedger } from './ledger-file.ts';
import { LedgerHeadFile, readLedgerHead } from './ledger-head.ts';
import { recordRestore } from './data-dir-check.ts';
import { internOffers, MetaTable, readCheckpoint, redemptionId, writeCheckpoint, type Meta } from './ledger-index.ts';
import { openStateFile, type State } from './state-file.ts';
import type { Change, Changed, StateJournal } from './state-journal.ts';
import { fundedOfferOf } from '../../core/union-money.ts';
import { UsageCounters } from './usage-counters.ts';
import type { UsageCount } from '../../core/rules/usage-count.ts';
import type {
  CommitResult,
  HuikaStore,
  LedgerCheck,
  OfflineRoster,
  RedemptionDraft,
  RedemptionFilter,
  ReferenceData,
  SettlementRow,
  StatementAdvance,
  StatementCreation,
  VoidResult,
} from './store.ts';

/**
 * What a commit entry holds (the draft plus its id and receipt number); with seq and hashes, a stored body.
 * Entries written before receipt numbers existed lack `receiptNo`: theirs is their place among the commits.
 */
type CommitData = RedemptionDraft & { id: string; receiptNo?: number };
type Body = CommitData & { seq: number; hash: string; prevHash: string };
type VoidData = { redemptionId: string; reason: string; by: string; at: string };

/** Below this many ledger entries, every start checks every hash; above, a checkpoint is kept (DESIGN.md: folded into snapshots). */
const CHECKPOINT_MIN_ENTRIES = 100_000;
/** A running server refreshes its checkpoint after this many new entries, so a kill -9 replays little. */
const CHECKPOINT_EVERY = 100_000;

export interface EmbeddedStoreOptions {
  dir: string;
  /** Told about recoveries the operator should know of (a torn ledger tail moved aside). */
  onNotice?: (message: string) => void;
  /** Keep a ledger checkpoint from this many entries on (tests lower it). */
  checkpointMinEntries?: number;
  /** Fold state.journal into state.json after this many records or bytes (tests lower it; state-journal.ts). */
  stateFoldAfter?: { records?: number; bytes?: number };
  /**
   * The operator restored a backup on purpose (--restore-from-backup): a ledger shorter than the head
   * recorded in ledger.head is accepted, and the restore recorded, instead of refusing to start.
   */
  restoreFromBackup?: boolean;
}

/** The ledger on disk ends before (or differs from) the head this server last acknowledged. */
export class LedgerBehindHeadError extends Error {
  constructor(
    readonly code: 'LEDGER_TRUNCATED' | 'LEDGER_HEAD_MISMATCH',
    message: string,
  ) {
    super(message);
  }
}

export class EmbeddedStore implements HuikaStore {
  readonly kind = 'embedded';
  private db!: LowSync<State>;
  /** state.json's journal: each reference-data write appends one record (state-journal.ts). */
  private journal: StateJournal<State> | undefined;
  private ledger!: LedgerWriter;
  private unlock!: () => void;
  private readonly ledgerFile: string;
  private auditFile: AuditFile | undefined;
  /** Administrative writes with their audit trail (audit.jsonl); see embedded-admin.ts. */
  admin!: EmbeddedAdmin;
  /** Member passwords, devices and feedback (member-side.json); see embedded-member.ts. */
  memberSide!: EmbeddedMemberSide;

  // Reference indexes, rebuilt after each (rare) state change.
  private orgById = new Map<string, Org>();
  private memberById = new Map<string, Member>();
  private memberByNo_ = new Map<string, Member>();
  private cardById = new Map<string, Card>();
  private cardByHash = new Map<string, Card>();
  private terminalById = new Map<string, Terminal>();
  private terminalByToken = new Map<string, Terminal>();
  private terminalByPairing = new Map<string, Terminal>();
  private currentOffer = new Map<string, Offer>();
  private offerVersions = new Map<string, Offer>();
  private userById = new Map<string, User>();
  private userByName = new Map<string, User>();
  private orgList: Org[] = [];
  private shopById = new Map<string, Shop>();
  private activeByMerchant = new Map<string, Offer[]>();
  /** Portal sessions ended by sign-out (state.json `revokedSessions`). */
  private revoked = new Set<string>();

  // Ledger indexes. Bodies stay in ledger.jsonl and are read by offset (ledger-index.ts).
  /** Every commit, as columns with a key index (ledger-index.ts): a million cost the GC next to nothing. */
  private recs = new MetaTable();
  /** Offers whose uses are counted (some version has limits), with the zone they are counted in. */
  private countedZones = new Map<string, string>();
  private counters = new UsageCounters((offerId) => this.countedZones.get(offerId) ?? 'Asia/Shanghai');
  private budgetUsed = new Map<string, number>();
  /** QR nonces of recent redemptions only: a token lives 60 s, so older nonces can never be presented again. */
  private qrNonces = new Set<string>();
  private pending = new Map<number, Promise<void>>(); // by seq
  /** Bodies appended by this process and not yet on disk, by seq. */
  private bodies = new Map<number, Body>();
  private readFd = -1;
  private readonly checkpointFile: string;
  private lastLineStart = 0;
  private checkpointedEntries = 0;
  private integrityFailure: Error | undefined;

  private constructor(private readonly opts: EmbeddedStoreOptions) {
    this.ledgerFile = join(opts.dir, 'ledger.jsonl');
    this.checkpointFile = join(opts.dir, 'ledger.index');
  }

  static async open(opts: EmbeddedStoreOptions): Promise<EmbeddedStore> {
    const s = new EmbeddedStore(opts);
    if (!existsSync(opts.dir)) mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
    s.unlock = lockDataDir(opts.dir);
    try {
      const stateFile = join(opts.dir, 'state.json');
      // From the first start on, state.json exists: its absence beside other data is then loss (data-dir-check.ts).
      s.journal = openStateFile(stateFile, { onNotice: opts.onNotice, foldAfter: opts.stateFoldAfter });
      s.db = s.journal.db;
      s.reindex();
      const from = s.loadCheckpoint();
      const headFile = join(opts.dir, 'ledger.head');
      const seen = readLedgerHead(headFile);
      let hashAtHead: string | undefined = seen.head && from && seen.head.seq === from.seq ? from.hash : undefined;
      const loaded = loadLedger(
        s.ledgerFile,
        (e, start, len) => {
          if (e.seq === seen.head?.seq) hashAtHead = e.hash;
          s.replayEntry(e, start, len);
        },
        from,
      );
      if (loaded.tornTailSavedTo) {
        opts.onNotice?.(
          `ledger ended in a partial entry from an interrupted write (never acknowledged); moved it to ${loaded.tornTailSavedTo}`,
        );
      }
      const last = loaded.last ?? (from ? ({ seq: from.seq, hash: from.hash } as ChainEntry) : undefined);
      const restoredAt = s.checkHead(headFile, seen, last, hashAtHead);
      const head = await LedgerHeadFile.open(headFile);
      s.ledger = await LedgerWriter.open(s.ledgerFile, last, { lastLineStart: s.lastLineStart, headFile: head });
      s.ledger.onNotice = opts.onNotice;
      // Older directories have no head yet, and after a restore the head goes back to the ledger's.
      const onDisk = { seq: last?.seq ?? 0, hash: last?.hash ?? GENESIS_HASH };
      if (restoredAt || (head.last ? head.last.seq !== onDisk.seq || head.last.hash !== onDisk.hash : onDisk.seq > 0)) {
        await head.record({ ...onDisk, at: new Date().toISOString(), ...(restoredAt ? { restoredAt } : {}) });
      }
      s.readFd = openSync(s.ledgerFile, 'r');
      s.recentNonces();
      if (from) s.verifyInBackground();
      s.maybeCheckpoint(0);
      s.auditFile = new AuditFile(join(opts.dir, 'audit.jsonl'));
      const audit = s.auditFile;
      // Audit entries ride in the journal records (one fsync a write): a fold makes audit.jsonl durable before it cuts.
      s.journal.beforeCut = () => audit.sync();
      s.admin = new EmbeddedAdmin(
        () => s.db.data,
        (changes, line) => s.writeState(changes, line),
        () => s.reindex(),
        s.auditFile,
      );
      s.memberSide = new EmbeddedMemberSide(join(opts.dir, 'member-side.json'), s.auditFile, opts.onNotice);
      // Entries whose record is durable but whose audit.jsonl line is not (kill -9 between the two): appended now.
      const recovered = audit.recover([...s.journal.takeAuditLines(), ...s.memberSide.takeAuditLines()]);
      if (recovered > 0)
        opts.onNotice?.(`audit.jsonl lacked ${recovered} entries of acknowledged changes; appended them from the state journals`);
    } catch (err) {
      s.auditFile?.close();
      s.journal?.abandon();
      s.memberSide?.abandon();
      s.unlock();
      throw err;
    }
    return s;
  }

  /**
   * Refuses a ledger that ends before the head recorded in ledger.head (entries cut off, even at a line
   * boundary, where the chain alone looks whole) or holds another entry there (rewritten), unless the
   * operator restored a backup on purpose. Returns the instant of such a restore.
   */
  private checkHead(
    headFile: string,
    seen: ReturnType<typeof readLedgerHead>,
    last: ChainEntry | undefined,
    hashAtHead: string | undefined,
  ): string | undefined {
    const count = last?.seq ?? 0;
    let problem: LedgerBehindHeadError | undefined;
    const restore =
      ' Restore the ledger from a backup, or, if this directory was restored from a backup on purpose, start with --restore-from-backup.';
    if (seen.damaged) {
      problem = new LedgerBehindHeadError(
        'LEDGER_HEAD_MISMATCH',
        `${headFile} is damaged in both its slots, so the ledger cannot be checked against it.${restore}`,
      );
    } else if (seen.head && seen.head.seq > count) {
      problem = new LedgerBehindHeadError(
        'LEDGER_TRUNCATED',
        `${headFile} records entry ${seen.head.seq} as acknowledged (${seen.head.at}), but ${this.ledgerFile} ends at entry ${count}: ${seen.head.seq - count} acknowledged entries are missing.${restore}`,
      );
    } else if (seen.head && seen.head.seq > 0 && hashAtHead !== undefined && hashAtHead !== seen.head.hash) {
      problem = new LedgerBehindHeadError(
        'LEDGER_HEAD_MISMATCH',
        `${headFile} records another entry ${seen.head.seq} than ${this.ledgerFile} holds: the ledger was rewritten.${restore}`,
      );
    }
    if (!problem) return undefined;
    if (!this.opts.restoreFromBackup) throw problem;
    const at = new Date().toISOString();
    recordRestore(this.opts.dir, { ledger: { endsAt: count, headSaid: seen.head?.seq ?? null }, reason: problem.code });
    this.opts.onNotice?.(
      `started on a restored backup (--restore-from-backup): ${problem.message.split('. Restore')[0]}; recorded in restores.jsonl`,
    );
    return at;
  }

  /** Loads the checkpoint when it still matches the ledger; returns where replay resumes. */
  private loadCheckpoint(): { offset: number; seq: number; hash: string } | undefined {
    if (!existsSync(this.ledgerFile)) return undefined;
    const r = readCheckpoint(this.checkpointFile, this.ledgerFile);
    if ('why' in r) {
      if (r.why !== 'no checkpoint') this.opts.onNotice?.(`ledger checkpoint ignored (${r.why}); reading and checking the whole ledger`);
      return undefined;
    }
    this.recs = r.cp.metas;
    for (const m of this.recs) this.countCommit(m, 1);
    this.lastLineStart = r.cp.lastLineStart;
    this.checkpointedEntries = r.cp.entries;
    return { offset: r.cp.byteOffset, seq: r.cp.entries, hash: r.cp.headHash };
  }

  /**
   * The checkpoint let this start skip the hash check of the lines it covers: check them now, without
   * blocking requests. A mismatch stops all writes and is reported (health answers 503).
   */
  private verifyInBackground(): void {
    void this.verifyLedger().then((r) => {
      if (r.ok) return;
      this.integrityFailure = Object.assign(
        new Error(
          `ledger failed verification after start: ${r.message ?? ''}${r.brokenAt ? ` (first broken: ${r.brokenAt})` : ''}; writes are refused until it is restored`,
        ),
        { code: 'STORAGE_FAILED' },
      );
      this.opts.onNotice?.(this.integrityFailure.message);
    });
  }

  /** Writes a checkpoint once the ledger is large, then every CHECKPOINT_EVERY entries, when nothing is in flight. */
  private maybeCheckpoint(every = CHECKPOINT_EVERY): void {
    const entries = this.ledger.lastSeq;
    if (entries < (this.opts.checkpointMinEntries ?? CHECKPOINT_MIN_ENTRIES)) return;
    const fresh = entries - this.checkpointedEntries;
    if (fresh === 0 || fresh < every) return;
    if (!this.ledger.idle) return; // it must cover only what is on disk; the next commit tries again
    try {
      writeCheckpoint(this.checkpointFile, {
        entries,
        headHash: this.ledger.headHash,
        byteOffset: this.ledger.endOffset,
        lastLineStart: this.ledger.lastLineStart,
        metas: this.recs,
      });
    } catch (err) {
      // Only a shortcut for the next start failed; the entries are on disk and were acknowledged.
      this.opts.onNotice?.(`ledger checkpoint not written (${(err as Error).message}); the next start reads more of the ledger`);
      return;
    }
    this.checkpointedEntries = entries;
  }

  /** After loading: the QR nonces of the last 15 minutes of redemptions (QR_TTL is 60 s; the rest is margin for clocks). */
  private recentNonces(): void {
    const newest = this.recs.at(-1)?.createdMs ?? 0;
    for (let i = this.recs.length - 1; i >= 0 && this.recs.at(i)!.createdMs > newest - 15 * 60_000; i--) {
      const n = this.recs.at(i)!.qrNonce;
      if (n) this.qrNonces.add(n);
    }
  }

  private replayEntry(e: ChainEntry, start: number, len: number): void {
    this.lastLineStart = start;
    if (e.type === 'commit') this.indexMeta(metaOf(e.data as CommitData, e.seq, start, len), true);
    else if (e.type === 'void') this.applyVoid(e.data as VoidData);
  }

  /** The stored body of a redemption: from memory while its write is in flight, else from the ledger by offset. */
  private bodyOf(m: Meta): Body {
    const cached = this.bodies.get(m.seq);
    if (cached) return cached;
    const buf = Buffer.allocUnsafe(m.len);
    readSync(this.readFd, buf, 0, m.len, m.off);
    const e = JSON.parse(buf.toString('utf8')) as ChainEntry<CommitData>;
    return { ...e.data, seq: e.seq, hash: e.hash, prevHash: e.prevHash };
  }

  private toPublic(m: Meta): Redemption {
    const { memberId: _m, quoteId: _q, qrNonce: _n, ...body } = this.bodyOf(m);
    return {
      ...body,
      receiptNo: body.receiptNo ?? this.ordinal(m.seq) + 1,
      status: m.status,
      ...(m.voidedAt ? { voidedAt: m.voidedAt } : {}),
      ...(m.voidReason ? { voidReason: m.voidReason } : {}),
    };
  }

  /** Index in `recs` (seq order) of the first commit at or after `seq`. */
  private ordinal(seq: number): number {
    return this.recs.ordinal(seq);
  }

  private metaById(id: string): Meta | undefined {
    const n = /^rd-(\d+)$/.exec(id);
    if (!n) return undefined;
    const seq = Number(n[1]);
    const m = this.recs.at(this.ordinal(seq));
    return m && m.seq === seq && redemptionId(seq) === id ? m : undefined;
  }

  /**
   * Rebuilds the indexes of the tables a write changed (all of them without `changed`). Members and
   * cards (100,000 and more) are updated element by element: rebuilding their maps took longer than
   * the write itself (an element changed in place keeps its keys: ids and card hashes never change).
   */
  private reindex(changed?: Changed): void {
    const d = this.db.data;
    const has = (t: keyof State) => !changed || changed.has(t);
    // Fresh arrays on every change, the same ones between changes: callers may cache by identity.
    if (has('orgs')) {
      this.orgList = d.orgs.slice();
      this.orgById = new Map(d.orgs.map((o) => [o.id, o]));
    }
    if (has('stores')) this.shopById = new Map(d.stores.map((s) => [s.id, s]));
    if (
      has('members') &&
      !patchIndex(changed?.get('members'), [this.memberById, (m: Member) => m.id], [this.memberByNo_, (m: Member) => m.memberNo])
    ) {
      this.memberById = new Map(d.members.map((m) => [m.id, m]));
      this.memberByNo_ = new Map(d.members.map((m) => [m.memberNo, m]));
    }
    if (has('cards') && !patchIndex(changed?.get('cards'), [this.cardById, (c: Card) => c.id], [this.cardByHash, (c: Card) => c.panHash])) {
      this.cardById = new Map(d.cards.map((c) => [c.id, c]));
      this.cardByHash = new Map(d.cards.map((c) => [c.panHash, c]));
    }
    if (has('terminals')) {
      this.terminalById = new Map(d.terminals.map((t) => [t.id, t]));
      this.terminalByToken = new Map(d.terminals.filter((t) => t.tokenHash).map((t) => [t.tokenHash!, t]));
      this.terminalByPairing = new Map(d.terminals.filter((t) => t.pairingCodeHash).map((t) => [t.pairingCodeHash!, t]));
    }
    if (has('offers')) {
      this.activeByMerchant = new Map();
      this.offerVersions = new Map(d.offers.map((o) => [`${o.id}@${o.version}`, o]));
      this.currentOffer = new Map();
      for (const o of d.offers) {
        const cur = this.currentOffer.get(o.id);
        if (!cur || cur.version < o.version) this.currentOffer.set(o.id, o);
      }
    }
    if (has('users')) {
      this.userById = new Map(d.users.map((u) => [u.id, u]));
      this.userByName = new Map(d.users.map((u) => [u.username, u]));
    }
    if (has('revokedSessions')) this.revoked = new Set(d.revokedSessions.map((x) => x.id));
    if (has('offers') || has('orgs')) this.syncCountedOffers();
  }

  /**
   * Which offers are counted, and in which zone. An offer that gains limits in a new version, or whose
   * union changes zone, is counted again from the ledger index once (a rare administrative change).
   */
  private syncCountedOffers(): void {
    const want = new Map<string, string>();
    for (const o of this.db.data.offers) {
      if (!o.conditions.limits || want.has(o.id)) continue;
      const cur = this.currentOffer.get(o.id) ?? o;
      want.set(o.id, this.orgById.get(cur.orgId)?.timeZone ?? 'Asia/Shanghai');
    }
    const changed = [...want].filter(([id, zone]) => this.countedZones.get(id) !== zone).map(([id]) => id);
    for (const id of this.countedZones.keys()) if (!want.has(id)) this.counters.dropOffer(id);
    this.countedZones = want;
    for (const id of changed) {
      this.counters.dropOffer(id);
      for (const r of this.recs) if (r.status === 'committed' && r.offers.includes(id)) this.counters.add(r.memberId, id, r.createdMs, 1);
    }
  }

  /** Adds or takes away one redemption's uses of each counted offer it cites (once per offer). */
  private countUses(rec: Meta, delta: 1 | -1): void {
    const offers = rec.offers;
    for (let i = 0; i < offers.length; i++) {
      const id = offers[i]!;
      if (this.countedZones.has(id) && offers.indexOf(id) === i) this.counters.add(rec.memberId, id, rec.createdMs, delta);
    }
  }

  /**
   * Records a change to the state (one state.journal record, fsync'd) and updates the indexes it touches;
   * throws STORAGE_FAILED (platform/durable-file.ts) with nothing recorded. The caller undoes its change.
   */
  private writeState(changes: readonly Change[], audit?: string): void {
    this.reindex(this.journal!.commit(changes, audit));
  }

  /** Applies a change to the state, saves it, and undoes the change in memory when the save fails. */
  private changeState(apply: () => void, undo: () => void, changes: () => readonly Change[]): void {
    apply();
    try {
      this.writeState(changes());
    } catch (err) {
      undo();
      this.reindex();
      throw err;
    }
  }

  async seed(data: ReferenceData): Promise<void> {
    if (!(await this.isEmpty())) throw new Error('seed: the store already holds data');
    const before = { ...this.db.data };
    this.changeState(
      () => Object.assign(this.db.data, data),
      () => Object.assign(this.db.data, before),
      () => Object.keys(data).map((table) => ({ table, replaced: (before as unknown as Record<string, unknown[]>)[table] ?? [] })),
    );
  }

  async isEmpty(): Promise<boolean> {
    return this.db.data.orgs.length === 0 && this.recs.length === 0;
  }

  async orgs(): Promise<Org[]> {
    return this.orgList;
  }
  async memberByNo(memberNo: string) {
    return this.memberByNo_.get(memberNo);
  }
  async member(id: string) {
    return this.memberById.get(id);
  }
  async cardByPanHash(h: string) {
    return this.cardByHash.get(h);
  }
  async membersOfOrgs(orgIds: ReadonlySet<string>) {
    const members = this.db.data.members.filter((m) => orgIds.has(m.orgId));
    const ids = new Set(members.map((m) => m.id));
    return { members, cards: this.db.data.cards.filter((c) => ids.has(c.memberId)) };
  }
  async offlineRoster(orgIds: ReadonlySet<string>): Promise<OfflineRoster> {
    const members = this.db.data.members
      .filter((m) => orgIds.has(m.orgId))
      .map((m) => ({ id: m.id, memberNo: m.memberNo, orgId: m.orgId, status: m.status }))
      .sort((a, b) => (a.memberNo < b.memberNo ? -1 : a.memberNo > b.memberNo ? 1 : 0));
    const ids = new Set(members.map((m) => m.id));
    const cards = this.db.data.cards.flatMap((c) =>
      ids.has(c.memberId) && c.offlineHash
        ? [{ id: c.id, memberId: c.memberId, offlineHash: c.offlineHash, status: c.status, last4: c.last4 }]
        : [],
    );
    return { members, cards };
  }
  async card(id: string) {
    return this.cardById.get(id);
  }
  async setCardStatus(cardId: string, status: Card['status'], now: Date) {
    const card = this.cardById.get(cardId);
    if (!card) return undefined;
    const before = { ...card };
    this.changeState(
      () => Object.assign(card, { status, updatedAt: now.toISOString() }),
      () => Object.assign(card, before),
      () => [{ table: 'cards', touched: [card] }],
    );
    return card;
  }
  async merchant(id: string) {
    return this.db.data.merchants.find((m) => m.id === id);
  }
  async merchants() {
    return this.db.data.merchants;
  }
  async shop(id: string): Promise<Shop | undefined> {
    return this.shopById.get(id); // every terminal request asks: a map, not a scan of every store
  }
  async terminal(id: string) {
    return this.terminalById.get(id);
  }
  async shops(): Promise<Shop[]> {
    return this.db.data.stores;
  }
  async terminals(): Promise<Terminal[]> {
    return this.db.data.terminals;
  }
  async terminalByTokenHash(h: string) {
    return this.terminalByToken.get(h);
  }
  async enrollTerminal(pairingCodeHash: string, tokenHash: string, now: Date) {
    const t = this.terminalByPairing.get(pairingCodeHash);
    if (!t) return undefined;
    const before = { ...t };
    // On a failed save the pairing code stays usable: the terminal can enrol again once the disk recovers.
    this.changeState(
      () => Object.assign(t, { pairingCodeHash: null, tokenHash, enrolledAt: now.toISOString() }),
      () => {
        for (const k of Object.keys(t)) if (!(k in before)) delete (t as Record<string, unknown>)[k];
        Object.assign(t, before);
      },
      () => [{ table: 'terminals', touched: [t] }],
    );
    return t;
  }
  async user(id: string) {
    return this.userById.get(id);
  }
  async userByUsername(username: string) {
    return this.userByName.get(username);
  }

  async activeOffers(merchantId: string) {
    // The same array until the reference data changes: quotes key their per-merchant plan on it (quote-service.ts).
    let list = this.activeByMerchant.get(merchantId);
    if (!list)
      this.activeByMerchant.set(
        merchantId,
        (list = [...this.currentOffer.values()].filter((o) => o.merchantId === merchantId && o.status === 'active')),
      );
    return list;
  }
  async offers() {
    return [...this.currentOffer.values()];
  }
  async offerVersion(id: string, version: number) {
    return this.offerVersions.get(`${id}@${version}`);
  }
  async saveOffer(offer: Offer) {
    const cur = this.currentOffer.get(offer.id);
    const expected = (cur?.version ?? 0) + 1;
    if (offer.version !== expected) throw Object.assign(new Error(`offer ${offer.id}: next version is ${expected}`), { code: 'CONFLICT' });
    const offers = this.db.data.offers;
    this.changeState(
      () => offers.push(offer),
      () => {
        const i = offers.lastIndexOf(offer);
        if (i >= 0) offers.splice(i, 1);
      },
      () => [{ table: 'offers', touched: [offer] }],
    );
    return offer;
  }

  async usage(memberId: string, offerIds: readonly string[], at: Date) {
    const out = new Map<string, UsageCount>();
    for (const id of offerIds) out.set(id, this.counters.get(memberId, id, at.getTime()));
    return out;
  }
  async remainingBudget(campaignId: string) {
    const o = this.currentOffer.get(campaignId);
    if (!o || o.budgetFen === undefined) return Number.MAX_SAFE_INTEGER;
    return o.budgetFen - (this.budgetUsed.get(campaignId) ?? 0);
  }
  async qrNonceUsed(nonce: string) {
    return this.qrNonces.has(nonce);
  }

  async commitRedemption(draft: RedemptionDraft, limitCheck: (offer: Offer, used: UsageCount) => string | null): Promise<CommitResult> {
    // --- one synchronous section: check, then change; no await until the entry is sealed ---
    const existing = this.byKey(draft.idempotencyKey);
    if (existing) {
      const quoteId = this.bodyOf(existing).quoteId;
      if (quoteId !== draft.quoteId) {
        return { kind: 'refused', code: 'IDEMPOTENCY_CONFLICT', message: `key already used for quote ${quoteId}` };
      }
      await this.pending.get(existing.seq); // a concurrent retry answers only once the first is durable
      return { kind: 'replayed', redemption: this.toPublic(existing) };
    }
    if (draft.qrNonce && this.qrNonces.has(draft.qrNonce))
      return { kind: 'refused', code: 'QR_REPLAYED', message: 'member QR code already used' };
    const drawn = new Map<string, number>(); // this draft's own draws, should two lines fund from one offer
    for (const line of draft.lines) {
      if (line.funding.unionFen > 0) {
        // Every union-funded line draws on its offer's budget, of any kind; an offer without a budget grants no union money.
        const fundedId = fundedOfferOf(line);
        const budget = this.currentOffer.get(fundedId)?.budgetFen;
        const used = (this.budgetUsed.get(fundedId) ?? 0) + (drawn.get(fundedId) ?? 0);
        if (budget === undefined || used + line.funding.unionFen > budget) {
          return {
            kind: 'refused',
            code: 'BUDGET_EXHAUSTED',
            message: `${line.title}: ${budget === undefined ? 'no budget for union money' : `${budget - used} fen left of the budget`}`,
          };
        }
        drawn.set(fundedId, (drawn.get(fundedId) ?? 0) + line.funding.unionFen);
      }
      const offer = this.offerVersions.get(`${line.agreementId}@${line.agreementVersion}`);
      if (!offer) continue;
      // Counters, not the member's history: a commit costs the same at any number of past uses.
      const limited = offer.conditions.limits
        ? limitCheck(offer, this.counters.get(draft.memberId, offer.id, Date.parse(draft.createdAt)))
        : null;
      if (limited) return { kind: 'refused', code: 'LIMIT_REACHED', message: `${line.title}: limit ${limited}` };
    }
    const wf = this.writeFailure();
    if (wf) throw wf;
    const id = redemptionId(this.ledger.lastSeq + 1);
    // Receipts count commits only, so a void leaves no gap; recs holds every commit, in flight ones too.
    const data: CommitData = { ...draft, id, receiptNo: this.recs.length + 1 };
    const { entry, durable, offset, length } = this.ledger.append('commit', data);
    this.lastLineStart = offset;
    const rec = metaOf(data, entry.seq, offset, length);
    this.bodies.set(rec.seq, { ...data, seq: entry.seq, hash: entry.hash, prevHash: entry.prevHash });
    const view = this.indexMeta(rec);
    // --- end of the synchronous section ---
    this.pending.set(rec.seq, durable);
    try {
      await durable;
    } catch (err) {
      // Never acknowledged and perhaps not on disk: a retry, a read or a budget must not count it.
      this.unindexCommit(rec);
      throw err;
    } finally {
      // After a failed write the seq is given again to a later commit: forget only our own.
      if (this.pending.get(rec.seq) === durable) this.pending.delete(rec.seq);
    }
    const out = this.toPublic(view);
    this.bodies.delete(rec.seq); // on disk now: read it from there from now on
    this.maybeCheckpoint();
    return { kind: 'created', redemption: out };
  }

  private byKey(key: string): Meta | undefined {
    return this.recs.byKey(key);
  }

  /** A committed record's uses and union money, counted in (1) or out (-1). */
  private countCommit(rec: Meta, delta: 1 | -1): void {
    if (rec.status !== 'committed') return;
    this.countUses(rec, delta);
    this.drawBudgets(rec, delta);
  }

  /** Indexes a record and returns its view in the table. */
  private indexMeta(rec: Meta, loading = false): Meta {
    const view = this.recs.push(rec);
    if (rec.qrNonce && !loading) this.qrNonces.add(rec.qrNonce);
    this.countCommit(rec, 1);
    return view;
  }

  private unindexCommit(rec: Meta): void {
    const status = rec.status;
    this.recs.removeAt(this.recs.lastRowOf(rec.seq, rec.idempotencyKey));
    if (this.bodies.get(rec.seq)?.idempotencyKey === rec.idempotencyKey) this.bodies.delete(rec.seq);
    if (rec.qrNonce) this.qrNonces.delete(rec.qrNonce);
    if (status === 'committed') this.countUses(rec, -1);
    if (status === 'committed') this.drawBudgets(rec, -1);
  }

  /** Adds (1) or gives back (-1) a redemption's union money to the budgets of the offers that fund it. */
  private drawBudgets(rec: Meta, sign: 1 | -1): void {
    for (const [id, fen] of drawsOf(rec)) this.budgetUsed.set(id, (this.budgetUsed.get(id) ?? 0) + sign * fen);
  }

  private applyVoid(v: VoidData): void {
    const rec = this.metaById(v.redemptionId);
    if (!rec || rec.status === 'voided') return;
    rec.status = 'voided';
    rec.voidedAt = v.at;
    rec.voidReason = v.reason;
    this.countUses(rec, -1);
    this.drawBudgets(rec, -1);
  }

  async voidRedemption(id: string, reason: string, by: string, now: Date): Promise<VoidResult> {
    const rec = this.metaById(id);
    if (!rec) return { kind: 'refused', code: 'NOT_FOUND', message: 'no such redemption' };
    if (rec.status === 'voided') return { kind: 'refused', code: 'ALREADY_VOIDED', message: `voided at ${rec.voidedAt}` };
    await this.pending.get(rec.seq); // never void what is not yet on disk
    if (rec.status !== 'committed') return { kind: 'refused', code: 'ALREADY_VOIDED', message: `voided at ${rec.voidedAt}` };
    const wf = this.writeFailure();
    if (wf) throw wf;
    const data: VoidData = { redemptionId: id, reason, by, at: now.toISOString() };
    const { durable, offset } = this.ledger.append('void', data);
    this.lastLineStart = offset;
    this.applyVoid(data);
    try {
      await durable;
    } catch (err) {
      // Not recorded: the redemption stays committed, with its budget and usage.
      rec.status = 'committed'; // in the table this also forgets voidedAt and voidReason
      this.countUses(rec, 1);
      this.drawBudgets(rec, 1);
      throw err;
    }
    this.maybeCheckpoint();
    return { kind: 'voided', redemption: this.toPublic(rec) };
  }

  async redemption(id: string) {
    const r = this.metaById(id);
    return r ? this.toPublic(r) : undefined;
  }
  async redemptionByKey(key: string) {
    const r = this.byKey(key);
    return r ? { ...this.toPublic(r), quoteId: this.bodyOf(r).quoteId } : undefined;
  }

  async listRedemptions(f: RedemptionFilter) {
    const items: Meta[] = [];
    let i = this.recs.length - 1;
    // recs are in seq order: binary search for the first one at or after the cursor.
    if (f.beforeSeq !== undefined) i = this.ordinal(f.beforeSeq) - 1;
    // Receipt n is the n-th commit, so at most one place to look.
    let end = -1;
    if (f.receiptNo !== undefined) {
      const at = f.receiptNo - 1;
      i = Number.isInteger(at) && at >= 0 && at <= i ? at : -1;
      end = Math.max(i - 1, -1);
    }
    for (; i > end; i--) {
      const r = this.recs.at(i)!;
      if (f.merchantIds && !f.merchantIds.has(r.merchantId)) continue;
      if (f.storeId && r.storeId !== f.storeId) continue;
      if (f.terminalId && r.terminalId !== f.terminalId) continue;
      if (f.memberId && r.memberId !== f.memberId) continue;
      if (f.memberOrgIds && !f.memberOrgIds.has(r.memberOrgId)) continue;
      if (f.status && r.status !== f.status) continue;
      if (f.funding && f.funding !== (r.unionFen > 0 ? 'union' : 'merchant')) continue;
      if (f.fromMs !== undefined && r.createdMs < f.fromMs) continue;
      if (f.toMs !== undefined && r.createdMs >= f.toMs) continue;
      if (items.length === f.limit) return { items: items.map((m) => this.toPublic(m)), nextBeforeSeq: this.recs.at(i + 1)!.seq };
      items.push(r);
    }
    return { items: items.map((m) => this.toPublic(m)) };
  }

  async settlement(campaignIds: ReadonlySet<string>, fromMs?: number, toMs?: number): Promise<SettlementRow[]> {
    const rows = new Map<string, SettlementRow>();
    for (const r of this.recs) {
      if (r.status !== 'committed') continue;
      if (fromMs !== undefined && r.createdMs < fromMs) continue;
      if (toMs !== undefined && r.createdMs >= toMs) continue;
      for (const [c, fen] of drawsOf(r)) {
        if (!campaignIds.has(c)) continue;
        const k = `${r.merchantId}|${c}`;
        const row = rows.get(k) ?? { merchantId: r.merchantId, campaignId: c, count: 0, unionFen: 0 };
        row.count++;
        row.unionFen += fen;
        rows.set(k, row);
      }
    }
    return [...rows.values()].sort((a, b) => a.merchantId.localeCompare(b.merchantId) || a.campaignId.localeCompare(b.campaignId));
  }

  /** Re-reads the file from disk and checks every link, and that the disk agrees with what this process wrote. */
  async verifyLedger(): Promise<LedgerCheck> {
    await this.ledger.drain();
    return verifyLedgerFile(this.ledgerFile, this.ledger.lastSeq, this.ledger.headHash, this.ledger.endOffset);
  }

  /** The last entry on disk: what a signed head covers (audit.ts). */
  async ledgerHead(): Promise<{ seq: number; hash: string }> {
    return this.ledger.durableHead;
  }

  /** The hash of entry `seq` as the ledger file holds it now (undefined past its end). */
  async ledgerHashAt(seq: number): Promise<string | undefined> {
    if (!Number.isInteger(seq) || seq < 0 || seq > this.ledger.durableHead.seq) return undefined;
    if (seq === 0) return GENESIS_HASH;
    const m = this.metaById(redemptionId(seq));
    if (m && !this.bodies.has(m.seq)) {
      // A commit: read its line by offset and check it against its own hash.
      const buf = Buffer.allocUnsafe(m.len);
      readSync(this.readFd, buf, 0, m.len, m.off);
      const u = unseal(buf.toString('utf8'));
      return u.ok && u.entry.seq === seq ? u.entry.hash : undefined;
    }
    // A void (not indexed by offset), or an entry still in flight: walk the file to it.
    let found: string | undefined;
    const end = this.ledger.endOffset;
    await forEachLineAsync(
      this.ledgerFile,
      (line) => {
        const u = unseal(line);
        if (u.ok && u.entry.seq === seq) {
          found = u.entry.hash;
          return false;
        }
        return true;
      },
      end,
    );
    return found;
  }

  writeFailure() {
    return this.ledger?.error ?? this.integrityFailure;
  }

  async memberIdsOf(ids: readonly string[]) {
    const out = new Map<string, string>();
    for (const id of ids) {
      const r = this.metaById(id);
      if (r) out.set(id, r.memberId);
    }
    return out;
  }

  async statements(orgIds: ReadonlySet<string>) {
    return this.db.data.statements.filter((s) => orgIds.has(s.orgId)).reverse();
  }
  async statement(id: string) {
    return this.db.data.statements.find((s) => s.id === id);
  }
  async createStatement(draft: Omit<Statement, 'id'>): Promise<StatementCreation> {
    const list = this.db.data.statements;
    // One synchronous section: the overlap checks and the change.
    const live = list.filter((x) => x.orgId === draft.orgId && x.status !== 'cancelled');
    const clash = live.find((x) => x.from <= draft.to && draft.from <= x.to);
    if (clash)
      return {
        kind: 'refused',
        code: 'STATEMENT_OVERLAP',
        message: `statement ${clash.id} (${clash.from} to ${clash.to}, ${clash.status}) already covers some of these days`,
      };
    const carried = new Set(draft.adjustments.map((a) => a.redemptionId));
    const twice = carried.size ? live.find((x) => x.adjustments?.some((a) => carried.has(a.redemptionId))) : undefined;
    if (twice)
      return {
        kind: 'refused',
        code: 'STATEMENT_OVERLAP',
        message: `statement ${twice.id} already carries an adjustment for one of these voids`,
      };
    const s: Statement = { id: `st-${String(list.length + 1).padStart(5, '0')}`, ...draft };
    list.push(s);
    try {
      this.writeState([{ table: 'statements', touched: [s] }]);
    } catch (err) {
      list.pop(); // not on disk: not recorded
      throw err;
    }
    return { kind: 'created', statement: s };
  }
  async advanceStatement(id: string, to: 'approved' | 'paid' | 'cancelled', by: string, now: Date): Promise<StatementAdvance> {
    // One synchronous section: the state check, the overlap check and the change.
    const s = this.db.data.statements.find((x) => x.id === id);
    if (!s) return { kind: 'refused', code: 'NOT_FOUND', message: 'no such statement' };
    const from = to === 'paid' ? 'approved' : 'draft';
    if (s.status !== from)
      return {
        kind: 'refused',
        code: 'STATEMENT_STATE',
        message: `statement ${id} is ${s.status}; only a ${from} statement can become ${to}`,
      };
    if (to === 'approved') {
      const clash = this.db.data.statements.find(
        (x) => x.id !== id && x.orgId === s.orgId && (x.status === 'approved' || x.status === 'paid') && x.from <= s.to && s.from <= x.to,
      );
      if (clash)
        return {
          kind: 'refused',
          code: 'STATEMENT_OVERLAP',
          message: `statement ${clash.id} (${clash.from} to ${clash.to}) is already ${clash.status} for these days`,
        };
    }
    const at = now.toISOString();
    const before = { ...s };
    if (to === 'approved') Object.assign(s, { status: to, approvedAt: at, approvedBy: by });
    else if (to === 'paid') Object.assign(s, { status: to, paidAt: at, paidBy: by });
    else Object.assign(s, { status: to, cancelledAt: at, cancelledBy: by });
    try {
      this.writeState([{ table: 'statements', touched: [s] }]);
    } catch (err) {
      Object.assign(s, before); // not on disk: the statement keeps its state
      throw err;
    }
    return { kind: 'advanced', statement: { ...s } };
  }

  async revokeSession(sessionId: string, expiresAt: Date): Promise<void> {
    const list = this.db.data.revokedSessions;
    // Expired sessions are refused by their token anyway: forgetting them keeps state.json small. A token
    // lives at most a day, so one expiring a day before this one has surely expired (no clock needed here).
    const horizon = expiresAt.getTime() - 24 * 3600_000;
    this.db.data.revokedSessions = [
      ...list.filter((x) => Date.parse(x.expiresAt) > horizon && x.id !== sessionId),
      { id: sessionId, expiresAt: expiresAt.toISOString() },
    ];
    try {
      this.writeState([{ table: 'revokedSessions', replaced: list }]);
    } catch (err) {
      this.db.data.revokedSessions = list; // not on disk: not revoked, and the caller is told
      this.reindex();
      throw err;
    }
  }

  /** Resolves once no fold of state.journal into state.json is running (tests, the bench). */
  async stateJournalIdle(): Promise<void> {
    await this.journal?.idle();
  }

  async sessionRevoked(sessionId: string): Promise<boolean> {
    return this.revoked.has(sessionId);
  }

  async close(): Promise<void> {
    // A clean shutdown folds the state journal into state.json (a kill -9 replays it at the next start).
    await this.journal?.close();
    await this.memberSide?.close();
    await this.ledger?.close();
    if (this.ledger) this.maybeCheckpoint(0);
    if (this.readFd >= 0) closeSync(this.readFd);
    this.readFd = -1;
    this.auditFile?.close();
    this.unlock?.();
  }
}

/** Union-funded lines besides the campaign line, as Meta.extraDraws (absent when none, as for almost every redemption). */
function extraDrawsOf(lines: CommitData['lines'], campaignLine: CommitData['lines'][number] | undefined): Pick<Meta, 'extraDraws'> {
  const extra = lines
    .filter((l) => l !== campaignLine && l.funding.unionFen > 0)
    .map((l) => [fundedOfferOf(l), l.funding.unionFen] as const);
  return extra.length ? { extraDraws: extra } : {};
}

/** What a redemption draws on budgets: [offer id, union fen] per union-funded line. */
function drawsOf(rec: Meta): Array<readonly [string, number]> {
  const out: Array<readonly [string, number]> = rec.campaignId && rec.campaignFen > 0 ? [[rec.campaignId, rec.campaignFen]] : [];
  if (rec.extraDraws) out.push(...rec.extraDraws);
  return out;
}

/** The in-memory index entry of a commit. */
function metaOf(d: CommitData, seq: number, off: number, len: number): Meta {
  const campaignLine = d.lines.find((l) => l.funding.campaignId);
  return {
    seq,
    idempotencyKey: d.idempotencyKey,
    memberId: d.memberId,
    memberOrgId: d.memberOrgId,
    merchantId: d.merchantId,
    storeId: d.storeId,
    terminalId: d.terminalId,
    createdMs: Date.parse(d.createdAt),
    status: 'committed',
    offers: internOffers(d.lines.map((l) => l.agreementId)),
    ...(campaignLine ? { campaignId: campaignLine.funding.campaignId! } : {}),
    campaignFen: campaignLine?.funding.unionFen ?? 0,
    unionFen: d.lines.reduce((s, l) => s + l.funding.unionFen, 0),
    ...extraDrawsOf(d.lines, campaignLine),
    ...(d.qrNonce ? { qrNonce: d.qrNonce } : {}),
    off,
    len,
  };
}

/** Walks the ledger file; `brokenAt` names the redemption of the first entry that fails. */
export async function verifyLedgerFile(file: string, expectedSeq: number, expectedHead: string, upTo?: number): Promise<LedgerCheck> {
  let prev = GENESIS_HASH;
  let checked = 0;
  let broken: LedgerCheck | undefined;
  const check = (line: string) => {
    if (line === '') return true;
    const u = unseal(line);
    if (!u.ok || u.entry.seq !== checked + 1 || u.entry.prevHash !== prev) {
      const rid = redemptionIdOf(line);
      broken = {
        ok: false,
        checked,
        ...(rid ? { brokenAt: rid } : {}),
        message: `entry ${checked + 1}: ${u.ok ? 'does not link to the entry before it' : u.why}`,
      };
      return false;
    }
    prev = u.entry.hash;
    checked++;
    return true;
  };
  if (existsSync(file)) {
    const { tail } = await forEachLineAsync(file, check, upTo);
    if (!broken && tail.length) check(tail.toString('utf8'));
  }
  if (broken) return broken;
  if (checked !== expectedSeq || prev !== expectedHead) {
    return {
      ok: false,
      checked,
      message: `the file ends at entry ${checked}, but ${expectedSeq} were written: entries were removed from the end`,
    };
  }
  return { ok: true, checked };
}

/**
 * Updates maps of a large table for the elements a write changed (state-journal.ts `Changed`): every
 * old key out, then every new key in. False when the whole table is to be indexed again instead
 * (no changes known, or so many that a rebuild is as cheap).
 */
function patchIndex<T>(
  pairs: Array<{ old?: unknown; next?: unknown }> | undefined,
  ...maps: Array<[Map<string, T>, (x: T) => string]>
): boolean {
  if (!pairs || pairs.length > 2000) return false;
  for (const { old } of pairs) {
    if (old === undefined) continue;
    for (const [map, key] of maps) if (map.get(key(old as T)) === old) map.delete(key(old as T));
  }
  for (const { next } of pairs) if (next !== undefined) for (const [map, key] of maps) map.set(key(next as T), next as T);
  return true;
}
