/**
 * The embedded store: reference state in lowdb (state.json), redemptions in an fsync'd, hash-chained
 * ledger (ledger.jsonl), indexes in memory. One process per data directory (huika.lock).
 * Every check-and-change below runs synchronously between awaits, which is what makes budgets and
 * limits exact under any number of concurrent requests in this single-threaded process.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LowSync } from 'lowdb';
import type { Card, Member, Offer, Org, Store as Shop, Terminal, User } from '../../core/domain.ts';
import type { Redemption } from '../../core/wire.ts';
import type { Statement } from '../../core/wire-portal.ts';
import { AuditFile } from './audit-file.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { EmbeddedAdmin } from './embedded-admin.ts';
import { GENESIS_HASH, redemptionIdOf, unseal, type ChainEntry } from './hash-chain.ts';
import { forEachLine, LedgerWriter, loadLedger } from './ledger-file.ts';
import { openStateFile, type State } from './state-file.ts';
import type {
  CommitResult,
  HuikaStore,
  LedgerCheck,
  RedemptionDraft,
  RedemptionFilter,
  ReferenceData,
  SettlementRow,
  StatementAdvance,
  VoidResult,
} from './store.ts';

type Rec = Redemption & { memberId: string; quoteId: string; qrNonce?: string; createdMs: number };
type CommitData = Omit<Rec, 'status' | 'hash' | 'prevHash' | 'seq' | 'createdMs'>;
type VoidData = { redemptionId: string; reason: string; by: string; at: string };

export interface EmbeddedStoreOptions {
  dir: string;
  /** Told about recoveries the operator should know of (a torn ledger tail moved aside). */
  onNotice?: (message: string) => void;
}

export class EmbeddedStore implements HuikaStore {
  readonly kind = 'embedded';
  private db!: LowSync<State>;
  private ledger!: LedgerWriter;
  private unlock!: () => void;
  private readonly ledgerFile: string;
  private auditFile: AuditFile | undefined;
  /** Administrative writes with their audit trail (audit.jsonl); see embedded-admin.ts. */
  admin!: EmbeddedAdmin;

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

  // Ledger indexes.
  private recs: Rec[] = [];
  private recById = new Map<string, Rec>();
  private recByKey = new Map<string, Rec>();
  private usageIdx = new Map<string, Map<string, Rec[]>>(); // member → offer → uses
  private budgetUsed = new Map<string, number>();
  private qrNonces = new Set<string>();
  private pending = new Map<string, Promise<void>>();

  private constructor(private readonly opts: EmbeddedStoreOptions) {
    this.ledgerFile = join(opts.dir, 'ledger.jsonl');
  }

  static async open(opts: EmbeddedStoreOptions): Promise<EmbeddedStore> {
    const s = new EmbeddedStore(opts);
    if (!existsSync(opts.dir)) mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
    s.unlock = lockDataDir(opts.dir);
    try {
      s.db = openStateFile(join(opts.dir, 'state.json'));
      s.reindex();
      const loaded = loadLedger(s.ledgerFile, (e) => s.replayEntry(e));
      if (loaded.tornTailSavedTo) {
        opts.onNotice?.(`ledger ended in a partial entry from an interrupted write (never acknowledged); moved it to ${loaded.tornTailSavedTo}`);
      }
      s.ledger = await LedgerWriter.open(s.ledgerFile, loaded.last);
      s.auditFile = new AuditFile(join(opts.dir, 'audit.jsonl'));
      s.admin = new EmbeddedAdmin(() => s.db.data, () => s.writeState(), () => s.reindex(), s.auditFile);
    } catch (err) {
      s.auditFile?.close();
      s.unlock();
      throw err;
    }
    return s;
  }

  private replayEntry(e: ChainEntry): void {
    if (e.type === 'commit') {
      // Reuse the parsed object as the record: a million spreads would mostly feed the garbage collector.
      const rec = e.data as Rec;
      rec.seq = e.seq;
      rec.hash = e.hash;
      rec.prevHash = e.prevHash;
      this.indexCommit(rec);
    } else if (e.type === 'void') this.applyVoid(e.data as VoidData);
  }

  private reindex(): void {
    const d = this.db.data;
    this.orgById = new Map(d.orgs.map((o) => [o.id, o]));
    this.memberById = new Map(d.members.map((m) => [m.id, m]));
    this.memberByNo_ = new Map(d.members.map((m) => [m.memberNo, m]));
    this.cardById = new Map(d.cards.map((c) => [c.id, c]));
    this.cardByHash = new Map(d.cards.map((c) => [c.panHash, c]));
    this.terminalById = new Map(d.terminals.map((t) => [t.id, t]));
    this.terminalByToken = new Map(d.terminals.filter((t) => t.tokenHash).map((t) => [t.tokenHash!, t]));
    this.terminalByPairing = new Map(d.terminals.filter((t) => t.pairingCodeHash).map((t) => [t.pairingCodeHash!, t]));
    this.offerVersions = new Map(d.offers.map((o) => [`${o.id}@${o.version}`, o]));
    this.currentOffer = new Map();
    for (const o of d.offers) {
      const cur = this.currentOffer.get(o.id);
      if (!cur || cur.version < o.version) this.currentOffer.set(o.id, o);
    }
    this.userById = new Map(d.users.map((u) => [u.id, u]));
    this.userByName = new Map(d.users.map((u) => [u.username, u]));
  }

  private writeState(): void {
    this.db.write();
    this.reindex();
  }

  async seed(data: ReferenceData): Promise<void> {
    if (!(await this.isEmpty())) throw new Error('seed: the store already holds data');
    Object.assign(this.db.data, data);
    this.writeState();
  }

  async isEmpty(): Promise<boolean> {
    return this.db.data.orgs.length === 0 && this.recs.length === 0;
  }

  async orgs(): Promise<Org[]> {
    return this.db.data.orgs;
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
  async card(id: string) {
    return this.cardById.get(id);
  }
  async setCardStatus(cardId: string, status: Card['status'], now: Date) {
    const card = this.cardById.get(cardId);
    if (!card) return undefined;
    card.status = status;
    card.updatedAt = now.toISOString();
    this.writeState();
    return card;
  }
  async merchant(id: string) {
    return this.db.data.merchants.find((m) => m.id === id);
  }
  async merchants() {
    return this.db.data.merchants;
  }
  async shop(id: string): Promise<Shop | undefined> {
    return this.db.data.stores.find((s) => s.id === id);
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
    t.pairingCodeHash = null;
    t.tokenHash = tokenHash;
    t.enrolledAt = now.toISOString();
    this.writeState();
    return t;
  }
  async user(id: string) {
    return this.userById.get(id);
  }
  async userByUsername(username: string) {
    return this.userByName.get(username);
  }

  async activeOffers(merchantId: string) {
    return [...this.currentOffer.values()].filter((o) => o.merchantId === merchantId && o.status === 'active');
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
    this.db.data.offers.push(offer);
    this.writeState();
    return offer;
  }

  async usage(memberId: string, offerIds: readonly string[]) {
    const out = new Map<string, string[]>();
    for (const id of offerIds) out.set(id, this.usedAt(memberId, id));
    return out;
  }
  private usedAt(memberId: string, offerId: string): string[] {
    return (this.usageIdx.get(memberId)?.get(offerId) ?? []).filter((r) => r.status === 'committed').map((r) => r.createdAt);
  }
  async remainingBudget(campaignId: string) {
    const o = this.currentOffer.get(campaignId);
    if (!o || o.budgetFen === undefined) return Number.MAX_SAFE_INTEGER;
    return o.budgetFen - (this.budgetUsed.get(campaignId) ?? 0);
  }
  async qrNonceUsed(nonce: string) {
    return this.qrNonces.has(nonce);
  }

  async commitRedemption(draft: RedemptionDraft, limitCheck: (offer: Offer, used: readonly string[]) => string | null): Promise<CommitResult> {
    // --- one synchronous section: check, then change; no await until the entry is sealed ---
    const existing = this.recByKey.get(draft.idempotencyKey);
    if (existing) {
      if (existing.quoteId !== draft.quoteId) {
        return { kind: 'refused', code: 'IDEMPOTENCY_CONFLICT', message: `key already used for quote ${existing.quoteId}` };
      }
      await this.pending.get(existing.id); // a concurrent retry answers only once the first is durable
      return { kind: 'replayed', redemption: toPublic(existing) };
    }
    if (draft.qrNonce && this.qrNonces.has(draft.qrNonce)) return { kind: 'refused', code: 'QR_REPLAYED', message: 'member QR code already used' };
    for (const line of draft.lines) {
      const offer = this.offerVersions.get(`${line.agreementId}@${line.agreementVersion}`);
      if (!offer) continue;
      const limited = limitCheck(offer, this.usedAt(draft.memberId, offer.id));
      if (limited) return { kind: 'refused', code: 'LIMIT_REACHED', message: `${line.title}: limit ${limited}` };
      const campaignId = line.funding.campaignId;
      if (campaignId && line.funding.unionFen > 0) {
        const budget = this.currentOffer.get(campaignId)?.budgetFen;
        const used = this.budgetUsed.get(campaignId) ?? 0;
        if (budget !== undefined && used + line.funding.unionFen > budget) {
          return { kind: 'refused', code: 'BUDGET_EXHAUSTED', message: `${line.title}: ${budget - used} fen left of the budget` };
        }
      }
    }
    const wf = this.ledger.error;
    if (wf) throw wf;
    const id = `rd-${String(this.ledger.lastSeq + 1).padStart(10, '0')}`;
    const data: CommitData = { ...draft, id, idempotencyKey: draft.idempotencyKey };
    const { entry, durable } = this.ledger.append('commit', data);
    const rec = this.applyCommit({ ...data, seq: entry.seq, hash: entry.hash, prevHash: entry.prevHash });
    // --- end of the synchronous section ---
    this.pending.set(rec.id, durable);
    try {
      await durable;
    } catch (err) {
      // Never acknowledged and perhaps not on disk: a retry, a read or a budget must not count it.
      this.unindexCommit(rec);
      throw err;
    } finally {
      this.pending.delete(rec.id);
    }
    return { kind: 'created', redemption: toPublic(rec) };
  }

  private applyCommit(d: CommitData & { seq: number; hash: string; prevHash: string }): Rec {
    return this.indexCommit({ ...d } as Rec);
  }

  private indexCommit(rec: Rec): Rec {
    rec.status = 'committed';
    rec.createdMs = Date.parse(rec.createdAt);
    this.recs.push(rec);
    this.recById.set(rec.id, rec);
    this.recByKey.set(rec.idempotencyKey, rec);
    if (rec.qrNonce) this.qrNonces.add(rec.qrNonce);
    let byOffer = this.usageIdx.get(rec.memberId);
    if (!byOffer) this.usageIdx.set(rec.memberId, (byOffer = new Map()));
    for (const line of rec.lines) {
      let list = byOffer.get(line.agreementId);
      if (!list) byOffer.set(line.agreementId, (list = []));
      list.push(rec);
      const c = line.funding.campaignId;
      if (c) this.budgetUsed.set(c, (this.budgetUsed.get(c) ?? 0) + line.funding.unionFen);
    }
    return rec;
  }

  private unindexCommit(rec: Rec): void {
    const i = this.recs.lastIndexOf(rec);
    if (i >= 0) this.recs.splice(i, 1);
    this.recById.delete(rec.id);
    if (this.recByKey.get(rec.idempotencyKey) === rec) this.recByKey.delete(rec.idempotencyKey);
    if (rec.qrNonce) this.qrNonces.delete(rec.qrNonce);
    for (const line of rec.lines) {
      const list = this.usageIdx.get(rec.memberId)?.get(line.agreementId);
      const j = list ? list.lastIndexOf(rec) : -1;
      if (j >= 0) list!.splice(j, 1);
      const c = line.funding.campaignId;
      if (c && rec.status === 'committed') this.budgetUsed.set(c, (this.budgetUsed.get(c) ?? 0) - line.funding.unionFen);
    }
  }

  private applyVoid(v: VoidData): void {
    const rec = this.recById.get(v.redemptionId);
    if (!rec || rec.status === 'voided') return;
    rec.status = 'voided';
    rec.voidedAt = v.at;
    rec.voidReason = v.reason;
    for (const line of rec.lines) {
      const c = line.funding.campaignId;
      if (c) this.budgetUsed.set(c, (this.budgetUsed.get(c) ?? 0) - line.funding.unionFen);
    }
  }

  async voidRedemption(id: string, reason: string, by: string, now: Date): Promise<VoidResult> {
    const rec = this.recById.get(id);
    if (!rec) return { kind: 'refused', code: 'NOT_FOUND', message: 'no such redemption' };
    if (rec.status === 'voided') return { kind: 'refused', code: 'ALREADY_VOIDED', message: `voided at ${rec.voidedAt}` };
    await this.pending.get(id); // never void what is not yet on disk
    if (rec.status !== 'committed') return { kind: 'refused', code: 'ALREADY_VOIDED', message: `voided at ${rec.voidedAt}` };
    const data: VoidData = { redemptionId: id, reason, by, at: now.toISOString() };
    const { durable } = this.ledger.append('void', data);
    this.applyVoid(data);
    try {
      await durable;
    } catch (err) {
      // Not recorded: the redemption stays committed, with its budget and usage.
      rec.status = 'committed';
      delete rec.voidedAt;
      delete rec.voidReason;
      for (const line of rec.lines) {
        const c = line.funding.campaignId;
        if (c) this.budgetUsed.set(c, (this.budgetUsed.get(c) ?? 0) + line.funding.unionFen);
      }
      throw err;
    }
    return { kind: 'voided', redemption: toPublic(rec) };
  }

  async redemption(id: string) {
    const r = this.recById.get(id);
    return r ? toPublic(r) : undefined;
  }
  async redemptionByKey(key: string) {
    const r = this.recByKey.get(key);
    return r ? { ...toPublic(r), quoteId: r.quoteId } : undefined;
  }

  async listRedemptions(f: RedemptionFilter) {
    const items: Redemption[] = [];
    let i = this.recs.length - 1;
    if (f.beforeSeq !== undefined) {
      // recs are in seq order: binary search for the first one at or after the cursor.
      let lo = 0;
      let hi = this.recs.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.recs[mid]!.seq < f.beforeSeq) lo = mid + 1;
        else hi = mid;
      }
      i = lo - 1;
    }
    for (; i >= 0; i--) {
      const r = this.recs[i]!;
      if (f.merchantIds && !f.merchantIds.has(r.merchantId)) continue;
      if (f.storeId && r.storeId !== f.storeId) continue;
      if (f.terminalId && r.terminalId !== f.terminalId) continue;
      if (f.memberOrgIds && !f.memberOrgIds.has(r.memberOrgId)) continue;
      if (f.status && r.status !== f.status) continue;
      if (f.funding && f.funding !== (r.lines.some((l) => l.funding.unionFen > 0) ? 'union' : 'merchant')) continue;
      if (f.fromMs !== undefined && r.createdMs < f.fromMs) continue;
      if (f.toMs !== undefined && r.createdMs >= f.toMs) continue;
      if (items.length === f.limit) return { items, nextBeforeSeq: this.recs[i + 1]!.seq };
      items.push(toPublic(r));
    }
    return { items };
  }

  async settlement(campaignIds: ReadonlySet<string>, fromMs?: number, toMs?: number): Promise<SettlementRow[]> {
    const rows = new Map<string, SettlementRow>();
    for (const r of this.recs) {
      if (r.status !== 'committed') continue;
      if (fromMs !== undefined && r.createdMs < fromMs) continue;
      if (toMs !== undefined && r.createdMs >= toMs) continue;
      for (const line of r.lines) {
        const c = line.funding.campaignId;
        if (!c || !campaignIds.has(c)) continue;
        const k = `${r.merchantId}|${c}`;
        const row = rows.get(k) ?? { merchantId: r.merchantId, campaignId: c, count: 0, unionFen: 0 };
        row.count++;
        row.unionFen += line.funding.unionFen;
        rows.set(k, row);
      }
    }
    return [...rows.values()].sort((a, b) => a.merchantId.localeCompare(b.merchantId) || a.campaignId.localeCompare(b.campaignId));
  }

  /** Re-reads the file from disk and checks every link, and that the disk agrees with what this process wrote. */
  async verifyLedger(): Promise<LedgerCheck> {
    await this.ledger.drain();
    return verifyLedgerFile(this.ledgerFile, this.ledger.lastSeq, this.ledger.headHash);
  }

  writeFailure() {
    return this.ledger.error;
  }

  async memberIdsOf(ids: readonly string[]) {
    const out = new Map<string, string>();
    for (const id of ids) {
      const r = this.recById.get(id);
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
  async createStatement(draft: Omit<Statement, 'id'>) {
    const list = this.db.data.statements;
    const s: Statement = { id: `st-${String(list.length + 1).padStart(5, '0')}`, ...draft };
    list.push(s);
    try {
      this.writeState();
    } catch (err) {
      list.pop(); // not on disk: not recorded
      throw err;
    }
    return s;
  }
  async advanceStatement(id: string, to: 'approved' | 'paid' | 'cancelled', by: string, now: Date): Promise<StatementAdvance> {
    // One synchronous section: the state check, the overlap check and the change.
    const s = this.db.data.statements.find((x) => x.id === id);
    if (!s) return { kind: 'refused', code: 'NOT_FOUND', message: 'no such statement' };
    const from = to === 'paid' ? 'approved' : 'draft';
    if (s.status !== from) return { kind: 'refused', code: 'STATEMENT_STATE', message: `statement ${id} is ${s.status}; only a ${from} statement can become ${to}` };
    if (to === 'approved') {
      const clash = this.db.data.statements.find((x) => x.id !== id && x.orgId === s.orgId && (x.status === 'approved' || x.status === 'paid') && x.from <= s.to && s.from <= x.to);
      if (clash) return { kind: 'refused', code: 'STATEMENT_OVERLAP', message: `statement ${clash.id} (${clash.from} to ${clash.to}) is already ${clash.status} for these days` };
    }
    const at = now.toISOString();
    const before = { ...s };
    if (to === 'approved') Object.assign(s, { status: to, approvedAt: at, approvedBy: by });
    else if (to === 'paid') Object.assign(s, { status: to, paidAt: at, paidBy: by });
    else Object.assign(s, { status: to, cancelledAt: at, cancelledBy: by });
    try {
      this.writeState();
    } catch (err) {
      Object.assign(s, before); // not on disk: the statement keeps its state
      throw err;
    }
    return { kind: 'advanced', statement: { ...s } };
  }

  async close(): Promise<void> {
    await this.ledger?.close();
    this.auditFile?.close();
    this.unlock?.();
  }
}

function toPublic(r: Rec): Redemption {
  const { memberId: _m, quoteId: _q, qrNonce: _n, createdMs: _c, ...pub } = r;
  return pub;
}

/** Walks the ledger file; `brokenAt` names the redemption of the first entry that fails. */
export function verifyLedgerFile(file: string, expectedSeq: number, expectedHead: string): LedgerCheck {
  let prev = GENESIS_HASH;
  let checked = 0;
  let broken: LedgerCheck | undefined;
  const check = (line: string) => {
    if (broken || line === '') return;
    const u = unseal(line);
    if (!u.ok || u.entry.seq !== checked + 1 || u.entry.prevHash !== prev) {
      const rid = redemptionIdOf(line);
      broken = { ok: false, checked, ...(rid ? { brokenAt: rid } : {}), message: `entry ${checked + 1}: ${u.ok ? 'does not link to the entry before it' : u.why}` };
      return;
    }
    prev = u.entry.hash;
    checked++;
  };
  if (existsSync(file)) {
    const { tail } = forEachLine(file, check);
    if (tail.length) check(tail.toString('utf8'));
  }
  if (broken) return broken;
  if (checked !== expectedSeq || prev !== expectedHead) {
    return { ok: false, checked, message: `the file ends at entry ${checked}, but ${expectedSeq} were written: entries were removed from the end` };
  }
  return { ok: true, checked };
}
