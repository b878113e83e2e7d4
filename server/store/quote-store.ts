/**
 * The quote port: where a quote waits between the scan and the confirm. The embedded server keeps them
 * in a bounded table in memory (memory-quote-store.ts); a PostgreSQL deployment keeps them in the
 * database, so any instance can redeem a quote another one made (DESIGN.md: quotes live in the store).
 * Only what a redemption needs is kept, not the answer the terminal was shown.
 */
import type { CredentialType } from '../../core/credentials.ts';
import type { Item, Line } from '../../core/wire.ts';

export interface QuoteRecord {
  quoteId: string;
  terminalId: string;
  storeId: string;
  merchantId: string;
  expiresMs: number;
  /** False: the quote gives nothing; the fields below are then absent and it is kept only to say so. */
  eligible: boolean;
  credentialType: CredentialType;
  memberId?: string;
  memberOrgId?: string;
  memberNoMasked?: string;
  cardId?: string;
  cardLast4?: string;
  qrNonce?: string;
  items?: Item[];
  amountFen: number;
  discountFen: number;
  payableFen: number;
  lines: Line[];
}

export interface QuoteStore {
  /** Keeps a quote until its expiry (plus a short grace). 'full' when the table has no room even after expiring. */
  put(rec: QuoteRecord): Promise<'stored' | 'full'>;
  /** The quote, expired or not, while it is kept; undefined once it is gone or was taken. */
  get(quoteId: string): Promise<QuoteRecord | undefined>;
  /** Forgets a quote once it is redeemed: a quote is honoured once. */
  take(quoteId: string): Promise<void>;
  /** Drops quotes whose expiry plus grace is before `nowMs`; returns how many. */
  expire(nowMs: number): Promise<number>;
  close(): Promise<void>;
}

/** How long an expired quote is kept, so that a late confirm hears QUOTE_EXPIRED rather than QUOTE_NOT_FOUND. */
export const QUOTE_GRACE_MS = 60_000;
