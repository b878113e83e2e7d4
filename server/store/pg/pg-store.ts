/**
 * The PostgreSQL store: everything in one database that several Huika instances share. Reads are single
 * indexed queries; every check-and-change is one transaction (sql/*.ts, one file per operation) with a
 * conditional update or a row lock, retried on serialization failures (pool.ts).
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Card, Member, Merchant, Offer, Org, Store as Shop, Terminal, User } from '../../../core/domain.ts';
import type { Redemption } from '../../../core/wire.ts';
import type { Statement } from '../../../core/wire-portal.ts';
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
} from '../store.ts';
import { migrate } from './migrate.ts';
import { PgAdmin } from './pg-admin.ts';
import { all, createPool, inTransaction, isUnavailable, one, type PgOptions } from './pool.ts';
import { commitRedemption } from './sql/commit-redemption.ts';
import { listRedemptions } from './sql/list-redemptions.ts';
import { publicOf, type RedemptionRow } from './sql/redemption-row.ts';
import { putOffer, seed } from './sql/seed.ts';
import { advanceStatement, createStatement, statements } from './sql/statements.ts';
import { usageOf } from './sql/usage.ts';
import type { UsageCount } from '../../../core/rules/usage-count.ts';
import { PgMemberSide } from './pg-member.ts';
import { verifyLedger } from './sql/verify-ledger.ts';
import { GENESIS_HASH, unseal } from '../hash-chain.ts';
import { voidRedemption } from './sql/void-redemption.ts';

type Doc<T> = { doc: T };
const docs = <T>(rows: Doc<T>[]) => rows.map((r) => r.doc);

export class PgStore implements HuikaStore {
  readonly kind = 'postgres';
  readonly admin: PgAdmin;
  readonly memberSide: PgMemberSide;
  /** Offer versions never change once written, so each instance may keep them. */
  private readonly versions = new Map<string, Offer>();
  private lastWriteError: Error | undefined;

  private constructor(readonly pool: pg.Pool) {
    this.admin = new PgAdmin(pool, (err) => this.track(err));
    this.memberSide = new PgMemberSide(pool, (err) => this.track(err));
  }

  /** Connects, applies pending migrations (under an advisory lock), and answers once the schema is current. */
  static async open(opts: PgOptions): Promise<PgStore> {
    const pool = createPool(opts);
    try {
      await migrate(pool);
    } catch (err) {
      await pool.end();
      throw err;
    }
    return new PgStore(pool);
  }

  /** Runs a write; a database that refuses writes (down, read-only, out of connections) is STORAGE_FAILED (503), never a 500. */
  private async write<T>(fn: () => Promise<T>): Promise<T> {
    try {
      const out = await fn();
      this.lastWriteError = undefined;
      return out;
    } catch (err) {
      throw this.track(err);
    }
  }
  private track(err: unknown): unknown {
    if (!isUnavailable(err)) return err;
    const e = Object.assign(new Error(`database refused the write: ${(err as Error).message}`), { code: 'STORAGE_FAILED' });
    this.lastWriteError = e;
    return e;
  }

  seed(data: ReferenceData) {
    return this.write(() => seed(this.pool, data));
  }
  async isEmpty() {
    const r = await one<{ n: number }>(this.pool, 'SELECT (SELECT count(*) FROM orgs) + (SELECT count(*) FROM redemptions) AS n');
    return r!.n === 0;
  }

  async orgs() {
    return docs(await all<Doc<Org>>(this.pool, 'SELECT doc FROM orgs ORDER BY id'));
  }
  async memberByNo(memberNo: string) {
    return (await one<Doc<Member>>(this.pool, 'SELECT doc FROM members WHERE member_no = $1', [memberNo]))?.doc;
  }
  async member(id: string) {
    return (await one<Doc<Member>>(this.pool, 'SELECT doc FROM members WHERE id = $1', [id]))?.doc;
  }
  async cardByPanHash(h: string) {
    return (await one<Doc<Card>>(this.pool, 'SELECT doc FROM cards WHERE pan_hash = $1', [h]))?.doc;
  }
  async membersOfOrgs(orgIds: ReadonlySet<string>) {
    const ids = [...orgIds];
    const members = docs(
      await all<Doc<Member>>(this.pool, 'SELECT doc FROM members WHERE org_id = ANY($1::text[]) ORDER BY member_no', [ids]),
    );
    const cards = docs(
      await all<Doc<Card>>(
        this.pool,
        'SELECT c.doc FROM cards c JOIN members m ON m.id = c.member_id WHERE m.org_id = ANY($1::text[]) ORDER BY c.id',
        [ids],
      ),
    );
    return { members, cards };
  }
  async offlineRoster(orgIds: ReadonlySet<string>): Promise<OfflineRoster> {
    const ids = [...orgIds];
    const members = (
      await all<{ id: string; member_no: string; org_id: string; status: Member['status'] }>(
        this.pool,
        'SELECT id, member_no, org_id, status FROM members WHERE org_id = ANY($1::text[]) ORDER BY member_no',
        [ids],
      )
    ).map((r) => ({ id: r.id, memberNo: r.member_no, orgId: r.org_id, status: r.status }));
    const cards = (
      await all<{ id: string; member_id: string; h: string; status: Card['status']; last4: string }>(
        this.pool,
        `SELECT c.id, c.member_id, c.doc->>'offlineHash' AS h, c.doc->>'status' AS status, c.last4
           FROM cards c JOIN members m ON m.id = c.member_id
          WHERE m.org_id = ANY($1::text[]) AND c.doc ? 'offlineHash'`,
        [ids],
      )
    ).map((r) => ({ id: r.id, memberId: r.member_id, offlineHash: r.h, status: r.status, last4: r.last4 }));
    return { members, cards };
  }
  async card(id: string) {
    return (await one<Doc<Card>>(this.pool, 'SELECT doc FROM cards WHERE id = $1', [id]))?.doc;
  }
  setCardStatus(cardId: string, status: Card['status'], now: Date) {
    return this.write(async () => {
      const r = await one<Doc<Card>>(
        this.pool,
        `UPDATE cards SET doc = doc || jsonb_build_object('status', $2::text, 'updatedAt', $3::text) WHERE id = $1 RETURNING doc`,
        [cardId, status, now.toISOString()],
      );
      return r?.doc;
    });
  }
  async merchant(id: string) {
    return (await one<Doc<Merchant>>(this.pool, 'SELECT doc FROM merchants WHERE id = $1', [id]))?.doc;
  }
  async merchants() {
    return docs(await all<Doc<Merchant>>(this.pool, 'SELECT doc FROM merchants ORDER BY id'));
  }
  async shop(id: string) {
    return (await one<Doc<Shop>>(this.pool, 'SELECT doc FROM stores WHERE id = $1', [id]))?.doc;
  }
  async shops() {
    return docs(await all<Doc<Shop>>(this.pool, 'SELECT doc FROM stores ORDER BY id'));
  }
  async terminals() {
    return docs(await all<Doc<Terminal>>(this.pool, 'SELECT doc FROM terminals ORDER BY id'));
  }
  async terminal(id: string) {
    return (await one<Doc<Terminal>>(this.pool, 'SELECT doc FROM terminals WHERE id = $1', [id]))?.doc;
  }
  async terminalByTokenHash(h: string) {
    return (await one<Doc<Terminal>>(this.pool, 'SELECT doc FROM terminals WHERE token_hash = $1', [h]))?.doc;
  }
  enrollTerminal(pairingCodeHash: string, tokenHash: string, now: Date) {
    // One conditional update: a pairing code works once, whichever instance sees it first.
    return this.write(async () => {
      const r = await one<Doc<Terminal>>(
        this.pool,
        `UPDATE terminals SET pairing_code_hash = NULL, token_hash = $2,
                doc = doc || jsonb_build_object('pairingCodeHash', NULL, 'tokenHash', $2::text, 'enrolledAt', $3::text)
          WHERE pairing_code_hash = $1 RETURNING doc`,
        [pairingCodeHash, tokenHash, now.toISOString()],
      );
      return r?.doc;
    });
  }
  async user(id: string) {
    return (await one<Doc<User>>(this.pool, 'SELECT doc FROM users WHERE id = $1', [id]))?.doc;
  }
  async userByUsername(username: string) {
    return (await one<Doc<User>>(this.pool, 'SELECT doc FROM users WHERE username = $1', [username]))?.doc;
  }

  async activeOffers(merchantId: string) {
    return docs(
      await all<Doc<Offer>>(
        this.pool,
        `SELECT o.doc FROM offer_heads h JOIN offers o ON o.id = h.id AND o.version = h.version WHERE h.merchant_id = $1 AND h.status = 'active' ORDER BY h.id`,
        [merchantId],
      ),
    );
  }
  async offers() {
    return docs(
      await all<Doc<Offer>>(
        this.pool,
        'SELECT o.doc FROM offer_heads h JOIN offers o ON o.id = h.id AND o.version = h.version ORDER BY h.id',
      ),
    );
  }
  async offerVersion(id: string, version: number) {
    const k = `${id}@${version}`;
    const cached = this.versions.get(k);
    if (cached) return cached;
    const o = (await one<Doc<Offer>>(this.pool, 'SELECT doc FROM offers WHERE id = $1 AND version = $2', [id, version]))?.doc;
    if (o) this.versions.set(k, o);
    return o;
  }
  saveOffer(offer: Offer) {
    return this.write(() =>
      inTransaction(this.pool, async (c) => {
        await saveOfferIn(c, offer);
        return offer;
      }),
    );
  }

  async usage(memberId: string, offerIds: readonly string[], at: Date) {
    const out = new Map<string, UsageCount>();
    for (const id of offerIds) out.set(id, await usageOf(this.pool, memberId, id, at));
    return out;
  }
  async remainingBudget(campaignId: string) {
    const b = await one<{ budget_fen: number | null; used_fen: number }>(
      this.pool,
      'SELECT budget_fen, used_fen FROM budgets WHERE offer_id = $1',
      [campaignId],
    );
    if (!b || b.budget_fen === null) return Number.MAX_SAFE_INTEGER;
    return b.budget_fen - b.used_fen;
  }
  async qrNonceUsed(nonce: string) {
    return !!(await one(this.pool, 'SELECT 1 FROM redemptions WHERE qr_nonce = $1', [nonce]));
  }

  commitRedemption(draft: RedemptionDraft, limitCheck: (offer: Offer, used: UsageCount) => string | null): Promise<CommitResult> {
    return this.write(() => commitRedemption(this.pool, draft, limitCheck, (id, v) => this.offerVersion(id, v)));
  }
  voidRedemption(id: string, reason: string, by: string, now: Date): Promise<VoidResult> {
    return this.write(() => voidRedemption(this.pool, id, reason, by, now));
  }
  async redemption(id: string): Promise<Redemption | undefined> {
    const r = await one<RedemptionRow>(
      this.pool,
      'SELECT body, receipt_no, status, voided_at, void_reason FROM redemptions WHERE id = $1',
      [id],
    );
    return r ? publicOf(r) : undefined;
  }
  async redemptionByKey(key: string) {
    const r = await one<RedemptionRow>(
      this.pool,
      'SELECT body, receipt_no, status, voided_at, void_reason, quote_id FROM redemptions WHERE idempotency_key = $1',
      [key],
    );
    return r ? { ...publicOf(r), quoteId: r.quote_id } : undefined;
  }
  listRedemptions(f: RedemptionFilter) {
    return listRedemptions(this.pool, f);
  }
  async settlement(campaignIds: ReadonlySet<string>, fromMs?: number, toMs?: number): Promise<SettlementRow[]> {
    // Union money per funding offer and line (core/union-money.ts), as budgets count it.
    const rows = await all<{ merchant_id: string; campaign_id: string; count: number; union_fen: number }>(
      this.pool,
      `SELECT merchant_id, offer_id AS campaign_id, count(*) AS count, sum(union_fen) AS union_fen FROM redemption_draws
        WHERE live AND offer_id = ANY($1::text[]) AND ($2::timestamptz IS NULL OR created_at >= $2) AND ($3::timestamptz IS NULL OR created_at < $3)
        GROUP BY merchant_id, offer_id ORDER BY merchant_id, offer_id`,
      [
        [...campaignIds],
        fromMs === undefined ? null : new Date(fromMs).toISOString(),
        toMs === undefined ? null : new Date(toMs).toISOString(),
      ],
    );
    return rows.map((r) => ({ merchantId: r.merchant_id, campaignId: r.campaign_id, count: r.count, unionFen: r.union_fen }));
  }
  verifyLedger(): Promise<LedgerCheck> {
    return verifyLedger(this.pool);
  }
  /** Added with the signed ledger head (routes/audit.ts); the same answers as the embedded store. */
  async ledgerHead() {
    const r = (await this.pool.query<{ seq: number; hash: string }>('SELECT seq, hash FROM ledger_head WHERE id = 1')).rows[0];
    return { seq: Number(r?.seq ?? 0), hash: r?.hash ?? GENESIS_HASH };
  }
  async ledgerHashAt(seq: number) {
    if (!Number.isInteger(seq) || seq < 0) return undefined;
    if (seq === 0) return GENESIS_HASH;
    const row = (await this.pool.query<{ line: string }>('SELECT line FROM ledger WHERE seq = $1', [seq])).rows[0];
    if (!row) return undefined;
    const u = unseal(row.line);
    return u.ok && u.entry.seq === seq ? u.entry.hash : undefined;
  }
  async memberIdsOf(ids: readonly string[]) {
    const rows = await all<{ id: string; member_id: string }>(
      this.pool,
      'SELECT id, member_id FROM redemptions WHERE id = ANY($1::text[])',
      [[...ids]],
    );
    return new Map(rows.map((r) => [r.id, r.member_id]));
  }

  statements(orgIds: ReadonlySet<string>) {
    return statements(this.pool, orgIds);
  }
  async statement(id: string) {
    return (await one<Doc<Statement>>(this.pool, 'SELECT doc FROM statements WHERE id = $1', [id]))?.doc;
  }
  createStatement(draft: Omit<Statement, 'id'>): Promise<StatementCreation> {
    return this.write(() => createStatement(this.pool, draft));
  }
  advanceStatement(id: string, to: 'approved' | 'paid' | 'cancelled', by: string, now: Date): Promise<StatementAdvance> {
    return this.write(() => advanceStatement(this.pool, id, to, by, now));
  }

  revokeSession(sessionId: string, expiresAt: Date) {
    return this.write(async () => {
      // Expired sessions are refused by their token anyway: forgetting them keeps the table small. A token lives
      // at most a day, so one expiring a day before this one has surely expired (no clock, as in the embedded store).
      await this.pool.query(
        `WITH gone AS (DELETE FROM revoked_sessions WHERE expires_at < $2::timestamptz - interval '1 day')
         INSERT INTO revoked_sessions (id, expires_at) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET expires_at = EXCLUDED.expires_at`,
        [sessionId, expiresAt.toISOString()],
      );
    });
  }
  async sessionRevoked(sessionId: string) {
    return !!(await one(this.pool, 'SELECT 1 FROM revoked_sessions WHERE id = $1', [sessionId]));
  }

  /**
   * Records which secrets.json this database belongs with (a fingerprint, never a key) on first start,
   * and refuses an instance whose secrets differ: its PAN hashes and session signatures would not match.
   */
  async bindSecrets(fingerprint: string): Promise<void> {
    await this.pool.query(`INSERT INTO meta (key, value) VALUES ('secrets', to_jsonb($1::text)) ON CONFLICT (key) DO NOTHING`, [
      fingerprint,
    ]);
    const bound = (await one<{ v: string }>(this.pool, `SELECT value #>> '{}' AS v FROM meta WHERE key = 'secrets'`))!.v;
    if (bound !== fingerprint) {
      throw Object.assign(
        new Error(
          "this database was started with another secrets.json; copy the first instance's secrets.json into this instance's --data directory",
        ),
        { code: 'SECRETS_MISMATCH' },
      );
    }
  }

  writeFailure() {
    return this.lastWriteError;
  }
  async close() {
    await this.pool.end();
  }
}

/** A digest of the keys that must agree across instances: safe to store, useless for recovering a key. */
export function secretsFingerprint(s: { pan: string; session: string; offline: string; signing: { publicKey: string } }): string {
  return createHash('sha256').update(`huika-secrets/1|${s.pan}|${s.session}|${s.offline}|${s.signing.publicKey}`).digest('hex');
}

/** A new offer version inside a transaction: refused (code CONFLICT) unless it is the next number. */
export async function saveOfferIn(c: pg.PoolClient, offer: Offer): Promise<Offer | undefined> {
  // Lock the head so two instances saving the next version at once queue; a new offer races on the primary key.
  const cur = (
    await c.query<{ version: number; doc: Offer }>(
      'SELECT h.version, o.doc FROM offer_heads h JOIN offers o ON o.id = h.id AND o.version = h.version WHERE h.id = $1 FOR UPDATE OF h',
      [offer.id],
    )
  ).rows[0];
  const expected = (cur?.version ?? 0) + 1;
  if (offer.version !== expected) throw Object.assign(new Error(`offer ${offer.id}: next version is ${expected}`), { code: 'CONFLICT' });
  await putOffer(c, offer);
  return cur?.doc;
}
