/**
 * Which card status changes an administrator may make. `replaced` is final (the member has a new card);
 * a lost card may be found again and reactivated, as the 补卡 desk does when the member turns up with it.
 */
import type { Card } from '../../core/domain.ts';

type Status = Card['status'];

const NEXT: Record<Status, readonly Status[]> = {
  issued: ['activated', 'lost', 'frozen', 'replaced'],
  activated: ['lost', 'frozen', 'replaced'],
  lost: ['activated', 'frozen', 'replaced'],
  frozen: ['activated', 'lost', 'replaced'],
  replaced: [],
};

export function cardTransitionAllowed(from: Status, to: Status): boolean {
  return NEXT[from].includes(to);
}

/** Statuses after which terminals must refuse the card at once (pushed as `card:revoked`). */
export function revokes(status: Status): status is 'lost' | 'frozen' | 'replaced' {
  return status === 'lost' || status === 'frozen' || status === 'replaced';
}
