/** The terminal's local API (CONTRACT.md "Terminal local API") and what the cashier page hears. */
import { z } from 'zod';
import { fen, isoInstant } from './domain.ts';
import { credentialSchema, itemSchema, lineSchema, quoteSchema, reasonSchema, redemptionSchema } from './wire.ts';

export const checkoutCreateSchema = z
  .object({ amountFen: fen.min(1).max(100_000_000_00), items: z.array(itemSchema).max(500).optional() })
  .refine((c) => !c.items || c.items.reduce((s, i) => s + i.qty * i.unitPriceFen, 0) <= c.amountFen, {
    message: 'the items add up to more than amountFen',
    path: ['items'],
  });

export const checkoutCredentialSchema = credentialSchema;

/** An offline redemption as the till knows it before the server has seen it. */
export const queuedRedemptionSchema = z.object({
  id: z.string(),
  idempotencyKey: z.string(),
  status: z.literal('queued'),
  offline: z.literal(true),
  memberNoMasked: z.string(),
  amountFen: fen,
  discountFen: fen,
  payableFen: fen,
  lines: z.array(lineSchema),
  createdAt: isoInstant,
});

export const checkoutStateSchema = z.enum(['waiting_for_card', 'quoted', 'redeemed', 'cancelled', 'failed']);

export const checkoutSchema = z.object({
  checkoutId: z.string(),
  state: checkoutStateSchema,
  amountFen: fen,
  items: z.array(itemSchema).optional(),
  createdAt: isoInstant,
  /** The quote, with `offline: true` when the terminal answered it from its snapshot. */
  quote: quoteSchema.extend({ offline: z.boolean() }).optional(),
  redemption: z.union([redemptionSchema, queuedRedemptionSchema]).optional(),
  /** Why the last step did not work, for the cashier, in both languages. */
  error: reasonSchema.optional(),
  receipt: z.object({ lines: z.array(z.string()), qrText: z.string().optional() }).optional(),
});
export type Checkout = z.infer<typeof checkoutSchema>;

export const connectivitySchema = z.object({
  online: z.boolean(),
  socket: z.boolean(),
  lastError: z.string().optional(),
  snapshotIssuedAt: z.string().optional(),
  snapshotStale: z.boolean(),
  queued: z.number().int(),
  terminalId: z.string(),
  storeId: z.string(),
  storeName: z.string().optional(),
  merchantId: z.string(),
  /** Above this amount the cashier page asks to confirm the sale (the merchant's maxSaleFen from the snapshot, else the terminal setting). */
  maxSaleFen: z.number().int().optional(),
});
export type Connectivity = z.infer<typeof connectivitySchema>;
