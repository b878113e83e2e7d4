/** What every route needs, passed in by the app factory (no singletons). */
import type { Logger } from 'pino';
import type { Secrets } from './security/secrets.ts';
import type { HuikaStore } from './store/store.ts';
import type { QuoteStore } from './store/quote-store.ts';
import type { Realtime } from './realtime.ts';

export interface AppContext {
  store: HuikaStore;
  secrets: Secrets;
  log: Logger;
  /** Open quotes (server/store/quote-store.ts): beside the store, so a networked backend can keep them in its database. */
  quotes: QuoteStore;
  realtime: Realtime;
  now: () => Date;
  demo: boolean;
  quoteTtlSeconds: number;
  /** How long a terminal may serve offline discounts from one snapshot. */
  offlineMaxAgeSeconds: number;
}
