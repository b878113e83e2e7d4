/** The member page's messages (CONTRACT.md v2 "Members"): sign-in, codes, offers, feedback, complaints. */
import { z } from 'zod';
import { conditionsSchema, fen, idSchema, isoInstant, ruleSchema } from './domain.ts';
import { redemptionSchema } from './wire.ts';

const memberNo = z.string().regex(/^\d{10}$/, '10 digits');

export const memberSessionRequestSchema = z.object({
  memberNo,
  password: z.string().min(1).max(256),
  /** The device key the phone generated (32 random bytes, base64url); absent: the server keeps one for GET /member/qr. */
  deviceKey: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, '32 bytes, base64url')
    .optional(),
});

export const memberViewSchema = z.object({
  maskedName: z.string(),
  memberNoMasked: z.string(),
  orgId: z.string(),
  orgName: z.string().optional(),
});

export const memberSessionSchema = z.object({
  token: z.string(),
  member: memberViewSchema,
  /** The device the page makes codes for: its id, and the server's clock so a phone's own clock can be corrected. */
  device: z.object({ id: z.string(), serverTime: isoInstant }),
  /** Signed in with an activation code: only POST /member/password works until a password is chosen. */
  passwordChangeRequired: z.boolean(),
});

export const memberPasswordRequestSchema = z.object({
  current: z.string().min(1).max(256),
  next: z.string().min(8, 'at least 8 characters').max(256),
});

export const memberQrSchema = z.object({ qr: z.string(), expiresAt: isoInstant });

/** GET /member/redemptions: newest first, a page at a time; `cursor` is the previous page's nextCursor. */
export const memberRedemptionsQuerySchema = z.object({
  cursor: z.string().regex(/^\d+$/, 'a nextCursor from the previous page').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const feedbackRequestSchema = z.object({
  rating: z.number().int().min(1).max(5),
  honoured: z.boolean(),
  comment: z.string().trim().max(280).optional(),
});

export const complaintSchema = z.object({
  status: z.enum(['open', 'answered', 'closed']),
  answer: z.string().optional(),
  answeredBy: z.string().optional(),
  answeredAt: isoInstant.optional(),
  closedBy: z.string().optional(),
  closedAt: isoInstant.optional(),
});

/** What a portal reader sees of one feedback: never who gave it. */
export const feedbackItemSchema = z.object({
  id: z.string(),
  redemptionId: z.string(),
  merchantId: z.string(),
  storeId: z.string(),
  rating: z.number().int(),
  honoured: z.boolean(),
  comment: z.string().optional(),
  createdAt: isoInstant,
  complaint: complaintSchema.optional(),
});
export type FeedbackItem = z.infer<typeof feedbackItemSchema>;

export const feedbackListSchema = z.object({
  items: z.array(feedbackItemSchema),
  /** Of the items in this answer. */
  summary: z.object({ count: z.number().int(), averageRating: z.number().nullable(), notHonoured: z.number().int() }),
  /** With `limit`: pass it back as `cursor` for the next (older) page; absent on the last. */
  nextCursor: z.string().optional(),
});
export type FeedbackList = z.infer<typeof feedbackListSchema>;

export const feedbackQuerySchema = z.object({
  merchantId: idSchema.optional(),
  orgId: idSchema.optional(),
  from: z.union([z.iso.date(), isoInstant]).optional(),
  to: z.union([z.iso.date(), isoInstant]).optional(),
  complaint: z.enum(['open', 'answered', 'closed']).optional(),
  /** Keyset paging, newest first: a page of at most `limit`, `nextCursor` while older ones follow. Without it, every match (older clients). */
  limit: z.coerce.number().int().min(1).max(500).optional(),
  /** The previous page's nextCursor (a feedback id). */
  cursor: idSchema.optional(),
});

export const complaintAnswerSchema = z.object({ answer: z.string().trim().min(1).max(500) });

/** A merchant's yearly grade: stars from ratings and complaints, with the figures behind it. */
export const merchantGradeSchema = z.object({
  merchantId: z.string(),
  year: z.string(),
  count: z.number().int(),
  averageRating: z.number().nullable(),
  notHonoured: z.number().int(),
  stars: z.number().int().min(0).max(5),
});
export type MerchantGrade = z.infer<typeof merchantGradeSchema>;

/** What applies to a member: each offer with its merchant, stores, hours and what is left of a campaign's budget. */
export const memberOfferSchema = z.object({
  id: z.string(),
  version: z.number().int(),
  kind: z.enum(['agreement', 'campaign']),
  title: z.string(),
  titleEn: z.string().optional(),
  rule: ruleSchema,
  conditions: conditionsSchema,
  merchantId: z.string(),
  merchantName: z.string(),
  orgId: z.string(),
  orgName: z.string(),
  stores: z.array(z.object({ id: z.string(), name: z.string() })),
  remainingBudgetFen: fen.optional(),
  budgetFen: fen.optional(),
});
export type MemberOffer = z.infer<typeof memberOfferSchema>;

/** One of the member's own redemptions as the member page shows it: names, the receipt check link, their feedback. */
export const memberRedemptionSchema = redemptionSchema.extend({
  merchantName: z.string(),
  storeName: z.string(),
  receiptUrl: z.string(),
  feedback: feedbackItemSchema.optional(),
});
export const memberRedemptionListSchema = z.object({
  items: z.array(memberRedemptionSchema),
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type MemberRedemption = z.infer<typeof memberRedemptionSchema>;
export type MemberRedemptionList = z.infer<typeof memberRedemptionListSchema>;
