/**
 * The identifier terminals use offline: HMAC-SHA256 under the snapshot's offline key, of a card number
 * (`pan:<digits>`) or a member number (`member:<digits>`), so the snapshot on a till's disk holds no
 * card or member number. Server and terminal compute it the same way.
 */
import { createHmac } from 'node:crypto';

export function offlineHash(keyHex: string, kind: 'pan' | 'member', value: string): string {
  return createHmac('sha256', Buffer.from(keyHex, 'hex')).update(`${kind}:${value}`).digest('hex');
}

/**
 * What a snapshot keeps of an offline hash: its first 128 bits, base64url (22 characters instead of 64).
 * Among a district's 225,000 members a chance match is about 2^-94; a forged one still needs the HMAC key.
 */
export function offlineTag(hashHex: string): string {
  return Buffer.from(hashHex.slice(0, 32), 'hex').toString('base64url');
}
