/**
 * Loads reference data into an empty database in one transaction. The ledger head is locked first, so
 * two instances seeding at once (both started with --demo) queue, and the second finds data and refuses.
 */
import type pg from 'pg';
import type { Card, Member, Offer, Org, Store as Shop, Terminal, User, Merchant } from '../../../../core/domain.ts';
import type { ReferenceData } from '../../store.ts';
import { inTransaction } from '../pool.ts';

const json = (xs: unknown[]) => xs.map((x) => JSON.stringify(x));

export async function insertOrgs(c: pg.PoolClient, xs: Org[]) {
  await c.query('INSERT INTO orgs (id, parent_id, doc) SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[])', [
    xs.map((x) => x.id),
    xs.map((x) => x.parentId),
    json(xs),
  ]);
}
export async function insertMembers(c: pg.PoolClient, xs: Member[]) {
  await c.query(
    'INSERT INTO members (id, member_no, org_id, status, name, doc) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[])',
    [xs.map((x) => x.id), xs.map((x) => x.memberNo), xs.map((x) => x.orgId), xs.map((x) => x.status), xs.map((x) => x.name), json(xs)],
  );
}
export async function insertCards(c: pg.PoolClient, xs: Card[]) {
  await c.query(
    'INSERT INTO cards (id, member_id, pan_hash, last4, doc) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[])',
    [xs.map((x) => x.id), xs.map((x) => x.memberId), xs.map((x) => x.panHash), xs.map((x) => x.last4), json(xs)],
  );
}
export async function insertMerchants(c: pg.PoolClient, xs: Merchant[]) {
  await c.query('INSERT INTO merchants (id, doc) SELECT * FROM unnest($1::text[], $2::jsonb[])', [xs.map((x) => x.id), json(xs)]);
}
export async function insertShops(c: pg.PoolClient, xs: Shop[]) {
  await c.query('INSERT INTO stores (id, merchant_id, doc) SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[])', [
    xs.map((x) => x.id),
    xs.map((x) => x.merchantId),
    json(xs),
  ]);
}
export async function insertTerminals(c: pg.PoolClient, xs: Terminal[]) {
  await c.query(
    'INSERT INTO terminals (id, store_id, token_hash, pairing_code_hash, doc) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[])',
    [xs.map((x) => x.id), xs.map((x) => x.storeId), xs.map((x) => x.tokenHash), xs.map((x) => x.pairingCodeHash), json(xs)],
  );
}
export async function insertUsers(c: pg.PoolClient, xs: User[]) {
  await c.query('INSERT INTO users (id, username, doc) SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[])', [
    xs.map((x) => x.id),
    xs.map((x) => x.username),
    json(xs),
  ]);
}

/** Saves one offer version: the version row, the head, and the budget the head carries (used money is kept). */
export async function putOffer(c: pg.PoolClient, o: Offer): Promise<void> {
  await c.query('INSERT INTO offers (id, version, merchant_id, status, doc) VALUES ($1, $2, $3, $4, $5)', [
    o.id,
    o.version,
    o.merchantId,
    o.status,
    JSON.stringify(o),
  ]);
  await c.query(
    `INSERT INTO offer_heads (id, version, merchant_id, status) VALUES ($1, $2, $3, $4)
     ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, merchant_id = EXCLUDED.merchant_id, status = EXCLUDED.status`,
    [o.id, o.version, o.merchantId, o.status],
  );
  await c.query(
    'INSERT INTO budgets (offer_id, budget_fen) VALUES ($1, $2) ON CONFLICT (offer_id) DO UPDATE SET budget_fen = EXCLUDED.budget_fen',
    [o.id, o.budgetFen ?? null],
  );
}

export async function seed(pool: pg.Pool, d: ReferenceData): Promise<void> {
  await inTransaction(pool, async (c) => {
    await c.query('SELECT 1 FROM ledger_head WHERE id = 1 FOR UPDATE');
    const { rows } = await c.query<{ n: number }>('SELECT (SELECT count(*) FROM orgs) + (SELECT count(*) FROM redemptions) AS n');
    if (rows[0]!.n > 0) throw Object.assign(new Error('seed: the store already holds data'), { code: 'STORE_NOT_EMPTY' });
    await insertOrgs(c, d.orgs);
    await insertMembers(c, d.members);
    await insertCards(c, d.cards);
    await insertMerchants(c, d.merchants);
    await insertShops(c, d.stores);
    await insertTerminals(c, d.terminals);
    await insertUsers(c, d.users);
    for (const o of [...d.offers].sort((a, b) => a.version - b.version)) await putOffer(c, o);
  });
}
