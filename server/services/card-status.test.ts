import { describe, expect, it } from 'vitest';
import { cardStatus } from '../../core/domain.ts';
import { cardTransitionAllowed, revokes } from './card-status.ts';

describe('card status transitions', () => {
  it('never leaves replaced, and never "changes" to the same status', () => {
    for (const to of cardStatus.options) expect(cardTransitionAllowed('replaced', to)).toBe(false);
    for (const s of cardStatus.options) expect(cardTransitionAllowed(s, s)).toBe(false);
  });
  it('activates an issued card, reports it lost, and lets a found card be reactivated', () => {
    expect(cardTransitionAllowed('issued', 'activated')).toBe(true);
    expect(cardTransitionAllowed('activated', 'lost')).toBe(true);
    expect(cardTransitionAllowed('lost', 'activated')).toBe(true);
    expect(cardTransitionAllowed('activated', 'issued')).toBe(false);
  });
  it('revokes exactly the statuses a terminal must refuse', () => {
    expect(cardStatus.options.filter(revokes)).toEqual(['lost', 'frozen', 'replaced']);
  });
});
