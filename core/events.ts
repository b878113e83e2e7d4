/** The socket.io event contract, both directions. Broadcasts are named in the past tense. */
import type { Redemption } from './wire.ts';

export interface CardRevokedNotice {
  cardId: string;
  last4: string;
  memberNoMasked: string;
  status: 'lost' | 'frozen' | 'replaced';
  at: string;
}

export interface AgreementsChangedNotice {
  merchantId: string;
  offerId: string;
  version: number;
  at: string;
}

export interface ServerToClientEvents {
  'card:revoked': (n: CardRevokedNotice) => void;
  'agreements:changed': (n: AgreementsChangedNotice) => void;
  'redemption:committed': (r: Redemption) => void;
  'redemption:voided': (r: Redemption) => void;
}

export interface ClientToServerEvents {
  /** A terminal's or page's liveness probe; the ack carries the server time for clock-skew display. */
  ping: (ack: (serverTime: string) => void) => void;
}
