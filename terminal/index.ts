/** Starts a terminal: enrol once, load its snapshot and outbox, open devices, serve the till. */
import { createServer, type Server as HttpServer } from 'node:http';
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { Server as IoServer } from 'socket.io';
import type { Connectivity } from '../core/wire-checkout.ts';
import type { Redemption } from '../core/wire.ts';
import { lockDataDir } from '../platform/data-dir-lock.ts';
import { createLogger } from '../platform/logger.ts';
import { createTerminalApp } from './app.ts';
import { CheckoutService } from './checkout-service.ts';
import type { TerminalConfig } from './config.ts';
import { createRealDevices, type TerminalDevices } from './devices.ts';
import { openLocalState, type Enrollment } from './local-state.ts';
import { Outbox } from './outbox.ts';
import { receiptFor } from './receipt.ts';
import { ServerApi, ServerUnreachable } from './server-api.ts';
import { ServerLink } from './server-link.ts';
import { SnapshotCache } from './snapshot-cache.ts';

export interface RunningTerminal {
  url: string;
  port: number;
  enrollment: Enrollment;
  checkouts: CheckoutService;
  outbox: Outbox;
  snapshot: SnapshotCache;
  devices: TerminalDevices;
  /** Re-fetches the snapshot and uploads the outbox now (also runs on every reconnect). */
  sync(): Promise<void>;
  status(): Connectivity;
  close(): Promise<void>;
}

export class TerminalStartError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface TerminalOptions {
  log?: Logger;
  now?: () => Date;
  syncIntervalMs?: number;
  /** The devices `simulate: true` uses, plugged in by the command line (simulator/terminal-devices.ts). */
  simulatedDevices?: () => TerminalDevices;
}

export async function startTerminal(cfg: TerminalConfig, opts: TerminalOptions = {}): Promise<RunningTerminal> {
  if (!existsSync(cfg.dataDir)) mkdirSync(cfg.dataDir, { recursive: true, mode: 0o700 });
  // Two terminal processes on one directory would interleave the outbox; the second is refused.
  const unlock = lockDataDir(cfg.dataDir);
  try {
    return await startLocked(cfg, opts, unlock);
  } catch (err) {
    unlock();
    throw err;
  }
}

async function startLocked(cfg: TerminalConfig, opts: TerminalOptions, unlock: () => void): Promise<RunningTerminal> {
  const log = opts.log ?? createLogger(cfg.logLevel);
  const now = opts.now ?? (() => new Date());
  const db = openLocalState(cfg.dataDir);

  // Enrol once: the pairing code works once, the token is kept (0600) for every later start.
  let enrollment = db.data.enrollment;
  if (!enrollment || enrollment.serverUrl !== cfg.serverUrl) {
    if (!cfg.pairingCode)
      throw new TerminalStartError(
        'NOT_ENROLLED',
        `this terminal is not enrolled with ${cfg.serverUrl}: start it once with --pairing-code`,
      );
    let reply: Awaited<ReturnType<typeof ServerApi.enroll>>;
    try {
      reply = await ServerApi.enroll(cfg.serverUrl, cfg.pairingCode);
    } catch (err) {
      throw new TerminalStartError('SERVER_UNREACHABLE', `cannot enrol: ${(err as Error).message}`);
    }
    if (!reply.ok) throw new TerminalStartError(reply.error.code, `cannot enrol with pairing code: ${reply.error.message}`);
    enrollment = { serverUrl: cfg.serverUrl, ...reply.body };
    db.data.enrollment = enrollment;
    db.write();
    log.info({ terminalId: enrollment.terminalId, storeId: enrollment.storeId }, 'terminal enrolled');
  }
  const en = enrollment;
  const api = new ServerApi(cfg.serverUrl, en.token, cfg.serverTimeoutMs);
  const snapshot = new SnapshotCache(cfg.dataDir, en.serverPublicKey);
  const loaded = snapshot.load();
  if (!loaded.ok) log.warn(`offline snapshot ignored: ${loaded.message}`);

  // The page's live channel, filled in once the HTTP server exists.
  let pageIo: IoServer | undefined;
  const emit = (event: string, payload: unknown) => pageIo?.emit(event, payload);

  let reachable = false;
  let lastError: string | undefined;
  let link: ServerLink | undefined;
  const status = (): Connectivity => ({
    online: reachable,
    socket: link?.connected ?? false,
    ...(lastError ? { lastError } : {}),
    ...(snapshot.payload ? { snapshotIssuedAt: snapshot.payload.issuedAt } : {}),
    snapshotStale: !snapshot.payload || snapshot.ageSeconds(now()) > snapshot.payload.maxAgeSeconds,
    queued: outbox.pendingCount(),
    terminalId: en.terminalId,
    storeId: en.storeId,
    ...(snapshot.payload
      ? { storeName: `${snapshot.payload.merchantName} ${snapshot.payload.storeName.replace(snapshot.payload.merchantName, '').trim()}` }
      : {}),
    merchantId: en.merchantId,
    // The merchant's own maximum, as its last snapshot gave it; the terminal's setting until one has.
    maxSaleFen: snapshot.payload?.maxSaleFen ?? cfg.maxSaleFen,
  });
  const reachability = (ok: boolean, why?: string) => {
    if (ok === reachable && (ok || why === lastError)) return;
    reachable = ok;
    if (ok) lastError = undefined;
    else if (why) lastError = why;
    emit('connectivity', status());
    if (ok) void sync();
  };
  const outbox = new Outbox(db, () => {
    emit('outbox:updated', outbox.entries());
    emit('connectivity', status());
  });
  const revoked = () => new Set(db.data.revokedCardIds);
  const storeName = () => snapshot.payload?.storeName ?? en.storeId;
  const checkouts = new CheckoutService({
    api,
    snapshot,
    outbox,
    limits: cfg.offline,
    terminalId: en.terminalId,
    storeName,
    revokedCardIds: revoked,
    now,
    reachability,
  });
  checkouts.on('updated', (c) => emit('checkout:updated', c));

  let syncing: Promise<void> | undefined;
  const sync = (): Promise<void> =>
    (syncing ??= (async () => {
      try {
        const snap = await api.snapshot();
        if (snap.ok) {
          const r = snapshot.replace(snap.body);
          if (!r.ok) log.error(`server snapshot refused: ${r.message}`);
          else if (db.data.revokedCardIds.length) {
            db.data.revokedCardIds = []; // the fresh snapshot carries those card statuses itself
            db.write();
          }
        }
        const up = await outbox.flush(api, now);
        outbox.prune(now());
        if (up.uploaded) {
          log.info({ uploaded: up.uploaded }, 'offline redemptions uploaded');
          emit('redemptions:changed', {});
        }
        reachability(true);
      } catch (err) {
        if (err instanceof ServerUnreachable) reachability(false, err.message);
        else log.error({ err }, 'sync failed');
      } finally {
        syncing = undefined;
      }
      emit('connectivity', status());
    })());

  link = new ServerLink(cfg.serverUrl, en.token, {
    connected: () => {
      log.info('connected to server');
      reachability(true);
      void sync(); // re-sync whatever was missed while disconnected
    },
    disconnected: (reason) => {
      log.warn({ reason }, 'server connection lost');
      emit('connectivity', status());
    },
    cardRevoked: (n) => {
      if (!db.data.revokedCardIds.includes(n.cardId)) {
        db.data.revokedCardIds.push(n.cardId);
        db.write();
      }
      log.info({ cardId: n.cardId, last4: n.last4 }, 'card revoked');
      emit('card:revoked', n);
    },
    agreementsChanged: (n) => {
      log.info({ offerId: n.offerId, version: n.version }, 'agreements changed');
      emit('agreements:changed', n);
      void sync();
    },
  });

  if (cfg.simulate && !opts.simulatedDevices)
    throw new TerminalStartError(
      'SIMULATOR_NOT_PLUGGED',
      'simulate is on but no simulated devices were given: start it with huika terminal --simulate',
    );
  const devices = cfg.simulate && opts.simulatedDevices ? opts.simulatedDevices() : await createRealDevices(cfg.devices);
  if (devices.unavailable) log.warn(devices.unavailable);
  devices.manager.on('device:status', (s) => emit('device:status', s));
  devices.manager.on('scan', (scan) => {
    if (!scan.outcome.ok) {
      emit('notice', { level: 'warn', code: scan.outcome.error.code, message: scan.outcome.error.message, deviceId: scan.deviceId });
      return;
    }
    log.info({ deviceId: scan.deviceId, credential: scan.masked }, 'scan');
    const target = checkouts.current();
    if (!target) {
      emit('notice', {
        level: 'info',
        code: 'NO_CHECKOUT',
        message: '先输入金额再刷卡 / Enter the amount before scanning.',
        deviceId: scan.deviceId,
      });
      return;
    }
    checkouts.present(target.checkoutId, scan.outcome.credential).catch((err: Error & { code?: string }) => {
      emit('notice', { level: 'warn', code: err.code ?? 'SCAN_FAILED', message: err.message, deviceId: scan.deviceId });
    });
  });
  devices.manager.start();

  let lastToday: unknown[] = [];
  const today = async () => {
    const startOfDay = new Date(now());
    const local = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(
      startOfDay,
    );
    try {
      const r = await api.listSince(local);
      reachability(true);
      if (r.ok) lastToday = r.body.items;
    } catch (err) {
      if (err instanceof ServerUnreachable) reachability(false, err.message);
      else throw err;
    }
    // Accepted and flagged uploads are in the server's list already; pending and rejected ones only here.
    // Each with its receipt, so the till can print one again from today's list.
    const items = (lastToday as Redemption[]).map((r) => ({ ...r, receipt: receiptFor(r, cfg.serverUrl, storeName()) }));
    return { items, outbox: outbox.entries().filter((e) => e.state === 'pending' || e.state === 'rejected') };
  };

  const app = createTerminalApp({
    checkouts,
    log,
    status,
    today,
    offers: () => ({ offers: snapshot.payload?.offers ?? [] }),
    voidRedemption: async (id, reason) => {
      try {
        const r = await api.void(id, reason);
        reachability(true);
        if (r.ok) emit('redemptions:changed', {});
        return r.ok ? { status: 200, body: r.body } : { status: r.status, body: { error: r.error } };
      } catch (err) {
        if (!(err instanceof ServerUnreachable)) throw err;
        reachability(false, err.message);
        return {
          status: 503,
          body: { error: { code: 'SERVER_UNREACHABLE', message: 'Voiding needs the server; try again when it is back.' } },
        };
      }
    },
    ...(devices.simulate ? { simulate: devices.simulate } : {}),
  });
  const http: HttpServer = createServer(app);
  pageIo = new IoServer(http, { serveClient: false });
  pageIo.on('connection', (socket) => {
    socket.emit('connectivity', status());
    for (const s of devices.manager.statuses()) socket.emit('device:status', s);
    if (devices.unavailable) socket.emit('notice', { level: 'warn', code: 'HID_UNAVAILABLE', message: devices.unavailable });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(cfg.port, cfg.host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  const timer = setInterval(() => void sync(), opts.syncIntervalMs ?? 60_000);
  timer.unref();
  await sync();

  return {
    url: `http://${cfg.host === '0.0.0.0' ? '127.0.0.1' : cfg.host}:${port}`,
    port,
    enrollment: en,
    checkouts,
    outbox,
    snapshot,
    devices,
    sync,
    status,
    async close() {
      clearInterval(timer);
      link?.close();
      await devices.manager.stop();
      await new Promise<void>((r) => pageIo!.close(() => r()));
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
      unlock();
    },
  };
}
