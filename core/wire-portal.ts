/**
 * Wire schemas of the merchant and union portals (issue 5): one zod schema per message, the validator
 * and the type at once. The core contract's messages stay in wire.ts.
 */
import { z } from 'zod';
import { anomalyThresholdsSchema, fen, idSchema, isoInstant } from './domain.ts';

const dateOrInstant = z.union([z.iso.date(), isoInstant]);
const localDate = z.iso.date();

/** GET /portal/me: who I am, what I may see, and the server's clock (pages default their ranges to it). */
export const portalMeSchema = z.object({
  user: z.object({
    id: z.string(),
    username: z.string(),
    displayName: z.string(),
    role: z.string(),
    orgId: z.string().nullable(),
    merchantId: z.string().nullable(),
  }),
  org: z.object({ id: z.string(), name: z.string(), nameEn: z.string().optional() }).nullable(),
  merchant: z.object({ id: z.string(), name: z.string(), nameEn: z.string().optional() }).nullable(),
  timeZone: z.string(),
  serverTime: isoInstant,
  /** Merchants, stores and unions the caller may see, for filter menus and names. */
  merchants: z.array(z.object({ id: z.string(), name: z.string(), nameEn: z.string().optional() })),
  stores: z.array(z.object({ id: z.string(), merchantId: z.string(), name: z.string(), nameEn: z.string().optional() })),
  terminals: z.array(z.object({ id: z.string(), storeId: z.string() })),
  orgs: z.array(z.object({ id: z.string(), name: z.string(), nameEn: z.string().optional(), parentId: z.string().nullable() })),
});
export type PortalMe = z.infer<typeof portalMeSchema>;

// ---- merchant portal ----

export const totalsQuerySchema = z.object({
  from: dateOrInstant.optional(),
  to: dateOrInstant.optional(),
  storeId: idSchema.optional(),
  /** day or month buckets, in the merchant's zone (the union's: Asia/Shanghai by default) */
  granularity: z.enum(['day', 'month']).default('day'),
});
export type TotalsQuery = z.infer<typeof totalsQuerySchema>;

export const totalsRowSchema = z.object({
  period: z.string(),
  storeId: z.string(),
  count: z.number().int(),
  salesFen: fen,
  discountFen: fen,
  merchantFen: fen,
  /** union money owed to the merchant (committed, not voided) */
  unionFen: fen,
});
export const totalsSchema = z.object({
  granularity: z.enum(['day', 'month']),
  timeZone: z.string(),
  rows: z.array(totalsRowSchema),
  total: totalsRowSchema.omit({ period: true, storeId: true }),
});
export type Totals = z.infer<typeof totalsSchema>;

export const terminalStatusSchema = z.object({
  id: z.string(),
  storeId: z.string(),
  /** pending: a pairing code is out but nobody used it yet; never: neither enrolled nor pending */
  state: z.enum(['online', 'offline', 'pending', 'never']),
  enrolledAt: isoInstant.nullable(),
  lastSeenAt: isoInstant.nullable(),
});
export const terminalListSchema = z.object({ items: z.array(terminalStatusSchema) });
export type TerminalStatus = z.infer<typeof terminalStatusSchema>;

export const pairingRequestSchema = z.object({ storeId: idSchema });
export const pairingResponseSchema = z.object({ terminalId: z.string(), storeId: z.string(), pairingCode: z.string() });
export type PairingResponse = z.infer<typeof pairingResponseSchema>;

// ---- union portal: audit ----

export const auditQuerySchema = z.object({
  merchantId: idSchema.optional(),
  from: dateOrInstant.optional(),
  to: dateOrInstant.optional(),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export const recomputeMismatchSchema = z.object({
  redemptionId: z.string(),
  agreementId: z.string().optional(),
  agreementVersion: z.number().int().optional(),
  field: z.string(),
  expected: z.union([z.number(), z.string()]),
  actual: z.union([z.number(), z.string()]),
  explanation: z.string(),
  explanationZh: z.string(),
});
export type RecomputeMismatch = z.infer<typeof recomputeMismatchSchema>;
export const recomputeReportSchema = z.object({
  checked: z.number().int(),
  /** lines whose rule needs the sale's items (fixed price), which redemptions do not record: bounds checked only */
  boundsOnly: z.number().int(),
  mismatches: z.array(recomputeMismatchSchema),
});
export type RecomputeReport = z.infer<typeof recomputeReportSchema>;

export const anomalyKindSchema = z.enum(['member_burst', 'odd_hours', 'terminal_volume', 'void_after_statement']);
export const anomalySchema = z.object({
  kind: anomalyKindSchema,
  /** the instant the pattern starts (ISO, with the union's offset) */
  at: z.string(),
  redemptionIds: z.array(z.string()),
  /** the same redemptions' receipt numbers as the logs print them (00000042; the record id before receipt numbers) */
  receiptNos: z.array(z.string()),
  merchantId: z.string(),
  terminalId: z.string().optional(),
  explanation: z.string(),
  explanationZh: z.string(),
});
export type Anomaly = z.infer<typeof anomalySchema>;
export const anomalyReportSchema = z.object({ checked: z.number().int(), flags: z.array(anomalySchema) });
export type AnomalyReport = z.infer<typeof anomalyReportSchema>;
/** A union's anomaly thresholds as the union page reads them (GET/PUT /audit/anomaly-settings). */
export const anomalySettingsViewSchema = z.object({
  orgId: z.string(),
  thresholds: anomalyThresholdsSchema,
  defaults: anomalyThresholdsSchema,
  /** absent while the defaults apply */
  updatedAt: z.string().optional(),
  updatedBy: z.string().optional(),
  /** whether the caller may change them (that union's own auditors and admins) */
  mayChange: z.boolean(),
});
export type AnomalySettingsView = z.infer<typeof anomalySettingsViewSchema>;

// ---- union portal: settlement statements ----

/** A draft can be cancelled (a wrong period, a rerun); approved and paid statements cannot. */
export const statementStatusSchema = z.enum(['draft', 'approved', 'paid', 'cancelled']);
export type StatementStatus = z.infer<typeof statementStatusSchema>;
export const statementRowSchema = z.object({ merchantId: z.string(), campaignId: z.string(), count: z.number().int(), unionFen: fen });
/**
 * Union money an approved or paid statement counted for a redemption that was voided afterwards: the
 * earlier statement never changes, so the union's next statement carries it, deducted.
 */
export const statementAdjustmentSchema = z.object({
  redemptionId: z.string(),
  /** the approved or paid statement that counted the redemption */
  statementId: z.string(),
  merchantId: z.string(),
  /** the union-funded offer (campaign, or co-funded agreement) whose money it was */
  campaignId: z.string(),
  /** what the earlier statement counted and this one deducts */
  unionFen: fen,
  voidedAt: isoInstant,
});
export type StatementAdjustment = z.infer<typeof statementAdjustmentSchema>;
export const statementSchema = z.object({
  id: idSchema,
  /** the union that owes the money; covers campaigns signed by it and the unions below it */
  orgId: idSchema,
  from: localDate,
  to: localDate,
  timeZone: z.string(),
  status: statementStatusSchema,
  rows: z.array(statementRowSchema),
  /** union money of the period's committed redemptions (the rows) */
  totalUnionFen: fen,
  /** the redemptions whose union money was counted: a later void of one of them is an anomaly */
  redemptionIds: z.array(z.string()),
  /** voids, since an approved or paid statement, of redemptions it counted: deducted here (absent in statements drafted before adjustments) */
  adjustments: z.array(statementAdjustmentSchema).default([]),
  adjustmentFen: fen.default(0),
  /** what the union owes on this statement: totalUnionFen − adjustmentFen (negative when the merchants owe the union) */
  netUnionFen: z.number().int().optional(),
  createdAt: isoInstant,
  createdBy: z.string(),
  approvedAt: isoInstant.optional(),
  approvedBy: z.string().optional(),
  paidAt: isoInstant.optional(),
  paidBy: z.string().optional(),
  cancelledAt: isoInstant.optional(),
  cancelledBy: z.string().optional(),
});
export type Statement = z.infer<typeof statementSchema>;
/** Statements in listings leave out the redemption ids. */
export const statementSummarySchema = statementSchema.omit({ redemptionIds: true }).extend({ redemptionCount: z.number().int() });
export type StatementSummary = z.infer<typeof statementSummarySchema>;
export const statementListSchema = z.object({ items: z.array(statementSummarySchema) });

export const statementCreateSchema = z
  .object({ from: localDate, to: localDate, orgId: idSchema.optional() })
  .refine((s) => s.from <= s.to, { message: 'from must not be after to', path: ['to'] });
export type StatementCreate = z.infer<typeof statementCreateSchema>;

// ---- union portal: statistics ----

export const statsQuerySchema = z.object({
  from: dateOrInstant.optional(),
  to: dateOrInstant.optional(),
  merchantId: idSchema.optional(),
});
const statsCell = z.object({
  personTimes: z.number().int(),
  uniqueMembers: z.number().int(),
  amountFen: fen,
  discountFen: fen,
  unionFen: fen,
});
export const statsSchema = z.object({
  total: statsCell,
  byOrg: z.array(statsCell.extend({ orgId: z.string() })),
  byMerchant: z.array(statsCell.extend({ merchantId: z.string() })),
  campaigns: z.array(
    z.object({
      campaignId: z.string(),
      merchantId: z.string(),
      title: z.string(),
      budgetFen: fen,
      /** union money committed in the chosen period */
      periodFen: fen,
      /** union money committed since the campaign began (voids given back) */
      spentFen: fen,
    }),
  ),
});
export type Stats = z.infer<typeof statsSchema>;
