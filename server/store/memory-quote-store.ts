/**
 * The embedded QuoteStore: a bounded table in memory. Quotes die with the process, which is fine: a
 * quote is a promise to honour a price for a short while, not a record; after a restart the terminal
 * scans again, and redemptions are what is durable.
 *
 * Why bounded: each quote used to be kept with the whole answer for its 120 s plus 10 minutes, about
 * 1.2 KB of live heap each; at 4,500 quotes a second the heap grew 66 → 385 MB in 80 s and would have hit
 * V8's limit. Now a compact record is kept for its lifetime plus QUOTE_GRACE_MS, at most `maxQuotes` of
 * them, and a full table answers QUOTES_FULL (503) instead of growing until the process dies.
 */
import { QUOTE_GRACE_MS, type QuoteRecord, type QuoteStore } from './quote-store.ts';

/** About 610 bytes of live heap a quote (bench/quote-memory.ts): at most ~150 MB, and 250,000 open quotes is 1,400 a second for their 180 s. */
export const DEFAULT_MAX_QUOTES = 250_000;

export class MemoryQuoteStore implements QuoteStore {
  // A Map iterates in insertion order, and quotes share one lifetime: the oldest expire first.
  private readonly quotes = new Map<string, QuoteRecord>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly now: () => Date,
    private readonly maxQuotes = DEFAULT_MAX_QUOTES,
  ) {
    this.timer = setInterval(() => this.sweep(this.now().getTime()), 10_000);
    this.timer.unref();
  }

  async put(rec: QuoteRecord): Promise<'stored' | 'full'> {
    if (this.quotes.size >= this.maxQuotes) {
      this.sweep(this.now().getTime());
      if (this.quotes.size >= this.maxQuotes) return 'full';
    }
    this.quotes.set(rec.quoteId, rec);
    return 'stored';
  }

  async get(quoteId: string): Promise<QuoteRecord | undefined> {
    return this.quotes.get(quoteId);
  }

  async take(quoteId: string): Promise<void> {
    this.quotes.delete(quoteId);
  }

  async expire(nowMs: number): Promise<number> {
    return this.sweep(nowMs);
  }

  /** From the oldest: stops at the first quote still kept, so a sweep costs what it removes (a longer TTL set later only delays). */
  private sweep(nowMs: number): number {
    let n = 0;
    for (const [id, q] of this.quotes) {
      if (q.expiresMs + QUOTE_GRACE_MS >= nowMs) break;
      this.quotes.delete(id);
      n++;
    }
    return n;
  }

  get size(): number {
    return this.quotes.size;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
  }
}
