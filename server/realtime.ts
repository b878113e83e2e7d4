/**
 * socket.io: notices, never money (delivery is at most once; redemptions travel over HTTP).
 * Rooms: `terminals`, `store:<id>` and `terminal:<id>` for terminals; for portal users `portal`, `user:<id>`,
 * `session:<id>`, and `merchant:<id>` for every merchant whose live events the authority model lets them
 * hear (`all-merchants` for a root union). Rooms are recomputed when offers change, and a revoked or
 * re-paired terminal, an ended session or a changed password disconnects the sockets at once. Room
 * operations go through the adapter, so with the Redis adapter they reach every instance.
 */
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { AgreementsChangedNotice, CardRevokedNotice, ClientToServerEvents, ServerToClientEvents } from '../core/events.ts';
import type { Redemption } from '../core/wire.ts';
import { readsMerchantLive } from './authority.ts';
import { resolveActor, type Actor } from './http/auth.ts';
import type { AppContext } from './context.ts';
import { referenceOf, scopeOf } from './services/scope.ts';
import { TerminalPresence } from './services/terminal-presence.ts';

type Io = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, { actor: Actor; rooms: string[] }>;

export class Realtime {
  io: Io | undefined;
  /** Last seen and connected terminals, for the merchant portal (memory only). */
  readonly presence = new TerminalPresence();
  private ctx: Omit<AppContext, 'realtime'> | undefined;

  attach(http: HttpServer, ctx: Omit<AppContext, 'realtime'>): Io {
    this.ctx = ctx;
    const io: Io = new Server(http, { serveClient: false, cors: { origin: false } });
    io.use(async (socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown })?.token;
      const actor = await resolveActor(ctx as AppContext, typeof token === 'string' ? token : undefined).catch(() => undefined);
      if (!actor) return next(Object.assign(new Error('UNAUTHENTICATED'), { data: { code: 'UNAUTHENTICATED' } }));
      socket.data.actor = actor;
      // Rooms are decided before the client hears `connect`, so no event can slip past a fresh socket.
      socket.data.rooms =
        actor.kind === 'terminal'
          ? ['terminals', `store:${actor.shop.id}`, `terminal:${actor.terminal.id}`]
          : ['portal', `user:${actor.user.id}`, `session:${actor.session.s}`, ...(await this.scopeRooms(actor).catch(() => []))];
      next();
    });
    io.on('connection', (socket) => {
      const actor = socket.data.actor;
      void socket.join(socket.data.rooms);
      socket.on('ping', (ack) => typeof ack === 'function' && ack(ctx.now().toISOString()));
      if (actor.kind === 'terminal') {
        const id = actor.terminal.id;
        this.presence.connected(id, ctx.now());
        socket.on('disconnect', () => this.presence.disconnected(id, ctx.now()));
      } else {
        // A session's socket ends with the session.
        const left = actor.session.e - ctx.now().getTime();
        const timer = setTimeout(() => socket.disconnect(true), Math.min(Math.max(0, left), 2 ** 31 - 1));
        timer.unref();
        socket.on('disconnect', () => clearTimeout(timer));
      }
    });
    this.io = io;
    return io;
  }

  /** The merchant rooms a portal user hears: only merchants whose new redemptions it may read. */
  private async scopeRooms(actor: Actor): Promise<string[]> {
    const scope = scopeOf(actor, await referenceOf(this.ctx!.store));
    const reads = scope.authority.reads;
    if (!reads) return ['all-merchants'];
    return [...reads.keys()].filter((m) => readsMerchantLive(scope.authority, m)).map((m) => `merchant:${m}`);
  }

  /** Offers or merchants changed: every portal socket's merchant rooms are recomputed (an ended agreement stops the events). */
  async refreshScopes(): Promise<void> {
    if (!this.io || !this.ctx) return;
    for (const s of await this.io.in('portal').fetchSockets()) {
      const actor = s.data.actor;
      if (actor?.kind !== 'user') continue;
      const want = new Set(await this.scopeRooms(actor));
      for (const room of s.rooms) if ((room.startsWith('merchant:') || room === 'all-merchants') && !want.has(room)) s.leave(room);
      s.join([...want]);
    }
  }

  /** A terminal revoked or re-paired: its sockets are closed now, not at their next request. */
  terminalCutOff(terminalId: string): void {
    this.io?.in(`terminal:${terminalId}`).disconnectSockets(true);
  }

  /** Signed out: the session's sockets close. */
  sessionEnded(sessionId: string): void {
    this.io?.in(`session:${sessionId}`).disconnectSockets(true);
  }

  /** A user's password, role or place changed: every socket of that user closes (they sign in again). */
  userChanged(userId: string): void {
    this.io?.in(`user:${userId}`).disconnectSockets(true);
  }

  private toScope(r: Redemption) {
    return this.io?.to([`merchant:${r.merchantId}`, 'all-merchants', `store:${r.storeId}`]);
  }

  redemptionCommitted(r: Redemption): void {
    this.toScope(r)?.emit('redemption:committed', r);
  }

  redemptionVoided(r: Redemption): void {
    this.toScope(r)?.emit('redemption:voided', r);
  }

  cardRevoked(n: CardRevokedNotice): void {
    this.io?.to('terminals').emit('card:revoked', n);
  }

  /** Resolves once portal sockets' rooms follow the new offers (await it before answering the change). */
  agreementsChanged(n: AgreementsChangedNotice): Promise<void> {
    this.io?.to('terminals').emit('agreements:changed', n);
    return this.refreshScopes().catch((err) =>
      this.ctx?.log.warn({ err: { message: (err as Error).message } }, 'socket scope refresh failed'),
    );
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => (this.io ? this.io.close(() => r()) : r()));
  }
}
