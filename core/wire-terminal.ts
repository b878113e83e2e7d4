/** Messages between a terminal and the server beyond the public quote/redeem contract: offline support. */
import { z } from 'zod';
import { CREDENTIAL_TYPES } from './credentials.ts';
import { cardStatus, fen, isoInstant, memberStatus, offerSchema } from './domain.ts';
import { offlineTag } from './offline-hash.ts';
import { idempotencyKey, itemSchema, lineSchema, reasonSchema, redemptionSchema } from './wire.ts';

const snapshotHeader = {
  terminalId: z.string(),
  storeId: z.string(),
  merchantId: z.string(),
  storeName: z.string(),
  merchantName: z.string(),
  /** The merchant's sale maximum (Merchant.maxSaleFen): above it the cashier confirms once more. Absent: the terminal's own setting. */
  maxSaleFen: fen.min(1).optional(),
  issuedAt: isoInstant,
  /** After this long without a fresh snapshot, offline discounts stop. */
  maxAgeSeconds: z.number().int().positive(),
  /** Key of the offline hashes below (core/offline-hash.ts). */
  offlineKey: z.string().length(64),
  orgs: z.array(z.object({ id: z.string(), parentId: z.string().nullable(), timeZone: z.string() })),
  offers: z.array(offerSchema),
  /**
   * The phones of those members that make living member codes (core/member-code.ts): device id, member,
   * and the device's offline MAC key (hex). Never the device key itself: with these a stolen terminal can
   * make codes only other offline terminals accept, never the server. Absent in older snapshots.
   */
  memberCodes: z.array(z.object({ d: z.string(), memberId: z.string(), k: z.string().regex(/^[0-9a-f]{64}$/) })).default([]),
};

/** Member statuses and card statuses as the small numbers snapshot rows carry (index in these lists). */
export const SNAPSHOT_MEMBER_STATUS = memberStatus.options;
export const SNAPSHOT_CARD_STATUS = cardStatus.options;

/**
 * The compact snapshot (format 2): one row per member, `[tag, id, org, status]`, and per card,
 * `[tag, id, member, status, last4]`, where a tag is offlineTag() of the member number's or the card
 * number's offline hash, `org` an index into `orgs`, `member` an index into `members`, and the statuses
 * indexes into SNAPSHOT_MEMBER_STATUS / SNAPSHOT_CARD_STATUS. No names, no member or card numbers.
 * `region` names the unions whose members it holds (with those below them): anyone else is online only.
 */
export const snapshotWireSchema = z.object({
  format: z.literal('huika-snapshot/2'),
  ...snapshotHeader,
  region: z.array(z.string()),
  members: z.array(z.tuple([z.string(), z.string(), z.number().int().min(0), z.number().int().min(0)])),
  cards: z.array(z.tuple([z.string(), z.string(), z.number().int().min(0), z.number().int().min(0), z.string()])),
});
export type SnapshotWire = z.input<typeof snapshotWireSchema>;

/** Format 1 (one object per member, with masked names), still read so a saved older snapshot keeps working. */
const snapshotV1Schema = z.object({
  format: z.literal('huika-snapshot/1'),
  ...snapshotHeader,
  members: z.array(
    z.object({ h: z.string(), id: z.string(), orgId: z.string(), status: memberStatus, name: z.string(), memberNoMasked: z.string() }),
  ),
  cards: z.array(z.object({ h: z.string(), id: z.string(), memberId: z.string(), status: cardStatus, last4: z.string() })),
});

type Decoded = Omit<z.output<typeof snapshotWireSchema>, 'format' | 'members' | 'cards'> & {
  format: 'huika-snapshot/1' | 'huika-snapshot/2';
  /** `h` is offlineTag() of the member number's offline hash. */
  members: { h: string; id: string; orgId: string; status: z.infer<typeof memberStatus> }[];
  cards: { h: string; id: string; memberId: string; status: z.infer<typeof cardStatus>; last4: string }[];
};

/** What a terminal may know to serve members while the server is unreachable: either format, decoded into rows. */
export const snapshotPayloadSchema = z.union([snapshotWireSchema, snapshotV1Schema]).transform((p, ctx): Decoded => {
  if (p.format === 'huika-snapshot/1') {
    return {
      ...p,
      region: [],
      members: p.members.map((m) => ({ h: offlineTag(m.h), id: m.id, orgId: m.orgId, status: m.status })),
      cards: p.cards.map((c) => ({ ...c, h: offlineTag(c.h) })),
    };
  }
  const bad = (what: string) => {
    ctx.addIssue({ code: 'custom', message: `snapshot ${what} out of range` });
    return z.NEVER;
  };
  const members: Decoded['members'] = [];
  for (const [h, id, org, st] of p.members) {
    const orgId = p.orgs[org]?.id;
    const status = SNAPSHOT_MEMBER_STATUS[st];
    if (orgId === undefined || status === undefined) return bad('member row');
    members.push({ h, id, orgId, status });
  }
  const cards: Decoded['cards'] = [];
  for (const [h, id, m, st, last4] of p.cards) {
    const memberId = members[m]?.id;
    const status = SNAPSHOT_CARD_STATUS[st];
    if (memberId === undefined || status === undefined) return bad('card row');
    cards.push({ h, id, memberId, status, last4 });
  }
  return { ...p, members, cards };
});
export type SnapshotPayload = z.output<typeof snapshotPayloadSchema>;

/** The payload as exact JSON text plus an Ed25519 signature over those bytes. */
export const signedSnapshotSchema = z.object({ payload: z.string(), signature: z.string() });
export type SignedSnapshot = z.infer<typeof signedSnapshotSchema>;

export const offlineRedemptionSchema = z.object({
  idempotencyKey,
  createdAt: isoInstant,
  memberId: z.string().min(1).max(64),
  cardId: z.string().min(1).max(64).optional(),
  cardLast4: z
    .string()
    .regex(/^\d{4}$/)
    .optional(),
  credentialType: z.enum(CREDENTIAL_TYPES),
  amountFen: fen,
  items: z.array(itemSchema).max(500).optional(),
  lines: z.array(lineSchema).max(4),
  discountFen: fen,
  payableFen: fen,
  snapshotIssuedAt: isoInstant,
  /** A living member code's nonce (`m2.<device>.<step>`): the server refuses to count one code twice. */
  qrNonce: z
    .string()
    .regex(/^m2\.[A-Z2-7]{8}\.\d{1,12}$/i)
    .optional(),
});
export type OfflineRedemption = z.infer<typeof offlineRedemptionSchema>;

export const offlineUploadSchema = z.object({ items: z.array(offlineRedemptionSchema).min(1).max(500) });

export const offlineOutcomeSchema = z.object({
  idempotencyKey: z.string(),
  outcome: z.enum(['accepted', 'flagged', 'rejected']),
  reasons: z.array(reasonSchema),
  redemption: redemptionSchema.optional(),
});
export type OfflineOutcome = z.infer<typeof offlineOutcomeSchema>;
export const offlineUploadResultSchema = z.object({ results: z.array(offlineOutcomeSchema) });
