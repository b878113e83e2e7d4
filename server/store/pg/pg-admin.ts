/**
 * Administrative writes on PostgreSQL. Each is one transaction: lock the audit head (admin writes queue,
 * they are rare), check against the current rows, change them, append the audit entry; commit together.
 * Mirrors embedded-admin.ts rule for rule; the audit views (no hashes of secrets) are the same function.
 */
import type pg from 'pg';
import type { Card, Member, Merchant, Offer, Store as Shop, Terminal, UnionSettings, User } from '../../../core/domain.ts';
import type {
  AdminStore,
  AuditBy,
  AuditEntry,
  AuditFilter,
  CardFilter,
  ImportOptions,
  ImportOutcome,
  ImportSummary,
  MemberFilter,
  MemberPage,
  MemberImportRow,
  WriteResult,
} from '../admin-store.ts';
import { auditEntry, auditView } from '../audit-entry.ts';
import { all, inTransaction, one } from './pool.ts';
import { saveOfferIn } from './pg-store.ts';
import { appendAudit, entryOf, lockAudit, verifyAudit } from './sql/audit-append.ts';
import { listCards } from './sql/list-cards.ts';
import { auditListQuery } from './sql/list-audit.ts';
import { CARDS, MEMBERS, MERCHANTS, putDoc, SHOPS, TERMINALS, USERS } from './sql/put-doc.ts';
import { insertCards, insertMembers } from './sql/seed.ts';
import { whereBuilder } from './sql/where.ts';

type Doc<T> = { doc: T };
const refused = (code: 'NOT_FOUND' | 'CONFLICT', message: string) => ({ kind: 'refused' as const, code, message });
/** Member lists count at most this many matches (then say "10,000 or more"). */
const TOTAL_CAP = 10_000;

/**
 * The admin member list as SQL: a keyset page in member-number order (`member_no > cursor`, LIMIT n + 1 to
 * know whether more follow), on members_member_no_key, members_org_no or members_status_no / members_org_status_no
 * (migration 005): tests/integration/pg-paging-plans.test.ts checks the plans. `count` counts up to TOTAL_CAP + 1.
 */
export function memberListQuery(f: MemberFilter) {
  const { where, values, add } = whereBuilder(['m.org_id = ANY($1::text[])'], [[...f.orgIds]]);
  if (f.orgId) add('m.org_id = ?', f.orgId);
  if (f.status) add('m.status = ?', f.status);
  const q = f.q?.trim().toLowerCase();
  if (q) {
    const last4 = /^\d{4}$/.test(q);
    add(
      `(m.member_no LIKE ? || '%' OR lower(m.name) LIKE '%' || ? || '%'${last4 ? ' OR EXISTS (SELECT 1 FROM cards c WHERE c.member_id = m.id AND c.last4 = ?)' : ''})`,
      q.replace(/[\\%_]/g, (ch) => `\\${ch}`),
    );
  }
  const countValues = [...values];
  const count = `SELECT count(*) AS n FROM (SELECT 1 FROM members m WHERE ${where.join(' AND ')} LIMIT ${TOTAL_CAP + 1}) t`;
  if (f.after !== undefined) add('m.member_no > ?', f.after);
  values.push(f.limit + 1, f.offset);
  const text = `SELECT m.doc FROM members m WHERE ${where.join(' AND ')} ORDER BY m.member_no LIMIT $${values.length - 1} OFFSET $${values.length}`;
  return { text, values, count, countValues };
}

const CHUNK = 10_000;
const chunks = <T>(xs: T[]) => Array.from({ length: Math.ceil(xs.length / CHUNK) }, (_, i) => xs.slice(i * CHUNK, (i + 1) * CHUNK));

export class PgAdmin implements AdminStore {
  constructor(
    private readonly pool: pg.Pool,
    /** Turns a database outage into STORAGE_FAILED (the store's own bookkeeping). */
    private readonly track: (err: unknown) => unknown,
  ) {}

  /** One audited write: `fn` checks and changes inside the transaction and returns the entry to append (or a refusal). */
  private async audited<T>(
    fn: (
      c: pg.PoolClient,
    ) => Promise<{ entry: Omit<AuditEntry, 'seq'>; value: T } | { kind: 'refused'; code: 'NOT_FOUND' | 'CONFLICT'; message: string }>,
  ): Promise<WriteResult<T>> {
    try {
      return await inTransaction(
        this.pool,
        async (c): Promise<WriteResult<T>> => {
          const head = await lockAudit(c);
          const r = await fn(c);
          if ('kind' in r) return r;
          await appendAudit(c, head, r.entry);
          return { kind: 'ok', value: r.value };
        },
        { keep: (r) => r.kind === 'ok' },
      );
    } catch (err) {
      throw this.track(err);
    }
  }

  async members(f: MemberFilter): Promise<MemberPage> {
    const q = memberListQuery(f);
    // Counting every match of a 3.6-million-member scope would cost a full scan a page: it stops at TOTAL_CAP.
    const n = Number((await one<{ n: string }>(this.pool, q.count, q.countValues))!.n);
    const rows = await all<Doc<Member>>(this.pool, q.text, q.values);
    const items = rows.slice(0, f.limit).map((r) => r.doc);
    return {
      items,
      total: Math.min(n, TOTAL_CAP),
      ...(n > TOTAL_CAP ? { totalIsLowerBound: true } : {}),
      ...(rows.length > f.limit ? { nextCursor: items[items.length - 1]!.memberNo } : {}),
    };
  }
  async cardsOf(memberId: string) {
    return (await all<Doc<Card>>(this.pool, 'SELECT doc FROM cards WHERE member_id = $1 ORDER BY id', [memberId])).map((r) => r.doc);
  }
  cards(f: CardFilter) {
    return listCards(this.pool, f);
  }
  async users() {
    return (await all<Doc<User>>(this.pool, 'SELECT doc FROM users ORDER BY id')).map((r) => r.doc);
  }
  async offerVersions(id: string) {
    return (await all<Doc<Offer>>(this.pool, 'SELECT doc FROM offers WHERE id = $1 ORDER BY version', [id])).map((r) => r.doc);
  }

  async importMembers(rows: readonly MemberImportRow[], by: AuditBy, opts: ImportOptions): Promise<ImportOutcome> {
    const mayTouch = opts.mayTouch ?? (() => true);
    const at = by.at.toISOString();
    let outcome: ImportOutcome | undefined;
    const r = await this.audited<null>(async (c) => {
      const orgIds = new Set((await c.query<{ id: string }>('SELECT id FROM orgs')).rows.map((x) => x.id));
      const existing = new Map<string, Member>();
      for (const part of chunks(rows.map((x) => x.memberNo))) {
        for (const m of (await c.query<Doc<Member>>('SELECT doc FROM members WHERE member_no = ANY($1::text[])', [part])).rows)
          existing.set(m.doc.memberNo, m.doc);
      }
      const cardsByHash = new Map<string, Card>();
      const pans = rows.flatMap((x) => (x.card ? [x.card.panHash] : []));
      for (const part of chunks(pans)) {
        for (const k of (await c.query<Doc<Card>>('SELECT doc FROM cards WHERE pan_hash = ANY($1::text[])', [part])).rows)
          cardsByHash.set(k.doc.panHash, k.doc);
      }
      const takenIds = async (table: string, ids: string[]) => {
        const s = new Set<string>();
        for (const part of chunks(ids))
          for (const x of (await c.query<{ id: string }>(`SELECT id FROM ${table} WHERE id = ANY($1::text[])`, [part])).rows) s.add(x.id);
        return s;
      };
      const memberIdsTaken = await takenIds(
        'members',
        rows.map((x) => `mbr-${x.memberNo}`),
      );
      const cardIdsTaken = await takenIds(
        'cards',
        pans.map((p) => `card-${p.slice(0, 12)}`),
      );
      const errors: { line: number; field: string; message: string }[] = [];
      const sum: ImportSummary = { membersCreated: 0, membersUpdated: 0, membersUnchanged: 0, cardsIssued: 0, cardsUpdated: 0 };
      const before: Member[] = [];
      const created: string[] = [];
      const touchedOrgs = new Set<string>();
      const newMembers: Member[] = [];
      const changedMembers = new Map<string, Member>();
      const newCards: Card[] = [];
      const changedCards = new Map<string, Card>();
      for (const row of rows) {
        if (!orgIds.has(row.orgId)) {
          errors.push({ line: row.line, field: 'union_id', message: `unknown union ${row.orgId} · 未知工会` });
          continue;
        }
        const cur = changedMembers.get(row.memberNo) ?? existing.get(row.memberNo);
        let memberId: string;
        if (cur) {
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
            const next = { ...cur, name: row.name, orgId: row.orgId, status: row.status };
            if (existing.has(row.memberNo)) changedMembers.set(row.memberNo, next);
            else newMembers[newMembers.indexOf(cur)] = next;
            existing.set(row.memberNo, next);
            sum.membersUpdated++;
          } else sum.membersUnchanged++;
        } else {
          memberId = `mbr-${row.memberNo}`;
          for (let n = 2; memberIdsTaken.has(memberId); n++) memberId = `mbr-${row.memberNo}-${n}`;
          memberIdsTaken.add(memberId);
          const m: Member = { id: memberId, memberNo: row.memberNo, name: row.name, orgId: row.orgId, status: row.status };
          newMembers.push(m);
          existing.set(row.memberNo, m);
          created.push(row.memberNo);
          sum.membersCreated++;
        }
        touchedOrgs.add(row.orgId);
        if (row.card) {
          const k = cardsByHash.get(row.card.panHash);
          if (k) {
            if (k.memberId !== memberId) {
              errors.push({ line: row.line, field: 'card_pan', message: 'this card is registered to another member · 该卡已属于其他会员' });
              continue;
            }
            if (row.card.status && row.card.status !== k.status) {
              const next = { ...k, status: row.card.status, updatedAt: at };
              cardsByHash.set(k.panHash, next);
              const j = newCards.indexOf(k);
              if (j >= 0) newCards[j] = next;
              else changedCards.set(k.id, next);
              sum.cardsUpdated++;
            }
          } else {
            let id = `card-${row.card.panHash.slice(0, 12)}`;
            for (let n = 2; cardIdsTaken.has(id); n++) id = `card-${row.card.panHash.slice(0, 12)}-${n}`;
            cardIdsTaken.add(id);
            const offline = row.card.offlineHash ? { offlineHash: row.card.offlineHash } : {};
            const card: Card = {
              id,
              memberId,
              panHash: row.card.panHash,
              ...offline,
              last4: row.card.last4,
              status: row.card.status ?? 'issued',
              updatedAt: at,
            };
            newCards.push(card);
            cardsByHash.set(card.panHash, card);
            sum.cardsIssued++;
          }
        }
      }
      if (errors.length > 0) {
        outcome = { kind: 'refused', errors };
        return refused('CONFLICT', 'rows refused');
      }
      outcome = { kind: 'imported', summary: sum };
      if (opts.dryRun) return refused('CONFLICT', 'dry run');
      for (const part of chunks(newMembers)) await insertMembers(c, part);
      for (const m of changedMembers.values()) await putDoc(c, MEMBERS, m);
      for (const part of chunks(newCards)) await insertCards(c, part);
      for (const k of changedCards.values()) await putDoc(c, CARDS, k);
      return {
        entry: auditEntry(
          by,
          'members.import',
          'import',
          `import-${at}`,
          { updatedMembers: before },
          { summary: sum, createdMemberNos: created },
          { orgIds: [...touchedOrgs] },
          opts.note,
        ),
        value: null,
      };
    });
    if (r.kind === 'ok' || outcome) return outcome!;
    throw new Error(r.message);
  }

  async setMemberStatus(memberId: string, status: Member['status'], by: AuditBy): Promise<WriteResult<Member>> {
    let unchanged: Member | undefined;
    const r = await this.audited<Member>(async (c) => {
      const cur = (await c.query<Doc<Member>>('SELECT doc FROM members WHERE id = $1 FOR UPDATE', [memberId])).rows[0]?.doc;
      if (!cur) return refused('NOT_FOUND', 'no such member');
      if (cur.status === status) {
        unchanged = cur;
        return refused('CONFLICT', 'unchanged');
      }
      const next = { ...cur, status };
      await putDoc(c, MEMBERS, next);
      return {
        entry: auditEntry(by, status === 'suspended' ? 'member.suspend' : 'member.reinstate', 'member', cur.id, cur, next, {
          orgIds: [cur.orgId],
        }),
        value: next,
      };
    });
    return unchanged ? { kind: 'ok', value: unchanged } : r;
  }

  async issueCard(card: Omit<Card, 'updatedAt'>, by: AuditBy): Promise<WriteResult<Card>> {
    return this.audited(async (c) => {
      const orgId = (await c.query<{ org_id: string }>('SELECT org_id FROM members WHERE id = $1', [card.memberId])).rows[0]?.org_id;
      if (!orgId) return refused('NOT_FOUND', 'no such member');
      if ((await c.query('SELECT 1 FROM cards WHERE pan_hash = $1', [card.panHash])).rowCount)
        return refused('CONFLICT', 'this card number is already registered · 该卡号已登记');
      if ((await c.query('SELECT 1 FROM cards WHERE id = $1', [card.id])).rowCount) return refused('CONFLICT', `card ${card.id} exists`);
      const next: Card = { ...card, updatedAt: by.at.toISOString() };
      await putDoc(c, CARDS, next);
      return { entry: auditEntry(by, 'card.issue', 'card', next.id, null, next, { orgIds: [orgId] }), value: next };
    });
  }

  async setCardStatus(cardId: string, status: Card['status'], by: AuditBy, allowed: (from: Card['status'], to: Card['status']) => boolean) {
    return this.audited<{ before: Card; after: Card }>(async (c) => {
      const cur = (await c.query<Doc<Card>>('SELECT doc FROM cards WHERE id = $1 FOR UPDATE', [cardId])).rows[0]?.doc;
      if (!cur) return refused('NOT_FOUND', 'no such card');
      if (!allowed(cur.status, status)) return refused('CONFLICT', `a card that is ${cur.status} cannot become ${status}`);
      const next: Card = { ...cur, status, updatedAt: by.at.toISOString() };
      await putDoc(c, CARDS, next);
      const orgId = (await c.query<{ org_id: string }>('SELECT org_id FROM members WHERE id = $1', [cur.memberId])).rows[0]?.org_id;
      const action = status === 'lost' ? 'card.report_lost' : status === 'activated' ? 'card.activate' : `card.${status}`;
      return { entry: auditEntry(by, action, 'card', cur.id, cur, next, { orgIds: [orgId] }), value: { before: cur, after: next } };
    });
  }

  async replaceCard(oldCardId: string, next: Omit<Card, 'updatedAt' | 'memberId'>, by: AuditBy) {
    return this.audited<{ old: Card; card: Card }>(async (c) => {
      const old = (await c.query<Doc<Card>>('SELECT doc FROM cards WHERE id = $1 FOR UPDATE', [oldCardId])).rows[0]?.doc;
      if (!old) return refused('NOT_FOUND', 'no such card');
      if (old.status === 'replaced') return refused('CONFLICT', 'this card was already replaced · 该卡已补换');
      if ((await c.query('SELECT 1 FROM cards WHERE pan_hash = $1', [next.panHash])).rowCount)
        return refused('CONFLICT', 'the new card number is already registered · 新卡号已登记');
      const at = by.at.toISOString();
      const oldAfter: Card = { ...old, status: 'replaced', updatedAt: at };
      const card: Card = { ...next, memberId: old.memberId, updatedAt: at };
      await putDoc(c, CARDS, oldAfter);
      await putDoc(c, CARDS, card);
      const orgId = (await c.query<{ org_id: string }>('SELECT org_id FROM members WHERE id = $1', [old.memberId])).rows[0]?.org_id;
      return {
        entry: auditEntry(
          by,
          'card.replace',
          'card',
          old.id,
          old,
          { old: auditView('card', oldAfter), new: auditView('card', card) },
          { orgIds: [orgId] },
        ),
        value: { old: oldAfter, card },
      };
    });
  }

  async saveMerchant(m: Merchant, by: AuditBy, mode: 'create' | 'update') {
    return this.audited<Merchant>(async (c) => {
      const before = (await c.query<Doc<Merchant>>('SELECT doc FROM merchants WHERE id = $1 FOR UPDATE', [m.id])).rows[0]?.doc;
      if (mode === 'create' && before) return refused('CONFLICT', `merchant ${m.id} exists`);
      if (mode === 'update' && !before) return refused('NOT_FOUND', 'no such merchant');
      await putDoc(c, MERCHANTS, m);
      return {
        entry: auditEntry(by, `merchant.${mode}`, 'merchant', m.id, before ?? null, m, {
          merchantIds: [m.id],
          orgIds: [m.orgId, before?.orgId],
        }),
        value: m,
      };
    });
  }

  async unionSettings(orgId: string) {
    return (await one<Doc<UnionSettings>>(this.pool, 'SELECT doc FROM union_settings WHERE org_id = $1', [orgId]))?.doc;
  }

  async saveUnionSettings(u: UnionSettings, by: AuditBy) {
    return this.audited<UnionSettings>(async (c) => {
      if (!(await c.query('SELECT 1 FROM orgs WHERE id = $1', [u.orgId])).rowCount) return refused('NOT_FOUND', 'no such union');
      const before = (await c.query<Doc<UnionSettings>>('SELECT doc FROM union_settings WHERE org_id = $1 FOR UPDATE', [u.orgId])).rows[0]
        ?.doc;
      await c.query('INSERT INTO union_settings (org_id, doc) VALUES ($1, $2) ON CONFLICT (org_id) DO UPDATE SET doc = EXCLUDED.doc', [
        u.orgId,
        JSON.stringify(u),
      ]);
      return {
        entry: auditEntry(by, 'union_settings.update', 'union_settings', u.orgId, before ?? null, u, { orgIds: [u.orgId] }),
        value: u,
      };
    });
  }

  async saveShop(s: Shop, by: AuditBy, mode: 'create' | 'update') {
    return this.audited<Shop>(async (c) => {
      if (!(await c.query('SELECT 1 FROM merchants WHERE id = $1', [s.merchantId])).rowCount)
        return refused('NOT_FOUND', 'no such merchant');
      const before = (await c.query<Doc<Shop>>('SELECT doc FROM stores WHERE id = $1 FOR UPDATE', [s.id])).rows[0]?.doc;
      if (mode === 'create' && before) return refused('CONFLICT', `store ${s.id} exists`);
      if (mode === 'update' && !before) return refused('NOT_FOUND', 'no such store');
      if (before && before.merchantId !== s.merchantId) return refused('CONFLICT', 'a store cannot move to another merchant');
      await putDoc(c, SHOPS, s);
      return { entry: auditEntry(by, `store.${mode}`, 'store', s.id, before ?? null, s, { merchantIds: [s.merchantId] }), value: s };
    });
  }

  async saveTerminal(t: Terminal, by: AuditBy, mode: 'create' | 'repair') {
    return this.audited<Terminal>(async (c) => {
      const merchantId = (await c.query<{ merchant_id: string }>('SELECT merchant_id FROM stores WHERE id = $1', [t.storeId])).rows[0]
        ?.merchant_id;
      if (!merchantId) return refused('NOT_FOUND', 'no such store');
      const before = (await c.query<Doc<Terminal>>('SELECT doc FROM terminals WHERE id = $1 FOR UPDATE', [t.id])).rows[0]?.doc;
      if (mode === 'create' && before) return refused('CONFLICT', `terminal ${t.id} exists`);
      if (mode === 'repair' && !before) return refused('NOT_FOUND', 'no such terminal');
      await putDoc(c, TERMINALS, t);
      return { entry: auditEntry(by, `terminal.${mode}`, 'terminal', t.id, before ?? null, t, { merchantIds: [merchantId] }), value: t };
    });
  }

  async saveUser(u: User, by: AuditBy, mode: 'create' | 'update') {
    return this.audited<User>(async (c) => {
      const before = (await c.query<Doc<User>>('SELECT doc FROM users WHERE id = $1 FOR UPDATE', [u.id])).rows[0]?.doc;
      if (mode === 'create' && before) return refused('CONFLICT', `user ${u.id} exists`);
      if (mode === 'update' && !before) return refused('NOT_FOUND', 'no such user');
      if ((await c.query('SELECT 1 FROM users WHERE username = $1 AND id <> $2', [u.username, u.id])).rowCount)
        return refused('CONFLICT', `the username ${u.username} is taken · 用户名已被使用`);
      await putDoc(c, USERS, u);
      const pwChanged = before && before.passwordHash !== u.passwordHash;
      return {
        entry: auditEntry(
          by,
          `user.${mode}`,
          'user',
          u.id,
          before ?? null,
          u,
          { orgIds: [u.orgId, before?.orgId], merchantIds: [u.merchantId, before?.merchantId] },
          pwChanged ? 'password changed · 已重设密码' : undefined,
        ),
        value: u,
      };
    });
  }

  async saveOffer(o: Offer, by: AuditBy) {
    return this.audited<Offer>(async (c) => {
      let cur: Offer | undefined;
      try {
        await c.query('SAVEPOINT save_offer');
        cur = await saveOfferIn(c, o);
      } catch (err) {
        if ((err as { code?: string }).code !== 'CONFLICT') throw err;
        return refused('CONFLICT', (err as Error).message);
      }
      return {
        entry: auditEntry(
          by,
          cur ? 'offer.new_version' : 'offer.create',
          'offer',
          o.id,
          cur ?? null,
          o,
          { orgIds: [o.orgId, cur?.orgId], merchantIds: [o.merchantId] },
          `v${o.version}`,
        ),
        value: o,
      };
    });
  }

  async auditTrail(f: AuditFilter) {
    const q = auditListQuery(f);
    const rows = await all<{ line: string }>(this.pool, q.text, q.values);
    const items = rows.slice(0, f.limit).map((r) => entryOf(r.line));
    return rows.length > f.limit ? { items, nextBeforeSeq: items[items.length - 1]!.seq } : { items };
  }

  verifyAuditTrail() {
    return verifyAudit(this.pool);
  }
}
