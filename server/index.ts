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
import { MemoryQuoteStore } from './store/memory-quote-store.ts';
import { EmbeddedStore } from './store/embedded-store.ts';

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
}

export interface RunningServer {
  url: string;
  port: number;
  ctx: AppContext;
  http: Server;
  close(): Promise<void>;
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const log = opts.log ?? createLogger(opts.logLevel ?? 'info');
  const now = opts.now ?? (() => new Date());
  const store = await EmbeddedStore.open({ dir: opts.dataDir, onNotice: (m) => log.warn(m) });
  try {
    const secrets = loadOrCreateSecrets(opts.dataDir);
    if (opts.demo && (await store.isEmpty())) {
      await store.seed(await demoData(secrets, now()));
      log.info('demo data loaded');
    }
    const realtime = new Realtime();
    const quotes = new MemoryQuoteStore(now, opts.maxQuotes);
    const ctx: AppContext = { store, secrets, log, quotes, realtime, now, demo: !!opts.demo, quoteTtlSeconds: opts.quoteTtlSeconds ?? 120, offlineMaxAgeSeconds: opts.offlineMaxAgeSeconds ?? 24 * 3600, secureCookies: !!opts.secureCookies, sessionSeconds: (opts.sessionHours ?? 12) * 3600 };
    const http = createServer(createApp(ctx));
    realtime.attach(http, ctx);
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
    });
    const port = (http.address() as AddressInfo).port;
    const host = opts.host && opts.host !== '0.0.0.0' ? opts.host : '127.0.0.1';
    return {
      url: `http://${host}:${port}`,
      port,
      ctx,
      http,
      async close() {
        await quotes.close();
        await realtime.close();
        http.closeAllConnections();
        await new Promise<void>((r) => http.close(() => r()));
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}
