/** What every route needs, passed in by the app factory (no singletons). */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Metrics } from './metrics.ts';
import type { Secrets } from './security/secrets.ts';
import type { SignInThrottle } from './security/sign-in-throttle.ts';
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
  /** Session cookies carry `Secure` (HUIKA_SECURE_COOKIES: served over HTTPS). */
  secureCookies?: boolean;
  /** Portal session lifetime, seconds (clamped to a day). */
  sessionSeconds?: number;
  /** starting → serving → draining (after SIGTERM): what /api/v1/ready answers. Absent: serving. */
  lifecycle?: { state: 'starting' | 'serving' | 'draining' };
  /** Prometheus counters and histograms (GET /metrics). */
  metrics?: Metrics;
  /** The Redis client instances share (--redis): rate limiters given it count across instances. */
  redis?: Redis;
  /** Sign-in throttle; absent, the session router makes an in-memory one. Pass a Redis-backed one to share it. */
  signInThrottle?: SignInThrottle;
}
