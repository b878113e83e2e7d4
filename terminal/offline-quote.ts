/**
 * A quote the terminal answers itself while the server is unreachable: the same rules engine as the
 * server, on the signed snapshot, with union money refused and the terminal's own offline limits.
 * Pure: the caller supplies the snapshot lookups, the clock and what the outbox already holds.
 */
import type { ParsedCredential } from '../core/credentials.ts';
import { memberRefusal } from '../core/rules/eligibility.ts';
import { evaluate, type Verdict } from '../core/rules/engine.ts';
import { reason, type ReasonCode } from '../core/rules/reasons.ts';
import { localParts } from '../core/local-time.ts';
import { countUses } from '../core/rules/usage-count.ts';
import { pathOf } from '../core/org-tree.ts';
import type { SnapshotPayload } from '../core/wire-terminal.ts';
import type { Item } from '../core/wire.ts';
import { createHmac } from 'node:crypto';
import { maskMemberNo } from '../core/mask.ts';
import { offlineTag } from '../core/offline-hash.ts';
import { checkStep, looksLikeMemberCode, macMatches, memberCodeNonce, parseMemberCode, STEP_SECONDS } from '../core/member-code.ts';

export interface OfflineLimits {
  perCardPerDay: number;
  maxQueued: number;
  maxDiscountFen: number;
}

export interface OfflineQuoteInput {
  now: Date;
  snapshot: SnapshotPayload | undefined;
  credential: ParsedCredential;
  /** The full offline hash (core/offline-hash.ts); the snapshot keeps its tag. */
  hash: (kind: 'pan' | 'member', value: string) => string;
  /** Indexed lookups into the same snapshot (terminal/snapshot-cache.ts); without them, a scan of its rows. */
  index?: {
    memberByHash(tag: string): SnapshotPayload['members'][number] | undefined;
    memberById(id: string): SnapshotPayload['members'][number] | undefined;
    cardByHash(tag: string): SnapshotPayload['cards'][number] | undefined;
  };
  amountFen: number;
  items?: readonly Item[];
  revokedCardIds: ReadonlySet<string>;
  /** Offline redemptions already queued here: when, by which member, with which offers. */
  queued: ReadonlyArray<{ memberId: string; createdAt: string; offerIds: string[] }>;
  limits: OfflineLimits;
}

export type OfflineQuote = Verdict & {
  member?: { id: string; maskedName: string; memberNoMasked: string; orgId: string };
  card?: { id: string; last4: string };
  /** A living code's nonce, uploaded with the sale so the server sees the same code used at another store. */
  qrNonce?: string;
};

function refuse(amountFen: number, code: ReasonCode, detail?: string, who?: OfflineQuote['member']): OfflineQuote {
  return {
    eligible: false,
    reasons: [reason(code, detail)],
    skipped: [],
    lines: [],
    amountFen,
    discountFen: 0,
    payableFen: amountFen,
    ...(who ? { member: who } : {}),
  };
}

export function offlineQuote(input: OfflineQuoteInput): OfflineQuote {
  const { snapshot: s, credential: c, amountFen } = input;
  if (!s) return refuse(amountFen, 'OFFLINE_UNAVAILABLE', 'no snapshot yet');
  if ((input.now.getTime() - Date.parse(s.issuedAt)) / 1000 > s.maxAgeSeconds)
    return refuse(amountFen, 'OFFLINE_UNAVAILABLE', 'the offline snapshot is too old');
  let card: SnapshotPayload['cards'][number] | undefined;
  let member: SnapshotPayload['members'][number] | undefined;
  let qrNonce: string | undefined;
  const ix = input.index ?? {
    memberByHash: (h: string) => s.members.find((m) => m.h === h),
    memberById: (id: string) => s.members.find((m) => m.id === id),
    cardByHash: (h: string) => s.cards.find((x) => x.h === h),
  };
  if (c.kind === 'qr') {
    // Living codes from the member page are checked against the snapshot's device table (offline MAC);
    // the console's HK1 tokens need the server's key.
    if (!looksLikeMemberCode(c.token)) return refuse(amountFen, 'OFFLINE_UNAVAILABLE', 'this member QR code is checked by the server');
    const code = parseMemberCode(c.token);
    const dev = code && s.memberCodes.find((d) => d.d === code.deviceId);
    const mac = dev && createHmac('sha256', Buffer.from(dev.k, 'hex')).update(code.signed).digest();
    if (!code || !dev || !mac || !macMatches(mac, code.offlineMac))
      return refuse(amountFen, 'QR_INVALID', 'not a member code this terminal knows');
    const t = checkStep(code.step, input.now.getTime());
    if (!t.ok) return refuse(amountFen, t.code, t.detail);
    member = ix.memberById(dev.memberId);
    qrNonce = memberCodeNonce(code);
    // Accepted once here: the same code could only have been used from 30 s before its step on, so any
    // sale of this member queued since then refuses it (a fresh code works a step or two later).
    const since = (code.step - 1) * STEP_SECONDS * 1000;
    if (member && input.queued.some((q) => q.memberId === member!.id && Date.parse(q.createdAt) >= since)) {
      return refuse(amountFen, 'QR_REPLAYED', 'this code, or one of the same minute, was already used at this terminal');
    }
  } else if (c.kind === 'pan') {
    card = ix.cardByHash(offlineTag(input.hash('pan', c.pan)));
    member = card ? ix.memberById(card.memberId) : undefined;
  } else {
    member = ix.memberByHash(offlineTag(input.hash('member', c.memberNo)));
  }
  // The snapshot holds no names or numbers: the cashier sees what was presented, masked.
  const shown = c.kind === 'pan' ? `卡 Card ****${c.pan.slice(-4)}` : c.kind === 'qr' ? '会员码 Member code' : maskMemberNo(c.memberNo);
  const who = member ? { id: member.id, maskedName: '会员 Member', memberNoMasked: shown, orgId: member.orgId } : undefined;
  const cardStatus = card && input.revokedCardIds.has(card.id) ? 'lost' : card?.status;
  // Someone not in the snapshot may still be a member, just not one this merchant's offers cover.
  const refusal = member ? memberRefusal(member, cardStatus ? { status: cardStatus } : undefined) : 'OFFLINE_UNAVAILABLE';
  const outside =
    '不在本店离线名单：本店所在地区以外的会员须联网后才能优惠 · not in this store’s offline list: members from outside its region get discounts online only';
  if (refusal) return refuse(amountFen, refusal, refusal === 'OFFLINE_UNAVAILABLE' ? outside : undefined, who);

  if (input.queued.length >= input.limits.maxQueued)
    return refuse(amountFen, 'LIMIT_REACHED', 'offline queue of this terminal is full', who);
  const tz = new Map(s.orgs.map((o) => [o.id, o.timeZone]));
  const memberTz = tz.get(member!.orgId) ?? 'Asia/Shanghai';
  const today = localParts(input.now, memberTz).date;
  const todays = input.queued.filter((q) => q.memberId === member!.id && localParts(new Date(q.createdAt), memberTz).date === today).length;
  if (todays >= input.limits.perCardPerDay)
    return refuse(amountFen, 'LIMIT_REACHED', `${input.limits.perCardPerDay} offline uses a day`, who);

  const path = pathOf(s.orgs, member!.orgId);
  const verdict = evaluate({
    now: input.now,
    amountFen,
    ...(input.items ? { items: input.items } : {}),
    storeId: s.storeId,
    memberOrgPath: path,
    offers: s.offers,
    timeZoneOf: (id) => tz.get(id) ?? 'Asia/Shanghai',
    // Offline the terminal knows only its own queue; the server flags what it could not see.
    usageOf: (offerId) => {
      const zone = tz.get(s.offers.find((o) => o.id === offerId)?.orgId ?? '') ?? 'Asia/Shanghai';
      return countUses(
        input.queued.filter((q) => q.memberId === member!.id && q.offerIds.includes(offerId)).map((q) => q.createdAt),
        input.now,
        zone,
      );
    },
    remainingBudgetOf: () => 0,
    offline: true,
  });
  if (verdict.discountFen > input.limits.maxDiscountFen) {
    return refuse(amountFen, 'LIMIT_REACHED', `offline discounts are capped at ${input.limits.maxDiscountFen} fen a sale`, who);
  }
  return {
    ...verdict,
    ...(who ? { member: who } : {}),
    ...(card ? { card: { id: card.id, last4: card.last4 } } : {}),
    ...(qrNonce ? { qrNonce } : {}),
  };
}
