/**
 * Chooses the backend: PostgreSQL when a database URL is given (--db / DATABASE_URL), else the embedded
 * store in the data directory. Each backend comes with its own QuoteStore: memory beside the embedded
 * store (one process), the database beside PostgreSQL (any instance redeems any quote).
 */
import { MemoryQuoteStore } from './memory-quote-store.ts';
import { EmbeddedStore } from './embedded-store.ts';
import { PgQuoteStore } from './pg/pg-quote-store.ts';
import { PgStore } from './pg/pg-store.ts';
import type { QuoteStore } from './quote-store.ts';
import type { HuikaStore } from './store.ts';

export interface StoreChoice {
  dataDir: string;
  /** postgres://… ; absent: the embedded store. */
  db?: string;
  /** PostgreSQL connections per instance. */
  poolSize?: number;
  maxQuotes?: number;
  now: () => Date;
  onNotice?: (message: string) => void;
  /** --restore-from-backup: start on a ledger older than its recorded head (embedded store). */
  restoreFromBackup?: boolean;
}

export async function openStore(o: StoreChoice): Promise<{ store: HuikaStore; quotes: QuoteStore }> {
  if (o.db) {
    const store = await PgStore.open({ url: o.db, ...(o.poolSize ? { poolSize: o.poolSize } : {}) });
    return { store, quotes: new PgQuoteStore(store.pool, o.now, o.maxQuotes) };
  }
  const store = await EmbeddedStore.open({
    dir: o.dataDir,
    ...(o.onNotice ? { onNotice: o.onNotice } : {}),
    ...(o.restoreFromBackup ? { restoreFromBackup: true } : {}),
  });
  return { store, quotes: new MemoryQuoteStore(o.now, o.maxQuotes) };
}
