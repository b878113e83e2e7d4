/**
 * The domain records, as zod schemas: the same schema validates the data file on load and types the code.
 */
import { z } from 'zod';

export const fen = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
export const bps = z.number().int().min(0).max(10000);
const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only');
export const idSchema = id;
/** IANA zone name; checked against Intl so a typo fails at load, not at the first quote. */
export const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'unknown IANA time zone');
export const isoInstant = z.iso.datetime({ offset: true });
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24-hour');
const localDate = z.iso.date();

export const orgSchema = z.object({
  id,
  name: z.string().min(1),
  nameEn: z.string().optional(),
  parentId: id.nullable(),
  timeZone: timeZone.default('Asia/Shanghai'),
});
export type Org = z.infer<typeof orgSchema>;

/** The thresholds of a union's anomaly flags (core/audit/anomalies.ts), as its audit page sets them. */
export const anomalyThresholdsSchema = z.strictObject({
  /** this many uses by one member … */
  burstCount: z.number().int().min(2).max(100),
  /** … within this many minutes */
  burstMinutes: z.number().int().min(1).max(1440),
  /** a terminal-day at least this many times its usual daily count … */
  volumeFactor: z.number().min(1.5).max(50),
  /** … and at least this many redemptions */
  volumeMin: z.number().int().min(1).max(100_000),
});
export type AnomalyThresholds = z.infer<typeof anomalyThresholdsSchema>;
export const ANOMALY_DEFAULTS: AnomalyThresholds = { burstCount: 3, burstMinutes: 60, volumeFactor: 3, volumeMin: 20 };

/** A union's own settings, kept by the server (one row a union): today its anomaly thresholds. */
export const unionSettingsSchema = z.object({
  orgId: id,
  anomaly: anomalyThresholdsSchema,
  updatedAt: isoInstant,
  updatedBy: z.string(),
});
export type UnionSettings = z.infer<typeof unionSettingsSchema>;

export const memberStatus = z.enum(['active', 'suspended']);
export const memberSchema = z.object({
  id,
  memberNo: z.string().regex(/^\d{10}$/),
  name: z.string().min(1),
  orgId: id,
  status: memberStatus,
});
export type Member = z.infer<typeof memberSchema>;

export const cardStatus = z.enum(['issued', 'activated', 'lost', 'frozen', 'replaced']);
export const cardSchema = z.object({
  id,
  memberId: id,
  /** HMAC-SHA256 of the PAN under the data directory's secret; the PAN itself is never kept. */
  panHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** The same PAN under the offline key (core/offline-hash.ts), so offline terminals can recognise the card. */
  offlineHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  last4: z.string().regex(/^\d{4}$/),
  status: cardStatus,
  updatedAt: isoInstant,
});
export type Card = z.infer<typeof cardSchema>;

export const merchantSchema = z.object({
  id,
  name: z.string().min(1),
  nameEn: z.string().optional(),
  /** The union that registered the merchant: its admins manage it before any agreement is signed. */
  orgId: id.optional(),
  /** Local opening hours (the till's zone); `to` before `from` runs past midnight. Audits flag sales outside them. */
  openingHours: z.object({ from: hhmm, to: hhmm }).optional(),
  /** Above this sale amount the cashier confirms once more (a typo guard); the terminal's own setting where absent. */
  maxSaleFen: fen.min(1).optional(),
});
export type Merchant = z.infer<typeof merchantSchema>;
export const storeSchema = z.object({
  id,
  merchantId: id,
  name: z.string().min(1),
  nameEn: z.string().optional(),
  /**
   * The union of the district or county the store is in (上海第1区总工会): its offline snapshot carries that
   * union's members (and those below it) only. Absent: the union that registered the merchant.
   */
  regionOrgId: id.optional(),
});
export type Store = z.infer<typeof storeSchema>;
export const terminalSchema = z.object({
  id,
  storeId: id,
  /** sha256 of the pairing code, cleared once used: a pairing code works once. */
  pairingCodeHash: z.string().nullable(),
  tokenHash: z.string().nullable(),
  enrolledAt: isoInstant.nullable(),
  lastSeenAt: isoInstant.nullable().default(null),
});
export type Terminal = z.infer<typeof terminalSchema>;

export const ruleSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('percent_off'), bps: bps.min(1) }),
  z.object({ kind: z.literal('fixed_price'), sku: z.string().min(1).max(64), priceFen: fen }),
  z.object({
    kind: z.literal('threshold'),
    thresholdFen: fen.min(1),
    reductionFen: fen.min(1),
    /** 满300减100 "per multiple": 600 → 200 off. Otherwise once per sale. */
    repeat: z.boolean().default(false),
  }),
]);
export type Rule = z.infer<typeof ruleSchema>;

export const conditionsSchema = z.object({
  validFrom: localDate.optional(),
  validTo: localDate.optional(),
  /** ISO weekdays, 1 = Monday … 7 = Sunday, in the signing union's time zone. */
  weekdays: z.array(z.number().int().min(1).max(7)).min(1).optional(),
  hours: z.object({ from: hhmm, to: hhmm }).optional(),
  /** Restrict to these stores of the merchant; absent = all its stores. */
  storeIds: z.array(id).min(1).optional(),
  /** Restrict to members of these unions (and their subtrees), each inside the signer's subtree; absent = the signer's whole subtree. */
  memberOrgIds: z.array(id).min(1).optional(),
  limits: z
    .object({
      perDay: z.number().int().min(1).optional(),
      perMonth: z.number().int().min(1).optional(),
      total: z.number().int().min(1).optional(),
    })
    .optional(),
  maxDiscountFen: fen.optional(),
});
export type Conditions = z.infer<typeof conditionsSchema>;

/**
 * An agreement (merchant-funded discount) or a campaign (union-funded, with a budget). Both are versioned:
 * editing makes a new version and redemptions cite the version they used.
 */
export const offerSchema = z.object({
  id,
  version: z.number().int().min(1),
  kind: z.enum(['agreement', 'campaign']),
  merchantId: id,
  /** The union that signed it; its members and those of every union below it are covered. */
  orgId: id,
  title: z.string().min(1).max(200),
  titleEn: z.string().max(200).optional(),
  rule: ruleSchema,
  conditions: conditionsSchema.default({}),
  /** Share of the discount the union reimburses: 0 for agreements, 10000 for a fully union-funded campaign. */
  unionShareBps: bps,
  /** Campaigns only: total union money that may ever be granted. */
  budgetFen: fen.optional(),
  status: z.enum(['active', 'ended']),
  createdAt: isoInstant,
});
export type Offer = z.infer<typeof offerSchema>;

export const roleSchema = z.enum(['admin', 'union_auditor', 'merchant_admin']);
export type Role = z.infer<typeof roleSchema>;
export const userSchema = z.object({
  id,
  username: z.string().min(1).max(64),
  displayName: z.string().min(1),
  role: roleSchema,
  /** admin and union_auditor: their union; merchant_admin: null. */
  orgId: id.nullable(),
  merchantId: id.nullable(),
  /** scrypt$N$salt$hash */
  passwordHash: z.string(),
  /** Demo accounts sign in only while the server runs with --demo. */
  demoOnly: z.boolean().default(false),
  /** Bumped when the password changes: session tokens carry it, so every older one stops working. */
  tokenVersion: z.number().int().min(0).optional(),
  /** Disabled by an admin: no sign-in, no session (the token version is bumped with it). */
  disabled: z.boolean().optional(),
});
export type User = z.infer<typeof userSchema>;
