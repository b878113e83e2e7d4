/** Starts a server on a data directory: opens the store, seeds demo data if asked, listens. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createApp } from './app.ts';
import type { AppContext } from './context.ts';
import { demoData } from './demo-data.ts';
import { createLogger } from './logger.ts';
import { Realtime } from './realtime.ts';
import { loadOrCreateSecrets } from './security/secrets.ts';
import { checkDataDir } from './store/data-dir-check.ts';
import { openStore } from './store/store-factory.ts';
import { Metrics } from './metrics.ts';
import { connectRedis, type SharedRedis } from './redis.ts';
import { createSignInThrottle } from './security/sign-in-throttle.ts';
import { secretsFingerprint } from './store/pg/pg-store.ts';

export interface ServerOptions {
  dataDir: string;
  port?: number;
  host?: string;
  demo?: boolean;
  quoteTtlSeconds?: number;
  /** Most open quotes kept at once (memory-quote-store.ts); beyond it quotes answer QUOTES_FULL. */
  maxQuotes?: number;
  offlineMaxAgeSeconds?: number;
  /** Served over HTTPS: session cookies are Secure. */
  secureCookies?: boolean;
  sessionHours?: number;
  log?: Logger;
  logLevel?: string;
  /** Tests move time; production reads the clock. */
  now?: () => Date;
  /**
   * --restore-from-backup: the operator restored the data directory from a backup on purpose; start even
   * though the ledger is older than its recorded head or state.json / secrets.json is missing (recorded in restores.jsonl).
   */
  restoreFromBackup?: boolean;
  /** postgres://… : keep everything in PostgreSQL instead of the embedded store (--db / DATABASE_URL). */
  db?: string;
  /** PostgreSQL connections per instance (HUIKA_DB_POOL). */
  dbPoolSize?: number;
  /** redis://… : instances on one database share socket.io events and rate limits (--redis / REDIS_URL). */
  redis?: string;
  /** How long close() waits for requests in flight before cutting connections, ms. */
  drainMs?: number;
  /**
   * How long close() keeps serving, with /ready at 503 and every answer `Connection: close`, before it stops
   * accepting: the balancer notices, and a client reusing an idle keep-alive connection is answered rather than reset.
   */
  drainGraceMs?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  ctx: AppContext;
  http: Server;
  close(): Promise<void>;
}

/** The socket.io channel of a cluster: one per database (host, port, name), never the password. */
function channelFor(where: string): string {
  try {
    const u = new URL(where);
    return `huika:${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return `huika:${where}`;
  }
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const log = opts.log ?? createLogger(opts.logLevel ?? 'info');
  const now = opts.now ?? (() => new Date());
  // Loss evidence first: a missing state.json or secrets.json beside other data stops the start (data-dir-check.ts).
  if (!opts.db) checkDataDir(opts.dataDir, !!opts.restoreFromBackup);
  const { store, quotes } = await openStore({
    dataDir: opts.dataDir,
    ...(opts.restoreFromBackup ? { restoreFromBackup: true } : {}),
    ...(opts.db ? { db: opts.db } : {}),
    ...(opts.dbPoolSize ? { poolSize: opts.dbPoolSize } : {}),
    ...(opts.maxQuotes ? { maxQuotes: opts.maxQuotes } : {}),
    now,
    onNotice: (m) => log.warn(m),
  });
  let redis: SharedRedis | undefined;
  try {
    const secrets = loadOrCreateSecrets(opts.dataDir);
    // Instances on one database must share one secrets.json: a PAN hashed by one must match on another.
    if ('bindSecrets' in store && typeof store.bindSecrets === 'function') await store.bindSecrets(secretsFingerprint(secrets));
    if (opts.demo && (await store.isEmpty())) {
      try {
        await store.seed(await demoData(secrets, now()));
        log.info('demo data loaded');
      } catch (err) {
        // Another instance started with --demo on the same database at the same moment and won.
        if (await store.isEmpty()) throw err;
        log.info('demo data already loaded by another instance');
      }
    }
    const realtime = new Realtime();
    if (opts.redis) redis = await connectRedis(opts.redis, channelFor(opts.db ?? opts.dataDir));
    const lifecycle: { state: 'starting' | 'serving' | 'draining' } = { state: 'starting' };
    const metrics = new Metrics();
    const ctx: AppContext = {
      store,
      secrets,
      log,
      quotes,
      realtime,
      now,
      demo: !!opts.demo,
      quoteTtlSeconds: opts.quoteTtlSeconds ?? 120,
      offlineMaxAgeSeconds: opts.offlineMaxAgeSeconds ?? 24 * 3600,
      secureCookies: !!opts.secureCookies,
      sessionSeconds: (opts.sessionHours ?? 12) * 3600,
      lifecycle,
      metrics,
      ...(redis ? { redis: redis.client, signInThrottle: createSignInThrottle({ redis: redis.client }) } : {}),
    };
    const http = createServer(createApp(ctx));
    // Before the app's own listener, so the header is set before any answer starts.
    http.prependListener('request', (_req, res) => {
      if (lifecycle.state === 'draining') res.setHeader('connection', 'close');
    });
    const io = realtime.attach(http, ctx);
    // Every emit and room operation goes through the adapter: with Redis it reaches every instance's sockets.
    if (redis) io.adapter(redis.adapter());
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
    });
    const port = (http.address() as AddressInfo).port;
    lifecycle.state = 'serving';
    const host = opts.host && opts.host !== '0.0.0.0' ? opts.host : '127.0.0.1';
    return {
      url: `http://${host}:${port}`,
      port,
      ctx,
      http,
      async close() {
        // Drain: /ready says so, no new connections, requests in flight finish (up to drainMs), then the rest is cut.
        lifecycle.state = 'draining';
        if (opts.drainGraceMs) await new Promise((r) => setTimeout(r, opts.drainGraceMs));
        const closed = new Promise<void>((r) => http.close(() => r()));
        http.closeIdleConnections();
        const cut = setTimeout(() => http.closeAllConnections(), opts.drainMs ?? 10_000);
        cut.unref();
        await realtime.close();
        await closed;
        clearTimeout(cut);
        await quotes.close();
        await redis?.close();
        await store.close();
      },
    };
  } catch (err) {
    await redis?.close().catch(() => {});
    await store.close();
    throw err;
  }
}
