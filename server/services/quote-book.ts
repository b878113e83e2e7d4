/**
 * Quotes live in memory until they expire: a quote is a promise to honour a price for a short while,
 * not a record. After a restart the terminal simply scans again; redemptions are what is durable.
 */
import type { CredentialType } from '../../core/credentials.ts';
import type { Item, Quote } from '../../core/wire.ts';

export interface QuoteRecord {
  quote: Quote;
  terminalId: string;
  storeId: string;
  merchantId: string;
  memberId?: string;
  memberOrgId?: string;
  memberNoMasked?: string;
  credentialType: CredentialType;
  cardId?: string;
  cardLast4?: string;
  qrNonce?: string;
  items?: Item[];
  expiresMs: number;
}

export class QuoteBook {
  private readonly quotes = new Map<string, QuoteRecord>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly now: () => Date) {
    // Sweep every 30 s; a lookup also checks expiry, so the sweep only bounds memory.
    this.timer = setInterval(() => this.sweep(), 30_000);
    this.timer.unref();
  }

  put(rec: QuoteRecord): void {
    this.quotes.set(rec.quote.quoteId, rec);
  }

  get(id: string): QuoteRecord | undefined {
    return this.quotes.get(id);
  }

  sweep(): void {
    // Keep expired quotes a little longer so a late confirm gets QUOTE_EXPIRED, not QUOTE_NOT_FOUND.
    const cutoff = this.now().getTime() - 10 * 60_000;
    for (const [id, q] of this.quotes) if (q.expiresMs < cutoff) this.quotes.delete(id);
  }

  get size(): number {
    return this.quotes.size;
  }

  close(): void {
    clearInterval(this.timer);
  }
}
