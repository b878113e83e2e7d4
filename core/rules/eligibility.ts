/** Whether the member behind a credential may get member prices at all, before any offer is looked at. */
import type { Card, Member } from '../domain.ts';
import type { ReasonCode } from './reasons.ts';

export function memberRefusal(member: Pick<Member, 'status'> | undefined, card?: Pick<Card, 'status'>): ReasonCode | null {
  if (!member) return 'CARD_UNKNOWN';
  if (card) {
    if (card.status === 'lost' || card.status === 'frozen') return 'CARD_LOST';
    if (card.status === 'replaced') return 'CARD_UNKNOWN';
    if (card.status === 'issued') return 'CARD_NOT_ACTIVATED';
  }
  if (member.status === 'suspended') return 'MEMBER_SUSPENDED';
  return null;
}
