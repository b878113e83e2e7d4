import { withLuhn } from '../core/luhn.ts';
import { between, type Rng } from './rng.ts';

export const randomDigits = (rng: Rng, n: number): string => Array.from({ length: n }, () => String(between(rng, 0, 9))).join('');
export const randomMemberNo = (rng: Rng): string => withLuhn(String(between(rng, 1, 9)) + randomDigits(rng, 8));
export const randomPan = (rng: Rng, length = 19): string => withLuhn(`62${randomDigits(rng, length - 3)}`);

/** ISO/IEC 7813 tracks for a card number (PAN or member number), as encoded on the stripe. */
export function cardTracks(cardNo: string, name = 'ZHANG/SAN', expiry = '2912', serviceCode = '101'): { track1: string; track2: string } {
  return { track1: `%B${cardNo}^${name}^${expiry}${serviceCode}?`, track2: `;${cardNo}=${expiry}${serviceCode}?` };
}
