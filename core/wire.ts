/**
 * The public wire contract (shared/CONTRACT.md): one zod schema per message, used both to validate and
 * as the TypeScript type, by the server, the terminal and the simulator alike.
 */
import { z } from 'zod';
import { CREDENTIAL_TYPES } from './credentials.ts';
import { fen, idSchema, isoInstant } from './domain.ts';

export const credentialSchema = z.object({
  type: z.enum(CREDENTIAL_TYPES),
  data: z.string().min(1).max(1024),
});
export type Credential = z.infer<typeof credentialSchema>;

export const itemSchema = z.object({
  sku: z.string().min(1).max(64),
  qty: z.number().int().min(1).max(10_000),
  unitPriceFen: fen,
});
export type Item = z.infer<typeof itemSchema>;

const MAX_SALE_FEN = 100_000_000_00; // ¥100 million: far above any till, far below float trouble.

export const quoteRequestSchema = z
  .object({
    credential: credentialSchema,
    amountFen: fen.max(MAX_SALE_FEN),
    items: z.array(itemSchema).max(500).optional(),
  })
  .refine((q) => !q.items || q.items.reduce((s, i) => s + i.qty * i.unitPriceFen, 0) <= q.amountFen, {
    message: 'the items add up to more than amountFen',
    path: ['items'],
  });
export type QuoteRequest = z.infer<typeof quoteRequestSchema>;

export const reasonSchema = z.object({
  code: z.string(),
  message: z.string(),
  messageZh: z.string().optional(),
  /** The agreement or campaign the reason is about, when it is about one. */
  agreementId: z.string().optional(),
});
export type Reason = z.infer<typeof reasonSchema>;

export const lineSchema = z.object({
  agreementId: z.string(),
  agreementVersion: z.number().int(),
  title: z.string(),
  discountFen: fen,
  funding: z.object({ merchantFen: fen, unionFen: fen, campaignId: z.string().optional() }),
});
export type Line = z.infer<typeof lineSchema>;

export const quoteSchema = z.object({
  quoteId: z.string(),
  expiresAt: isoInstant,
  eligible: z.boolean(),
  member: z.object({ maskedName: z.string(), memberNoMasked: z.string() }).optional(),
  reasons: z.array(reasonSchema),
  /** Why each offer of this merchant did or did not apply: the cashier's and the auditor's "why". */
  skipped: z.array(reasonSchema.extend({ agreementVersion: z.number().int() })).default([]),
  lines: z.array(lineSchema),
  amountFen: fen,
  discountFen: fen,
  payableFen: fen,
});
export type Quote = z.infer<typeof quoteSchema>;

export const idempotencyKey = z
  .string()
  .min(8)
  .max(128)
  .regex(/^[A-Za-z0-9_.:-]+$/);

export const redemptionRequestSchema = z.object({ quoteId: z.string().min(1).max(128), idempotencyKey });
export type RedemptionRequest = z.infer<typeof redemptionRequestSchema>;

export const redemptionSchema = z.object({
  id: z.string(),
  seq: z.number().int(),
  /**
   * The receipt number people read: 1, 2, 3 … over all redemptions, without gaps (a void keeps its
   * receipt's number and takes none of its own; `seq` counts ledger entries, voids included). Assigned by
   * the store in the same atomic step as the commit; absent only from servers before it existed.
   */
  receiptNo: z.number().int().positive().optional(),
  idempotencyKey: z.string(),
  status: z.enum(['committed', 'voided']),
  merchantId: z.string(),
  storeId: z.string(),
  terminalId: z.string(),
  memberNoMasked: z.string(),
  /** The member's union: unions audit and report by it. */
  memberOrgId: z.string(),
  credentialType: z.enum(CREDENTIAL_TYPES),
  cardLast4: z.string().optional(),
  amountFen: fen,
  discountFen: fen,
  payableFen: fen,
  lines: z.array(lineSchema),
  /** The sale's items when the till sent them: fixed-price lines are recomputed from them in audits. */
  items: z.array(itemSchema).optional(),
  createdAt: isoInstant,
  offline: z.boolean(),
  /** Offline redemptions the server accepted with reservations (e.g. the card was reported lost first). */
  flags: z.array(z.object({ code: z.string(), message: z.string() })).optional(),
  voidedAt: isoInstant.optional(),
  voidReason: z.string().optional(),
  hash: z.string(),
  prevHash: z.string(),
});
export type Redemption = z.infer<typeof redemptionSchema>;

export const voidRequestSchema = z.object({ reason: z.string().trim().min(1).max(500) });

export const enrollRequestSchema = z.object({ pairingCode: z.string().min(1).max(64) });
export const enrollResponseSchema = z.object({
  terminalId: z.string(),
  token: z.string(),
  storeId: z.string(),
  merchantId: z.string(),
  serverPublicKey: z.string(),
});
export type EnrollResponse = z.infer<typeof enrollResponseSchema>;

export const sessionRequestSchema = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) });

const dateOrInstant = z.union([z.iso.date(), isoInstant]);
export const redemptionQuerySchema = z.object({
  merchantId: idSchema.optional(),
  storeId: idSchema.optional(),
  terminalId: idSchema.optional(),
  orgId: idSchema.optional(),
  from: dateOrInstant.optional(),
  to: dateOrInstant.optional(),
  status: z.enum(['committed', 'voided']).optional(),
  funding: z.enum(['merchant', 'union']).optional(),
  /** One receipt number (as printed, leading zeros allowed): the log's "find by number". */
  receiptNo: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  cursor: z.string().regex(/^\d+$/).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export type RedemptionQuery = z.infer<typeof redemptionQuerySchema>;

export const settlementQuerySchema = z.object({
  orgId: idSchema.optional(),
  from: dateOrInstant.optional(),
  to: dateOrInstant.optional(),
});

export const settlementSchema = z.object({
  rows: z.array(z.object({ merchantId: z.string(), campaignId: z.string(), count: z.number().int(), unionFen: fen })),
  totalUnionFen: fen,
  /**
   * Voids of redemptions that an approved or paid statement already counted, not yet carried by a later
   * statement: the live rows above no longer include them, and the union's next statement deducts them.
   */
  pendingAdjustments: z
    .array(
      z.object({
        redemptionId: z.string(),
        statementId: z.string(),
        merchantId: z.string(),
        campaignId: z.string(),
        unionFen: fen,
        voidedAt: isoInstant,
      }),
    )
    .optional(),
  pendingAdjustmentFen: fen.optional(),
});
export type Settlement = z.infer<typeof settlementSchema>;

export const errorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

/** zod issues → the contract's `details`: one entry per failing field path. */
export function issuesToDetails(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: i.message }));
}
