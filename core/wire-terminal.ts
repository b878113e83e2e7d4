/** Messages between a terminal and the server beyond the public quote/redeem contract: offline support. */
import { z } from 'zod';
import { CREDENTIAL_TYPES } from './credentials.ts';
import { cardStatus, fen, isoInstant, memberStatus, offerSchema } from './domain.ts';
import { idempotencyKey, itemSchema, lineSchema, reasonSchema, redemptionSchema } from './wire.ts';

/** What a terminal may know to serve members while the server is unreachable. */
export const snapshotPayloadSchema = z.object({
  format: z.literal('huika-snapshot/1'),
  terminalId: z.string(),
  storeId: z.string(),
  merchantId: z.string(),
  storeName: z.string(),
  merchantName: z.string(),
  issuedAt: isoInstant,
  /** After this long without a fresh snapshot, offline discounts stop. */
  maxAgeSeconds: z.number().int().positive(),
  /** Key of the offline hashes below (core/offline-hash.ts). */
  offlineKey: z.string().length(64),
  orgs: z.array(z.object({ id: z.string(), parentId: z.string().nullable(), timeZone: z.string() })),
  offers: z.array(offerSchema),
  members: z.array(
    z.object({ h: z.string(), id: z.string(), orgId: z.string(), status: memberStatus, name: z.string(), memberNoMasked: z.string() }),
  ),
  cards: z.array(z.object({ h: z.string(), id: z.string(), memberId: z.string(), status: cardStatus, last4: z.string() })),
  /**
   * The phones of those members that make living member codes (core/member-code.ts): device id, member,
   * and the device's offline MAC key (hex). Never the device key itself: with these a stolen terminal can
   * make codes only other offline terminals accept, never the server. Absent in older snapshots.
   */
  memberCodes: z.array(z.object({ d: z.string(), memberId: z.string(), k: z.string().regex(/^[0-9a-f]{64}$/) })).default([]),
});
export type SnapshotPayload = z.infer<typeof snapshotPayloadSchema>;

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
