/**
 * Administrative writes of the embedded store. Each is one synchronous check-and-change (no await
 * inside): check against the current state, seal the audit entry, swap in the changed arrays, record
 * the change and the entry once (one state.journal record of the changed rows carrying the sealed
 * entry, fdatasync'd: the write's only sync, then reindexed; state-journal.ts), then settle the entry
 * into audit.jsonl (audit-file.ts). If the record fails the arrays are swapped back and the entry
 * dropped, so memory never runs ahead of the disk and a refused change has no entry.
 */
import type { Card, Member, Merchant, Offer, Store as Shop, Terminal, UnionSettings, User } from '../../core/domain.ts';
import type {
  AdminStore,
  AuditBy,
  AuditEntry,
  AuditFilter,
  CardFilter,
  CardPage,
  ImportOptions,
  ImportOutcome,
  ImportSummary,
  MemberFilter,
  MemberImportRow,
  WriteResult,
} from './admin-store.ts';
import { CARD_TOTAL_CAP, cardCursor, parseCardCursor } from './admin-store.ts';
import { auditEntry, auditView } from './audit-entry.ts';
import type { AuditFile } from './audit-file.ts';
import type { State } from './state-file.ts';
import type { Change } from './state-journal.ts';

type Tables = Pick<State, 'members' | 'cards' | 'merchants' | 'stores' | 'terminals' | 'users' | 'offers' | 'unionSettings'>;

const refused = (code: 'NOT_FOUND' | 'CONFLICT', message: string) => ({ kind: 'refused' as const, code, message });

export class EmbeddedAdmin implements AdminStore {
  constructor(
    private readonly data: () => State,
    /**
     * Records the tables swapped for new arrays (the old ones given) with the sealed audit line, and
     * reindexes; throws when the disk does.
     */
    private readonly persist: (changes: readonly Change[], audit?: string) => void,
    private readonly reindex: () => void,
    private readonly audit: AuditFile,
  ) {}

  private commit<T>(changes: Partial<Tables>, entry: Omit<AuditEntry, 'seq'>, value: T): WriteResult<T> {
    const d = this.data();
    const old: Partial<Tables> = {};
    for (const k of Object.keys(changes) as (keyof Tables)[]) (old as Record<string, unknown>)[k] = d[k];
    const sealed = this.audit.prepare(entry); // throws before anything changed when the trail is broken
    Object.assign(d, changes);
    try {
      this.persist(
        Object.entries(old).map(([table, replaced]) => ({ table, replaced: replaced as unknown[] })),
        sealed.line,
      );
    } catch (err) {
      Object.assign(d, old);
      this.reindex();
      // Refused, so not in the trail either: the sealed entry is dropped, never written.
      throw Object.assign(new Error(`state write failed: ${(err as Error).message}`), { code: 'STORAGE_FAILED' });
    }
    this.audit.settle(sealed);
    return { kind: 'ok', value };
  }

  private memberOrg(memberId: string): string | undefined {
    return this.data().members.find((m) => m.id === memberId)?.orgId;
  }
  private merchantOfStore(storeId: string): string | undefined {
    return this.data().stores.find((s) => s.id === storeId)?.merchantId;
  }

  async members(f: MemberFilter) {
    const d = this.data();
    const q = f.q?.trim().toLowerCase();
    let byLast4: Set<string> | undefined;
    if (q && /^\d{4}$/.test(q)) byLast4 = new Set(d.cards.filter((c) => c.last4 === q).map((c) => c.memberId));
    const all = d.members.filter(
      (m) =>
        f.orgIds.has(m.orgId) &&
        (!f.orgId || m.orgId === f.orgId) &&
        (!f.status || m.status === f.status) &&
        (!q || m.memberNo.startsWith(q) || m.name.toLowerCase().includes(q) || !!byLast4?.has(m.id)),
    );
    all.sort((a, b) => (a.memberNo < b.memberNo ? -1 : a.memberNo > b.memberNo ? 1 : 0));
    const after = f.after;
    const from = after === undefined ? 0 : all.findIndex((m) => m.memberNo > after);
    const rest = from < 0 ? [] : all.slice(from + f.offset);
    const items = rest.slice(0, f.limit);
    return { items, total: all.length, ...(rest.length > f.limit ? { nextCursor: items[items.length - 1]!.memberNo } : {}) };
  }
  async cardsOf(memberId: string) {
    return this.data().cards.filter((c) => c.memberId === memberId);
  }
  async cards(f: CardFilter): Promise<CardPage> {
    const d = this.data();
    const inScope = new Map<string, Member>();
    for (const m of d.members) if (f.orgIds.has(m.orgId)) inScope.set(m.id, m);
    const all = d.cards
      .filter((c) => inScope.has(c.memberId) && (!f.status || c.status === f.status) && (!f.last4 || c.last4 === f.last4))
      .map((card) => ({ card, key: cardCursor(card) }));
    // The order PostgreSQL's index gives: updatedAt, then id, both descending (code-unit order, as COLLATE "C"); the
    // key `updatedAt|id` sorts that way as one string, the stores' times being toISOString's.
    all.sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
    const after = f.after === undefined ? undefined : parseCardCursor(f.after);
    const rest = after
      ? all.filter(({ card: c }) => c.updatedAt < after.updatedAt || (c.updatedAt === after.updatedAt && c.id < after.id))
      : all;
    const items = rest.slice(0, f.limit).map(({ card }) => ({ card, member: inScope.get(card.memberId)! }));
    return {
      items,
      ...(f.after === undefined
        ? { total: Math.min(all.length, CARD_TOTAL_CAP), ...(all.length > CARD_TOTAL_CAP ? { totalIsLowerBound: true } : {}) }
        : {}),
      ...(rest.length > f.limit ? { nextCursor: cardCursor(items[items.length - 1]!.card) } : {}),
    };
  }
  async users() {
    return this.data().users;
  }
  async offerVersions(id: string) {
    return this.data()
      .offers.filter((o) => o.id === id)
      .sort((a, b) => a.version - b.version);
  }

  async importMembers(rows: readonly MemberImportRow[], by: AuditBy, opts: ImportOptions): Promise<ImportOutcome> {
    const mayTouch = opts.mayTouch ?? (() => true);
    const d = this.data();
    const at = by.at.toISOString();
    const orgIds = new Set(d.orgs.map((o) => o.id));
    const members = d.members.slice();
    const cards = d.cards.slice();
    const memberIdx = new Map(members.map((m, i) => [m.memberNo, i]));
    const memberIds = new Set(members.map((m) => m.id));
    const cardIdx = new Map(cards.map((c, i) => [c.panHash, i]));
    const cardIds = new Set(cards.map((c) => c.id));
    const errors: { line: number; field: string; message: string }[] = [];
    const sum: ImportSummary = { membersCreated: 0, membersUpdated: 0, membersUnchanged: 0, cardsIssued: 0, cardsUpdated: 0 };
    const before: Member[] = [];
    const created: string[] = [];
    const touchedOrgs = new Set<string>();
    for (const row of rows) {
      if (!orgIds.has(row.orgId)) {
        errors.push({ line: row.line, field: 'union_id', message: `unknown union ${row.orgId} · 未知工会` });
        continue;
      }
      const i = memberIdx.get(row.memberNo);
      let memberId: string;
      if (i !== undefined) {
        const cur = members[i]!;
        if (!mayTouch(cur.orgId)) {
          errors.push({
            line: row.line,
            field: 'member_no',
            message: 'member number is registered to a union outside your scope · 会员号已属于其他工会',
          });
          continue;
        }
        memberId = cur.id;
        if (cur.name !== row.name || cur.orgId !== row.orgId || cur.status !== row.status) {
          before.push(cur);
          touchedOrgs.add(cur.orgId);
          members[i] = { ...cur, name: row.name, orgId: row.orgId, status: row.status };
          sum.membersUpdated++;
        } else sum.membersUnchanged++;
      } else {
        memberId = `mbr-${row.memberNo}`;
        for (let n = 2; memberIds.has(memberId); n++) memberId = `mbr-${row.memberNo}-${n}`;
        memberIds.add(memberId);
        memberIdx.set(row.memberNo, members.length);
        members.push({ id: memberId, memberNo: row.memberNo, name: row.name, orgId: row.orgId, status: row.status });
        created.push(row.memberNo);
        sum.membersCreated++;
      }
      touchedOrgs.add(row.orgId);
      if (row.card) {
        const j = cardIdx.get(row.card.panHash);
        if (j !== undefined) {
          const c = cards[j]!;
          if (c.memberId !== memberId) {
            errors.push({ line: row.line, field: 'card_pan', message: 'this card is registered to another member · 该卡已属于其他会员' });
            continue;
          }
          if (row.card.status && row.card.status !== c.status) {
            cards[j] = { ...c, status: row.card.status, updatedAt: at };
            sum.cardsUpdated++;
          }
        } else {
          let id = `card-${row.card.panHash.slice(0, 12)}`;
          for (let n = 2; cardIds.has(id); n++) id = `card-${row.card.panHash.slice(0, 12)}-${n}`;
          cardIds.add(id);
          cardIdx.set(row.card.panHash, cards.length);
          const offline = row.card.offlineHash ? { offlineHash: row.card.offlineHash } : {};
          cards.push({
            id,
            memberId,
            panHash: row.card.panHash,
            ...offline,
            last4: row.card.last4,
            status: row.card.status ?? 'issued',
            updatedAt: at,
          });
          sum.cardsIssued++;
        }
      }
    }
    if (errors.length > 0) return { kind: 'refused', errors };
    if (opts.dryRun) return { kind: 'imported', summary: sum };
    const entry = auditEntry(
      by,
      'members.import',
      'import',
      `import-${at}`,
      { updatedMembers: before },
      { summary: sum, createdMemberNos: created },
      { orgIds: [...touchedOrgs] },
      opts.note,
    );
    this.commit({ members, cards }, entry, null);
    return { kind: 'imported', summary: sum };
  }

  async setMemberStatus(memberId: string, status: Member['status'], by: AuditBy): Promise<WriteResult<Member>> {
    const d = this.data();
    const i = d.members.findIndex((m) => m.id === memberId);
    const cur = d.members[i];
    if (!cur) return refused('NOT_FOUND', 'no such member');
    if (cur.status === status) return { kind: 'ok', value: cur };
    const next = { ...cur, status };
    const members = d.members.slice();
    members[i] = next;
    return this.commit(
      { members },
      auditEntry(by, status === 'suspended' ? 'member.suspend' : 'member.reinstate', 'member', cur.id, cur, next, { orgIds: [cur.orgId] }),
      next,
    );
  }

  async issueCard(card: Omit<Card, 'updatedAt'>, by: AuditBy): Promise<WriteResult<Card>> {
    const d = this.data();
    const orgId = this.memberOrg(card.memberId);
    if (!orgId) return refused('NOT_FOUND', 'no such member');
    if (d.cards.some((c) => c.panHash === card.panHash))
      return refused('CONFLICT', 'this card number is already registered · 该卡号已登记');
    if (d.cards.some((c) => c.id === card.id)) return refused('CONFLICT', `card ${card.id} exists`);
    const next: Card = { ...card, updatedAt: by.at.toISOString() };
    return this.commit({ cards: [...d.cards, next] }, auditEntry(by, 'card.issue', 'card', next.id, null, next, { orgIds: [orgId] }), next);
  }

  async setCardStatus(cardId: string, status: Card['status'], by: AuditBy, allowed: (from: Card['status'], to: Card['status']) => boolean) {
    const d = this.data();
    const i = d.cards.findIndex((c) => c.id === cardId);
    const cur = d.cards[i];
    if (!cur) return refused('NOT_FOUND', 'no such card');
    if (!allowed(cur.status, status)) return refused('CONFLICT', `a card that is ${cur.status} cannot become ${status}`);
    const next: Card = { ...cur, status, updatedAt: by.at.toISOString() };
    const cards = d.cards.slice();
    cards[i] = next;
    const action = status === 'lost' ? 'card.report_lost' : status === 'activated' ? 'card.activate' : `card.${status}`;
    return this.commit({ cards }, auditEntry(by, action, 'card', cur.id, cur, next, { orgIds: [this.memberOrg(cur.memberId)] }), {
      before: cur,
      after: next,
    });
  }

  async replaceCard(oldCardId: string, next: Omit<Card, 'updatedAt' | 'memberId'>, by: AuditBy) {
    const d = this.data();
    const i = d.cards.findIndex((c) => c.id === oldCardId);
    const old = d.cards[i];
    if (!old) return refused('NOT_FOUND', 'no such card');
    if (old.status === 'replaced') return refused('CONFLICT', 'this card was already replaced · 该卡已补换');
    if (d.cards.some((c) => c.panHash === next.panHash))
      return refused('CONFLICT', 'the new card number is already registered · 新卡号已登记');
    const at = by.at.toISOString();
    const oldAfter: Card = { ...old, status: 'replaced', updatedAt: at };
    const card: Card = { ...next, memberId: old.memberId, updatedAt: at };
    const cards = d.cards.slice();
    cards[i] = oldAfter;
    cards.push(card);
    const entry = auditEntry(
      by,
      'card.replace',
      'card',
      old.id,
      old,
      { old: auditView('card', oldAfter), new: auditView('card', card) },
      { orgIds: [this.memberOrg(old.memberId)] },
    );
    return this.commit({ cards }, entry, { old: oldAfter, card });
  }

  async saveMerchant(m: Merchant, by: AuditBy, mode: 'create' | 'update') {
    const d = this.data();
    const i = d.merchants.findIndex((x) => x.id === m.id);
    if (mode === 'create' && i >= 0) return refused('CONFLICT', `merchant ${m.id} exists`);
    if (mode === 'update' && i < 0) return refused('NOT_FOUND', 'no such merchant');
    const merchants = d.merchants.slice();
    const before = merchants[i];
    if (i >= 0) merchants[i] = m;
    else merchants.push(m);
    return this.commit(
      { merchants },
      auditEntry(by, `merchant.${mode}`, 'merchant', m.id, before ?? null, m, { merchantIds: [m.id], orgIds: [m.orgId, before?.orgId] }),
      m,
    );
  }

  async saveShop(s: Shop, by: AuditBy, mode: 'create' | 'update') {
    const d = this.data();
    if (!d.merchants.some((m) => m.id === s.merchantId)) return refused('NOT_FOUND', 'no such merchant');
    const i = d.stores.findIndex((x) => x.id === s.id);
    if (mode === 'create' && i >= 0) return refused('CONFLICT', `store ${s.id} exists`);
    if (mode === 'update' && i < 0) return refused('NOT_FOUND', 'no such store');
    const before = d.stores[i];
    if (before && before.merchantId !== s.merchantId) return refused('CONFLICT', 'a store cannot move to another merchant');
    const stores = d.stores.slice();
    if (i >= 0) stores[i] = s;
    else stores.push(s);
    return this.commit({ stores }, auditEntry(by, `store.${mode}`, 'store', s.id, before ?? null, s, { merchantIds: [s.merchantId] }), s);
  }

  async saveTerminal(t: Terminal, by: AuditBy, mode: 'create' | 'repair') {
    const d = this.data();
    const merchantId = this.merchantOfStore(t.storeId);
    if (!merchantId) return refused('NOT_FOUND', 'no such store');
    const i = d.terminals.findIndex((x) => x.id === t.id);
    if (mode === 'create' && i >= 0) return refused('CONFLICT', `terminal ${t.id} exists`);
    if (mode === 'repair' && i < 0) return refused('NOT_FOUND', 'no such terminal');
    const before = d.terminals[i];
    const terminals = d.terminals.slice();
    if (i >= 0) terminals[i] = t;
    else terminals.push(t);
    return this.commit(
      { terminals },
      auditEntry(by, `terminal.${mode}`, 'terminal', t.id, before ?? null, t, { merchantIds: [merchantId] }),
      t,
    );
  }

  async saveUser(u: User, by: AuditBy, mode: 'create' | 'update') {
    const d = this.data();
    const i = d.users.findIndex((x) => x.id === u.id);
    if (mode === 'create' && i >= 0) return refused('CONFLICT', `user ${u.id} exists`);
    if (mode === 'update' && i < 0) return refused('NOT_FOUND', 'no such user');
    if (d.users.some((x) => x.username === u.username && x.id !== u.id))
      return refused('CONFLICT', `the username ${u.username} is taken · 用户名已被使用`);
    const before = d.users[i];
    const users = d.users.slice();
    if (i >= 0) users[i] = u;
    else users.push(u);
    const pwChanged = before && before.passwordHash !== u.passwordHash;
    return this.commit(
      { users },
      auditEntry(
        by,
        `user.${mode}`,
        'user',
        u.id,
        before ?? null,
        u,
        { orgIds: [u.orgId, before?.orgId], merchantIds: [u.merchantId, before?.merchantId] },
        pwChanged ? 'password changed · 已重设密码' : undefined,
      ),
      u,
    );
  }

  async saveOffer(o: Offer, by: AuditBy) {
    const d = this.data();
    const versions = d.offers.filter((x) => x.id === o.id);
    const cur = versions.reduce<Offer | undefined>((a, x) => (!a || x.version > a.version ? x : a), undefined);
    const expected = (cur?.version ?? 0) + 1;
    if (o.version !== expected) return refused('CONFLICT', `offer ${o.id}: next version is ${expected}`);
    return this.commit(
      { offers: [...d.offers, o] },
      auditEntry(
        by,
        cur ? 'offer.new_version' : 'offer.create',
        'offer',
        o.id,
        cur ?? null,
        o,
        { orgIds: [o.orgId, cur?.orgId], merchantIds: [o.merchantId] },
        `v${o.version}`,
      ),
      o,
    );
  }

  async unionSettings(orgId: string) {
    return this.data().unionSettings.find((x) => x.orgId === orgId);
  }

  async saveUnionSettings(u: UnionSettings, by: AuditBy) {
    const d = this.data();
    if (!d.orgs.some((o) => o.id === u.orgId)) return refused('NOT_FOUND', 'no such union');
    const unionSettings = d.unionSettings.slice();
    const i = unionSettings.findIndex((x) => x.orgId === u.orgId);
    const before = unionSettings[i];
    if (i >= 0) unionSettings[i] = u;
    else unionSettings.push(u);
    return this.commit(
      { unionSettings },
      auditEntry(by, 'union_settings.update', 'union_settings', u.orgId, before ?? null, u, { orgIds: [u.orgId] }),
      u,
    );
  }

  async auditTrail(f: AuditFilter) {
    const items: AuditEntry[] = [];
    const all = this.audit.entries;
    for (let i = all.length - 1; i >= 0; i--) {
      const e = all[i]!;
      if (f.beforeSeq !== undefined && e.seq >= f.beforeSeq) continue;
      if (f.orgIds || f.merchantIds) {
        const visible = e.orgIds.some((o) => f.orgIds?.has(o)) || e.merchantIds.some((m) => f.merchantIds?.has(m));
        if (!visible) continue;
      }
      if (f.entity && e.entity !== f.entity) continue;
      if (f.id && e.id !== f.id) continue;
      if (f.username && e.by.username !== f.username) continue;
      if (items.length === f.limit) return { items, nextBeforeSeq: items[items.length - 1]!.seq };
      items.push(e);
    }
    return { items };
  }

  async verifyAuditTrail() {
    return this.audit.verify();
  }
}
