/**
 * The terminal's live line to the server (socket.io): notices only — lost cards and changed agreements
 * within a second — never money. On every (re)connect the caller re-syncs what it may have missed.
 */
import { io, type Socket } from 'socket.io-client';
import type { AgreementsChangedNotice, CardRevokedNotice, ClientToServerEvents, ServerToClientEvents } from '../core/events.ts';

export interface ServerLinkHandlers {
  connected(): void;
  disconnected(reason: string): void;
  cardRevoked(n: CardRevokedNotice): void;
  agreementsChanged(n: AgreementsChangedNotice): void;
}

export class ServerLink {
  private readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;

  constructor(serverUrl: string, token: string, h: ServerLinkHandlers) {
    this.socket = io(serverUrl, {
      auth: { token },
      transports: ['websocket'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
    });
    this.socket.on('connect', () => h.connected());
    this.socket.on('disconnect', (reason) => h.disconnected(reason));
    this.socket.on('connect_error', (err) => h.disconnected(err.message));
    this.socket.on('card:revoked', (n) => h.cardRevoked(n));
    this.socket.on('agreements:changed', (n) => h.agreementsChanged(n));
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  close(): void {
    this.socket.close();
  }
}
