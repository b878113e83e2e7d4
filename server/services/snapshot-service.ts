/**
 * A terminal's offline snapshot: its merchant's offers, the unions, and the members those offers cover
 * (identified by offline hashes, never by card or member number), signed with the server's Ed25519 key.
 */
import { sign } from 'node:crypto';
import { maskMemberNo, maskName } from '../../core/mask.ts';
import { offlineHash } from '../../core/offline-hash.ts';
import type { SignedSnapshot, SnapshotPayload } from '../../core/wire-terminal.ts';
import type { AppContext } from '../context.ts';
import type { Actor } from '../http/auth.ts';
import { subtreeOf } from './scope.ts';
import { keysOf, unwrapDeviceKey } from '../security/member-code.ts';

export async function buildSnapshot(ctx: AppContext, actor: Extract<Actor, { kind: 'terminal' }>): Promise<SignedSnapshot> {
  const [orgs, offers] = await Promise.all([ctx.store.orgs(), ctx.store.activeOffers(actor.shop.merchantId)]);
  // Only members an offline discount could apply to: the subtrees of unions that signed merchant-funded offers.
  const covered = new Set<string>();
  for (const o of offers) if (o.unionShareBps === 0) for (const id of subtreeOf(orgs, o.orgId)) covered.add(id);
  const { members, cards } = await ctx.store.membersOfOrgs(covered);
  const key = ctx.secrets.offline;
  const memberCodes: SnapshotPayload['memberCodes'] = [];
  for (const d of await ctx.store.memberSide.activeDevicesOf(new Set(members.filter((m) => m.status === 'active').map((m) => m.id)))) {
    const k = unwrapDeviceKey(ctx.secrets, d.id, d.keyWrapped);
    if (k) memberCodes.push({ d: d.id, memberId: d.memberId, k: Buffer.from(keysOf(k).offline).toString('hex') });
  }
  const payload: SnapshotPayload = {
    format: 'huika-snapshot/1',
    terminalId: actor.terminal.id,
    storeId: actor.shop.id,
    merchantId: actor.shop.merchantId,
    storeName: actor.shop.name,
    merchantName: (await ctx.store.merchant(actor.shop.merchantId))?.name ?? actor.shop.merchantId,
    issuedAt: ctx.now().toISOString(),
    maxAgeSeconds: ctx.offlineMaxAgeSeconds,
    offlineKey: key,
    orgs: orgs.map((o) => ({ id: o.id, parentId: o.parentId, timeZone: o.timeZone })),
    offers,
    members: members.map((m) => ({
      h: offlineHash(key, 'member', m.memberNo),
      id: m.id,
      orgId: m.orgId,
      status: m.status,
      name: maskName(m.name),
      memberNoMasked: maskMemberNo(m.memberNo),
    })),
    cards: cards
      .filter((c) => c.offlineHash)
      .map((c) => ({ h: c.offlineHash!, id: c.id, memberId: c.memberId, status: c.status, last4: c.last4 })),
    memberCodes,
  };
  const text = JSON.stringify(payload);
  const signature = sign(null, Buffer.from(text), ctx.secrets.signing.privateKey).toString('base64');
  return { payload: text, signature };
}
