/** Inserts or replaces one reference record: its looked-up columns and its whole document. */
import type { Card, Member, Merchant, Store as Shop, Terminal, User } from '../../../../core/domain.ts';
import type { Sql } from '../pool.ts';

type Spec<T> = { table: string; cols: Record<string, (x: T) => unknown> };

export const MEMBERS: Spec<Member> = {
  table: 'members',
  cols: { member_no: (x) => x.memberNo, org_id: (x) => x.orgId, status: (x) => x.status, name: (x) => x.name },
};
export const CARDS: Spec<Card> = {
  table: 'cards',
  cols: { member_id: (x) => x.memberId, pan_hash: (x) => x.panHash, last4: (x) => x.last4 },
};
export const MERCHANTS: Spec<Merchant> = { table: 'merchants', cols: {} };
export const SHOPS: Spec<Shop> = { table: 'stores', cols: { merchant_id: (x) => x.merchantId } };
export const TERMINALS: Spec<Terminal> = {
  table: 'terminals',
  cols: { store_id: (x) => x.storeId, token_hash: (x) => x.tokenHash, pairing_code_hash: (x) => x.pairingCodeHash },
};
export const USERS: Spec<User> = { table: 'users', cols: { username: (x) => x.username } };

export async function putDoc<T extends { id: string }>(sql: Sql, spec: Spec<T>, x: T): Promise<void> {
  const names = Object.keys(spec.cols);
  const values = [x.id, ...names.map((n) => spec.cols[n]!(x) ?? null), JSON.stringify(x)];
  const cols = ['id', ...names, 'doc'];
  const set = [...names, 'doc'].map((n) => `${n} = EXCLUDED.${n}`).join(', ');
  await sql.query(
    `INSERT INTO ${spec.table} (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')}) ON CONFLICT (id) DO UPDATE SET ${set}`,
    values,
  );
}
