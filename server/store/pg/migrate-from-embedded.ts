/**
 * Copies an embedded data directory into an empty PostgreSQL database (huika migrate-store). The ledger's
 * lines are copied byte for byte, so the chain in the database has the very hashes the file had and a
 * head an auditor kept still matches. Then the copy is checked: counts of every kind, the chain walked in
 * the database, budgets as the embedded store counts them, and the head hash.
 */
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type pg from 'pg';
import { fundedOfferOf } from '../../../core/union-money.ts';
import type { Line, Redemption } from '../../../core/wire.ts';
import { EmbeddedStore } from '../embedded-store.ts';
import { GENESIS_HASH, unseal } from '../hash-chain.ts';
import { redemptionId } from '../ledger-index.ts';
import type { RedemptionDraft } from '../store.ts';
import { inTransaction } from './pool.ts';
import { PgStore, secretsFingerprint } from './pg-store.ts';
import { appendAudit, lockAudit } from './sql/audit-append.ts';
import {
  insertCards,
  insertMembers,
  insertMerchants,
  insertOrgs,
  insertShops,
  insertTerminals,
  insertUsers,
  putOffer,
} from './sql/seed.ts';
import type { Secrets } from '../../security/secrets.ts';
import type { AuditEntry } from '../admin-store.ts';

export type Progress = (stage: string, done: number, total?: number) => void;

export interface MigrationReport {
  members: number;
  cards: number;
  redemptions: number;
  voids: number;
  ledgerEntries: number;
  auditEntries: number;
  statements: number;
  feedback: number;
  headHash: string;
}

const BATCH = 2000;

/** Tables that must be empty for a target to be taken (the heads and the migration table always have rows). */
const TABLES = [
  'orgs',
  'members',
  'cards',
  'merchants',
  'stores',
  'terminals',
  'offers',
  'users',
  'ledger',
  'redemptions',
  'statements',
  'audit',
  'member_credentials',
  'member_devices',
  'feedback',
  'revoked_sessions',
  'union_settings',
];

export class TargetNotEmptyError extends Error {
  readonly code = 'TARGET_NOT_EMPTY';
}
export class MigrationCheckError extends Error {
  readonly code = 'MIGRATION_CHECK_FAILED';
}

type CommitData = RedemptionDraft & { id: string };

export async function migrateEmbeddedToPg(o: {
  from: string;
  to: string;
  secrets: Secrets;
  progress?: Progress;
  poolSize?: number;
}): Promise<MigrationReport> {
  const progress = o.progress ?? (() => {});
  // Opening takes the directory's lock (no server may be writing it) and moves a torn tail aside.
  const src = await EmbeddedStore.open({ dir: o.from });
  const dst = await PgStore.open({ url: o.to, poolSize: o.poolSize ?? 4 });
  try {
    const pool = dst.pool;
    const busy = await pool.query<{ t: string }>(TABLES.map((t) => `(SELECT '${t}' AS t FROM ${t} LIMIT 1)`).join(' UNION ALL '));
    if (busy.rows.length)
      throw new TargetNotEmptyError(
        `the target database is not empty (${busy.rows.map((r) => r.t).join(', ')} hold rows); migrate-store only fills an empty one`,
      );
    const srcLedger = await src.verifyLedger();
    if (!srcLedger.ok) throw new MigrationCheckError(`the source ledger does not verify (${srcLedger.message}); fix it before migrating`);
    const srcAudit = await src.admin.verifyAuditTrail();
    if (!srcAudit.ok) throw new MigrationCheckError(`the source audit trail does not verify (${srcAudit.message})`);

    // Reference data, in one transaction.
    const orgs = await src.orgs();
    const { members, cards } = await src.membersOfOrgs(new Set(orgs.map((x) => x.id)));
    const offerIds = (await src.offers()).map((x) => x.id);
    const versions = (await Promise.all(offerIds.map((id) => src.admin.offerVersions(id)))).flat();
    await inTransaction(pool, async (c) => {
      await insertOrgs(c, orgs);
      for (let i = 0; i < members.length; i += 10_000) {
        await insertMembers(c, members.slice(i, i + 10_000));
        progress('members', Math.min(i + 10_000, members.length), members.length);
      }
      for (let i = 0; i < cards.length; i += 10_000) {
        await insertCards(c, cards.slice(i, i + 10_000));
        progress('cards', Math.min(i + 10_000, cards.length), cards.length);
      }
      await insertMerchants(c, await src.merchants());
      await insertShops(c, await src.shops());
      await insertTerminals(c, await src.terminals());
      await insertUsers(c, await src.admin.users());
      for (const v of versions.sort((a, b) => a.version - b.version)) await putOffer(c, v);
      for (const s of (await src.statements(new Set(orgs.map((x) => x.id)))).reverse()) {
        const n = Number(/(\d+)$/.exec(s.id)?.[1] ?? 0);
        await c.query('INSERT INTO statements (id, n, org_id, status, doc) VALUES ($1, $2, $3, $4, $5)', [
          s.id,
          n,
          s.orgId,
          s.status,
          JSON.stringify(s),
        ]);
      }
      await c.query(
        `SELECT setval('statement_seq', greatest(1, (SELECT coalesce(max(n), 0) FROM statements)), (SELECT count(*) > 0 FROM statements))`,
      );
      for (const org of orgs) {
        const u = await src.admin.unionSettings(org.id);
        if (u) await c.query('INSERT INTO union_settings (org_id, doc) VALUES ($1, $2)', [u.orgId, JSON.stringify(u)]);
      }
      await c.query(`INSERT INTO meta (key, value) VALUES ('secrets', to_jsonb($1::text))`, [secretsFingerprint(o.secrets)]);
    });

    // The ledger, line by line as written.
    const file = join(o.from, 'ledger.jsonl');
    let prev = GENESIS_HASH;
    let seq = 0;
    let commits = 0;
    let voids = 0;
    let batch: string[] = [];
    const flush = async () => {
      if (!batch.length) return;
      const lines = batch;
      batch = [];
      await inTransaction(pool, (c) => copyEntries(c, lines));
      progress('ledger', seq, srcLedger.checked);
    };
    if (existsSync(file)) {
      const rl = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
      for await (const line of rl) {
        if (line === '') continue;
        const u = unseal(line);
        if (!u.ok || u.entry.seq !== seq + 1 || u.entry.prevHash !== prev)
          throw new MigrationCheckError(`ledger entry ${seq + 1} changed while migrating`);
        prev = u.entry.hash;
        seq = u.entry.seq;
        if (u.entry.type === 'commit') commits++;
        else if (u.entry.type === 'void') voids++;
        batch.push(line);
        if (batch.length >= BATCH) await flush();
        if (seq === srcLedger.checked) break; // only what the source had acknowledged when checked
      }
      await flush();
    }
    await pool.query('UPDATE ledger_head SET seq = $1, hash = $2, receipts = $3 WHERE id = 1', [seq, prev, commits]);
    await pool.query(
      `UPDATE budgets b SET used_fen = coalesce((SELECT sum(d.union_fen) FROM redemption_draws d WHERE d.live AND d.offer_id = b.offer_id), 0)`,
    );

    // The audit trail: the same entries, oldest first, chained anew in the database.
    const trail: AuditEntry[] = [];
    for (let before: number | undefined; ; ) {
      const page = await src.admin.auditTrail({ limit: 1000, ...(before !== undefined ? { beforeSeq: before } : {}) });
      trail.push(...page.items);
      if (page.nextBeforeSeq === undefined) break;
      before = page.nextBeforeSeq;
    }
    trail.reverse();
    await inTransaction(pool, async (c) => {
      const head = await lockAudit(c);
      for (const { seq: _s, ...e } of trail) await appendAudit(c, head, e);
    });
    progress('audit', trail.length, trail.length);

    // The members' side.
    const creds = (await Promise.all(members.map((m) => src.memberSide.credential(m.id)))).filter((x) => x !== undefined);
    if (creds.length) await dst.memberSide.putCredentials(creds);
    const devices = await src.memberSide.activeDevicesOf(new Set(members.map((m) => m.id)));
    for (const d of devices)
      await pool.query('INSERT INTO member_devices (id, member_id, created_at, revoked_at, doc) VALUES ($1, $2, $3, $4, $5)', [
        d.id,
        d.memberId,
        d.createdAt,
        d.revokedAt,
        JSON.stringify(d),
      ]);
    const feedback = await src.memberSide.feedback({});
    for (const f of feedback.reverse()) await dst.memberSide.addFeedback(f);
    progress('members-side', creds.length + devices.length + feedback.length);

    // Check the copy.
    const report: MigrationReport = {
      members: members.length,
      cards: cards.length,
      redemptions: commits,
      voids,
      ledgerEntries: seq,
      auditEntries: trail.length,
      statements: 0,
      feedback: feedback.length,
      headHash: prev,
    };
    const count = async (t: string, where = '') => (await pool.query<{ n: number }>(`SELECT count(*) AS n FROM ${t} ${where}`)).rows[0]!.n;
    const checks: [string, number, number][] = [
      ['members', await count('members'), members.length],
      ['cards', await count('cards'), cards.length],
      ['redemptions', await count('redemptions'), commits],
      ['voided redemptions', await count('redemptions', `WHERE status = 'voided'`), voids],
      ['ledger entries', await count('ledger'), seq],
      ['offer versions', await count('offers'), versions.length],
      ['audit entries', await count('audit'), trail.length],
      ['feedback', await count('feedback'), feedback.length],
    ];
    report.statements = await count('statements');
    for (const [what, got, want] of checks)
      if (got !== want) throw new MigrationCheckError(`${what}: ${got} in the database, ${want} in the directory`);
    const chain = await dst.verifyLedger();
    if (!chain.ok || chain.checked !== srcLedger.checked)
      throw new MigrationCheckError(`the copied chain does not verify: ${chain.message ?? `${chain.checked} of ${srcLedger.checked}`}`);
    const head = (await pool.query<{ hash: string }>('SELECT hash FROM ledger_head')).rows[0]!.hash;
    if (head !== prev) throw new MigrationCheckError('the head hash differs from the directory’s');
    for (const id of offerIds) {
      const [a, b] = [await src.remainingBudget(id), await dst.remainingBudget(id)];
      if (a !== b) throw new MigrationCheckError(`budget of ${id}: ${b} fen left in the database, ${a} in the directory`);
    }
    if (!(await dst.admin.verifyAuditTrail()).ok) throw new MigrationCheckError('the copied audit trail does not verify');
    progress('checked', 1, 1);
    return report;
  } finally {
    await dst.close();
    await src.close();
  }
}

/** Inserts a batch of ledger lines: each entry verbatim, each commit's rows, each void applied. */
async function copyEntries(c: pg.PoolClient, lines: string[]): Promise<void> {
  const ledger: [number, string, string][] = [];
  const reds: unknown[][] = [];
  const uses: [number, string, string, string][] = [];
  const draws: [number, number, string, string, number, string][] = [];
  const voided: { id: string; at: string; reason: string }[] = [];
  for (const line of lines) {
    const u = unseal(line);
    if (!u.ok) throw new MigrationCheckError(u.why);
    const e = u.entry;
    ledger.push([e.seq, e.type, line]);
    if (e.type === 'commit') {
      const d = e.data as CommitData;
      const { memberId: _m, quoteId: _q, qrNonce: _n, ...pub } = d;
      const body: Omit<Redemption, 'status'> = { ...pub, id: redemptionId(e.seq), seq: e.seq, hash: e.hash, prevHash: e.prevHash } as Omit<
        Redemption,
        'status'
      >;
      const campaignLine = d.lines.find((l: Line) => l.funding.campaignId);
      reds.push([
        e.seq,
        body.id,
        d.idempotencyKey,
        d.quoteId,
        d.memberId,
        d.memberOrgId,
        d.merchantId,
        d.storeId,
        d.terminalId,
        d.createdAt,
        d.lines.reduce((s, l) => s + l.funding.unionFen, 0),
        campaignLine?.funding.campaignId ?? null,
        campaignLine?.funding.unionFen ?? 0,
        d.qrNonce ?? null,
        JSON.stringify(body),
      ]);
      for (const id of new Set(d.lines.map((l) => l.agreementId))) uses.push([e.seq, d.memberId, id, d.createdAt]);
      d.lines
        .filter((l) => l.funding.unionFen > 0)
        .forEach((l, i) => {
          draws.push([e.seq, i, fundedOfferOf(l), d.merchantId, l.funding.unionFen, d.createdAt]);
        });
    } else if (e.type === 'void') {
      const v = e.data as { redemptionId: string; reason: string; at: string };
      voided.push({ id: v.redemptionId, at: v.at, reason: v.reason });
    }
  }
  const col = <T>(rows: T[][], i: number) => rows.map((r) => r[i]);
  await c.query('INSERT INTO ledger (seq, type, line) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[])', [
    col(ledger, 0),
    col(ledger, 1),
    col(ledger, 2),
  ]);
  if (reds.length) {
    await c.query(
      // Receipt numbers continue from the batch before, in ledger order: the n-th commit is receipt n, as in the embedded store.
      `INSERT INTO redemptions (seq, id, idempotency_key, quote_id, member_id, member_org_id, merchant_id, store_id, terminal_id, created_at, status, union_fen, campaign_id, campaign_fen, qr_nonce, body, receipt_no)
       SELECT s, i, k, q, m, mo, me, st, t, ca, 'committed', u, cid, cf, n, b, (SELECT coalesce(max(receipt_no), 0) FROM redemptions) + x.ord
         FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::timestamptz[], $11::bigint[], $12::text[], $13::bigint[], $14::text[], $15::jsonb[])
         WITH ORDINALITY AS x (s, i, k, q, m, mo, me, st, t, ca, u, cid, cf, n, b, ord)`,
      Array.from({ length: 15 }, (_, i) => col(reds, i)),
    );
  }
  if (uses.length)
    await c.query(
      'INSERT INTO redemption_offers (seq, member_id, offer_id, created_at) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamptz[])',
      [0, 1, 2, 3].map((i) => col(uses, i)),
    );
  if (draws.length)
    await c.query(
      'INSERT INTO redemption_draws (seq, line_no, offer_id, merchant_id, union_fen, created_at) SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::bigint[], $6::timestamptz[])',
      [0, 1, 2, 3, 4, 5].map((i) => col(draws, i)),
    );
  for (const v of voided) {
    const r = await c.query<{ seq: number }>(
      `UPDATE redemptions SET status = 'voided', voided_at = $2, void_reason = $3 WHERE id = $1 RETURNING seq`,
      [v.id, v.at, v.reason],
    );
    const s = r.rows[0]?.seq;
    if (s === undefined) throw new MigrationCheckError(`a void names ${v.id}, which is not in the ledger before it`);
    await c.query('UPDATE redemption_offers SET live = false WHERE seq = $1', [s]);
    await c.query('UPDATE redemption_draws SET live = false WHERE seq = $1', [s]);
  }
}
