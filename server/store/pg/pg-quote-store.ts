/**
 * Quotes in PostgreSQL (quote-store.ts): every instance sees every open quote. Bounded like the memory
 * table: past `maxQuotes` rows, expired ones are swept first and then QUOTES_FULL is answered.
 */
import type pg from 'pg';
import { QUOTE_GRACE_MS, type QuoteRecord, type QuoteStore } from '../quote-store.ts';

export class PgQuoteStore implements QuoteStore {
  private readonly timer: NodeJS.Timeout;
  /** Rows believed to be in the table; refreshed by each sweep, so the bound costs no count(*) per quote. */
  private approxRows = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly now: () => Date,
    private readonly maxQuotes = 1_000_000,
  ) {
    this.timer = setInterval(() => void this.expire(this.now().getTime()).catch(() => {}), 10_000);
    this.timer.unref();
  }

  async put(rec: QuoteRecord): Promise<'stored' | 'full'> {
    if (this.approxRows >= this.maxQuotes) {
      await this.expire(this.now().getTime());
      if (this.approxRows >= this.maxQuotes) return 'full';
    }
    await this.pool.query(
      'INSERT INTO quotes (quote_id, expires_ms, doc) VALUES ($1, $2, $3) ON CONFLICT (quote_id) DO UPDATE SET expires_ms = EXCLUDED.expires_ms, doc = EXCLUDED.doc',
      [rec.quoteId, rec.expiresMs, JSON.stringify(rec)],
    );
    this.approxRows++;
    return 'stored';
  }

  async get(quoteId: string): Promise<QuoteRecord | undefined> {
    return (await this.pool.query<{ doc: QuoteRecord }>('SELECT doc FROM quotes WHERE quote_id = $1', [quoteId])).rows[0]?.doc;
  }

  async take(quoteId: string): Promise<void> {
    await this.pool.query('DELETE FROM quotes WHERE quote_id = $1', [quoteId]);
  }

  async expire(nowMs: number): Promise<number> {
    const gone = await this.pool.query('DELETE FROM quotes WHERE expires_ms < $1', [nowMs - QUOTE_GRACE_MS]);
    this.approxRows = (await this.pool.query<{ n: number }>('SELECT count(*) AS n FROM quotes')).rows[0]!.n;
    return gone.rowCount ?? 0;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
  }
}
