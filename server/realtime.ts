/**
 * socket.io: notices, never money (delivery is at most once; redemptions travel over HTTP).
 * Rooms: `terminals` and `store:<id>` for terminals; `merchant:<id>` for every portal user who may
 * see that merchant, and `all-merchants` for users who may see every merchant.
 */
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { AgreementsChangedNotice, CardRevokedNotice, ClientToServerEvents, ServerToClientEvents } from '../core/events.ts';
import type { Redemption } from '../core/wire.ts';
import { resolveActor, type Actor } from './http/auth.ts';
import type { AppContext } from './context.ts';
import { scopeOf } from './services/scope.ts';
import { TerminalPresence } from './services/terminal-presence.ts';

type Io = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, { actor: Actor }>;

export class Realtime {
  io: Io | undefined;
  /** Last seen and connected terminals, for the merchant portal (memory only). */
  readonly presence = new TerminalPresence();

  attach(http: HttpServer, ctx: Omit<AppContext, 'realtime'>): Io {
    const io: Io = new Server(http, { serveClient: false, cors: { origin: false } });
    io.use(async (socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown })?.token;
      const actor = await resolveActor(ctx as AppContext, typeof token === 'string' ? token : undefined).catch(() => undefined);
      if (!actor) return next(Object.assign(new Error('UNAUTHENTICATED'), { data: { code: 'UNAUTHENTICATED' } }));
      socket.data.actor = actor;
      next();
    });
    io.on('connection', async (socket) => {
      const actor = socket.data.actor;
      if (actor.kind === 'terminal') {
        const id = actor.terminal.id;
        this.presence.connected(id, ctx.now());
        socket.on('disconnect', () => this.presence.disconnected(id, ctx.now()));
        await socket.join(['terminals', `store:${actor.shop.id}`]);
      } else {
        const scope = scopeOf(actor, await ctx.store.orgs(), await ctx.store.offers());
        await socket.join(scope.merchantIds ? [...scope.merchantIds].map((m) => `merchant:${m}`) : ['all-merchants']);
      }
      socket.on('ping', (ack) => typeof ack === 'function' && ack(ctx.now().toISOString()));
    });
    this.io = io;
    return io;
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

  agreementsChanged(n: AgreementsChangedNotice): void {
    this.io?.to('terminals').emit('agreements:changed', n);
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => (this.io ? this.io.close(() => r()) : r()));
  }
}
