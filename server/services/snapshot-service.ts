/**
 * A terminal's offline snapshot: its merchant's offers, the unions, and the members of its store's region
 * those offers cover (identified by offline tags, never by card or member number, no names), signed with
 * the server's Ed25519 key. Bounded by the region: a Shanghai store carries its district's members, not
 * the city's 3.6 million; a member from elsewhere is served online only (OFFLINE_UNAVAILABLE, never a
 * discount the terminal cannot check).
 */
import { sign } from 'node:crypto';
import type { Merchant, Offer, Org, Store as Shop } from '../../core/domain.ts';
import { offlineHash, offlineTag } from '../../core/offline-hash.ts';
import { SNAPSHOT_CARD_STATUS, SNAPSHOT_MEMBER_STATUS, type SignedSnapshot, type SnapshotWire } from '../../core/wire-terminal.ts';
import type { AppContext } from '../context.ts';
import type { Actor } from '../http/auth.ts';
import { keysOf, unwrapDeviceKey } from '../security/member-code.ts';
import type { OfflineRoster } from '../store/store.ts';
import { subtreeOf } from './scope.ts';

/**
 * The unions whose members a store serves offline: the union of its district or county (`regionOrgId`), else
 * the union that registered its merchant; empty when neither is set (then the offers' coverage alone bounds it).
 */
export function regionOf(shop: Shop, merchant: Merchant | undefined): string[] {
  const root = shop.regionOrgId ?? merchant?.orgId;
  return root ? [root] : [];
}

/**
 * The unions whose members an offline discount could reach at this store: those a merchant-funded offer that
 * applies here covers (its memberOrgIds, else its signer, with every union below), inside the store's region.
 */
export function offlineOrgs(orgs: readonly Org[], offers: readonly Offer[], shop: Shop, region: readonly string[]): Set<string> {
  const inRegion = region.length ? new Set(region.flatMap((id) => [...subtreeOf(orgs, id)])) : undefined;
  const covered = new Set<string>();
  for (const o of offers) {
    if (o.unionShareBps !== 0) continue;
    if (o.conditions.storeIds && !o.conditions.storeIds.includes(shop.id)) continue;
    for (const root of o.conditions.memberOrgIds ?? [o.orgId])
      for (const id of subtreeOf(orgs, root)) if (!inRegion || inRegion.has(id)) covered.add(id);
  }
  return covered;
}

const memberIndexes = new WeakMap<object, Map<string, number>>();
const indexOf = (members: OfflineRoster['members']) => {
  let m = memberIndexes.get(members);
  if (!m) memberIndexes.set(members, (m = new Map(members.map((x, i) => [x.id, i]))));
  return m;
};

/** A roster as the snapshot's compact rows (core/wire-terminal.ts, format 2); `orgs` in the order the snapshot lists them. */
export function rosterRows(
  key: string,
  orgs: readonly Org[],
  roster: OfflineRoster,
  /** The whole member list the card rows point into, when `roster` is a slice of it. */
  allMembers: OfflineRoster['members'] = roster.members,
  tagOf: (memberNo: string) => string = (no) => offlineTag(offlineHash(key, 'member', no)),
): Pick<SnapshotWire, 'members' | 'cards'> {
  const orgIndex = new Map(orgs.map((o, i) => [o.id, i]));
  const memberIndex = indexOf(allMembers);
  return {
    members: roster.members.map((m) => [tagOf(m.memberNo), m.id, orgIndex.get(m.orgId)!, SNAPSHOT_MEMBER_STATUS.indexOf(m.status)]),
    cards: roster.cards.map((c) => [
      offlineTag(c.offlineHash),
      c.id,
      memberIndex.get(c.memberId)!,
      SNAPSHOT_CARD_STATUS.indexOf(c.status),
      c.last4,
    ]),
  };
}

/** Roster rows as JSON text, for the members/cards fields of a snapshot, and the active members (for their phones). */
interface RosterText {
  members: string;
  cards: string;
  active: Set<string>;
}
/**
 * A district is 225,000 members, one HMAC each, and every terminal there asks for the same ones: the member
 * tags are remembered (up to TAG_CACHE entries, about 100 MB, then started afresh), the rows themselves are
 * read fresh each time (a suspended member or a lost card must not linger), and encoded in slices so quotes
 * keep flowing meanwhile.
 */
const TAG_CACHE = 1_000_000;
const SLICE = 5_000;
const tagCaches = new WeakMap<AppContext, Map<string, string>>();
const pause = () => new Promise<void>((r) => setImmediate(r));

async function rosterText(ctx: AppContext, orgs: readonly Org[], orgIds: Set<string>): Promise<RosterText> {
  let tags = tagCaches.get(ctx);
  if (!tags) tagCaches.set(ctx, (tags = new Map()));
  const key = ctx.secrets.offline;
  const tagOf = (memberNo: string) => {
    let t = tags.get(memberNo);
    if (t === undefined) {
      if (tags.size >= TAG_CACHE) tags.clear();
      tags.set(memberNo, (t = offlineTag(offlineHash(key, 'member', memberNo))));
    }
    return t;
  };
  const roster = await ctx.store.offlineRoster(orgIds);
  const parts = { members: [] as string[], cards: [] as string[] };
  for (let i = 0; i < Math.max(roster.members.length, roster.cards.length); i += SLICE) {
    const slice: OfflineRoster = { members: roster.members.slice(i, i + SLICE), cards: roster.cards.slice(i, i + SLICE) };
    const rows = rosterRows(key, orgs, slice, roster.members, tagOf);
    if (rows.members.length) parts.members.push(JSON.stringify(rows.members).slice(1, -1));
    if (rows.cards.length) parts.cards.push(JSON.stringify(rows.cards).slice(1, -1));
    if (i + SLICE < Math.max(roster.members.length, roster.cards.length)) await pause();
  }
  return {
    members: `[${parts.members.join(',')}]`,
    cards: `[${parts.cards.join(',')}]`,
    active: new Set(roster.members.filter((m) => m.status === 'active').map((m) => m.id)),
  };
}

export async function buildSnapshot(ctx: AppContext, actor: Extract<Actor, { kind: 'terminal' }>): Promise<SignedSnapshot> {
  const [orgs, offers, merchant] = await Promise.all([
    ctx.store.orgs(),
    ctx.store.activeOffers(actor.shop.merchantId),
    ctx.store.merchant(actor.shop.merchantId),
  ]);
  const region = regionOf(actor.shop, merchant);
  const roster = await rosterText(ctx, orgs, offlineOrgs(orgs, offers, actor.shop, region));
  const key = ctx.secrets.offline;
  const memberCodes: SnapshotWire['memberCodes'] = [];
  for (const d of await ctx.store.memberSide.activeDevicesOf(roster.active)) {
    const k = unwrapDeviceKey(ctx.secrets, d.id, d.keyWrapped);
    if (k) memberCodes.push({ d: d.id, memberId: d.memberId, k: Buffer.from(keysOf(k).offline).toString('hex') });
  }
  const payload: Omit<SnapshotWire, 'members' | 'cards'> = {
    format: 'huika-snapshot/2',
    terminalId: actor.terminal.id,
    storeId: actor.shop.id,
    merchantId: actor.shop.merchantId,
    storeName: actor.shop.name,
    merchantName: merchant?.name ?? actor.shop.merchantId,
    ...(merchant?.maxSaleFen ? { maxSaleFen: merchant.maxSaleFen } : {}),
    issuedAt: ctx.now().toISOString(),
    maxAgeSeconds: ctx.offlineMaxAgeSeconds,
    offlineKey: key,
    orgs: orgs.map((o) => ({ id: o.id, parentId: o.parentId, timeZone: o.timeZone })),
    offers,
    region,
    memberCodes,
  };
  // The rows are already JSON: spliced in rather than parsed and written again.
  const text = `${JSON.stringify(payload).slice(0, -1)},"members":${roster.members},"cards":${roster.cards}}`;
  const signature = sign(null, Buffer.from(text), ctx.secrets.signing.privateKey).toString('base64');
  return { payload: text, signature };
}
