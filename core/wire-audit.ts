/**
 * Wire messages of the signed ledger head (GET /api/v1/audit/head and /audit/head/check): one zod schema
 * each, for validation and types alike.
 */
import { z } from 'zod';

const hash = z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits');

export const signedLedgerHeadSchema = z.object({
  /** Entries in the ledger (commits and voids) when it was signed. */
  seq: z.number().int().min(0),
  /** Hash of entry `seq` (the genesis hash, 64 zeros, for an empty ledger). */
  hash,
  /** When the server signed it (ISO 8601, UTC). */
  at: z.string(),
  /** The exact text signed: `huika-ledger-head/1\n{seq}\n{hash}\n{at}`. */
  signed: z.string(),
  /** Ed25519 signature of `signed`, base64. */
  signature: z.string(),
  /** The server's Ed25519 public key (SPKI PEM), the one terminals pin at enrolment. */
  publicKey: z.string(),
});
export type SignedLedgerHead = z.infer<typeof signedLedgerHeadSchema>;

/** An auditor's earlier head: does today's ledger still hold `hash` at `seq`? */
export const headCheckQuerySchema = z.object({
  seq: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  hash,
});

export const headCheckResponseSchema = z.object({
  /** True when entry `seq` still has `hash` and the chain from it to today's head is whole. */
  extends: z.boolean(),
  seq: z.number().int(),
  /** What today's ledger holds at `seq` (null: the ledger is shorter). */
  hashNow: hash.nullable(),
  /** The whole chain checked from the first entry to today's head. */
  chainOk: z.boolean(),
  message: z.string(),
  head: signedLedgerHeadSchema,
});
export type HeadCheckResponse = z.infer<typeof headCheckResponseSchema>;
