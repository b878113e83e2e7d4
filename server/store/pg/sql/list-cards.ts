/**
 * The admin card list: cards of the members in the caller's unions, the most recently changed first, as a
 * keyset page (`(updatedAt, id) < cursor ORDER BY updatedAt DESC, id DESC LIMIT n + 1`) walking an index of
 * migration 007: cards_updated (every card), cards_status_updated (a status: the few lost among millions)
 * or cards_last4_updated (a card's last 4). Each row found is checked against its member's union by primary
 * key, so a page reads about a page of index for a city-wide admin, and about a page divided by the scope's
 * share of the cards for a district's. tests/integration/pg-paging-plans.test.ts EXPLAINs exactly this.
 */
import type { Card, Member } from '../../../../core/domain.ts';
import { CARD_TOTAL_CAP, cardCursor, parseCardCursor, type CardFilter, type CardPage } from '../../admin-store.ts';
import { all, one, type Sql } from '../pool.ts';
import { whereBuilder } from './where.ts';

/** The expressions migration 007 indexes; a query must spell them the same way to use the index. */
const UPDATED = `((c.doc->>'updatedAt') COLLATE "C")`;
const ID = `(c.id COLLATE "C")`;

export function cardListQuery(f: CardFilter): { text: string; values: unknown[]; count: string; countValues: unknown[] } {
  const { where, values, add } = whereBuilder(['m.org_id = ANY($1::text[])'], [[...f.orgIds]]);
  if (f.last4) add('c.last4 = ?', f.last4);
  if (f.status) add(`(c.doc->>'status') = ?`, f.status);
  const countValues = [...values];
  const from = 'FROM cards c JOIN members m ON m.id = c.member_id';
  const count = `SELECT count(*) AS n FROM (SELECT 1 ${from} WHERE ${where.join(' AND ')} LIMIT ${CARD_TOTAL_CAP + 1}) t`;
  const after = f.after === undefined ? undefined : parseCardCursor(f.after);
  if (after) add(`(${UPDATED}, ${ID}) < (?, ?)`, after.updatedAt, after.id);
  values.push(f.limit + 1);
  const text = `SELECT c.doc AS card, m.doc AS member ${from} WHERE ${where.join(' AND ')} ORDER BY ${UPDATED} DESC, ${ID} DESC LIMIT $${values.length}`;
  return { text, values, count, countValues };
}

export async function listCards(sql: Sql, f: CardFilter): Promise<CardPage> {
  const q = cardListQuery(f);
  // Counted on the first page only: a deep page costs a page, and the portal keeps the first page's total.
  const n = f.after === undefined ? Number((await one<{ n: string }>(sql, q.count, q.countValues))!.n) : undefined;
  const rows = await all<{ card: Card; member: Member }>(sql, q.text, q.values);
  const items = rows.slice(0, f.limit);
  return {
    items,
    ...(n !== undefined ? { total: Math.min(n, CARD_TOTAL_CAP), ...(n > CARD_TOTAL_CAP ? { totalIsLowerBound: true } : {}) } : {}),
    ...(rows.length > f.limit ? { nextCursor: cardCursor(items[items.length - 1]!.card) } : {}),
  };
}
