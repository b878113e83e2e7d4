/**
 * The identifier terminals use offline: HMAC-SHA256 under the snapshot's offline key, of a card number
 * (`pan:<digits>`) or a member number (`member:<digits>`), so the snapshot on a till's disk holds no
 * card or member number. Server and terminal compute it the same way.
 */
import { createHmac } from 'node:crypto';

export function offlineHash(keyHex: string, kind: 'pan' | 'member', value: string): string {
  return createHmac('sha256', Buffer.from(keyHex, 'hex')).update(`${kind}:${value}`).digest('hex');
}
