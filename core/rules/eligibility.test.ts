import { describe, expect, it } from 'vitest';
import { memberRefusal } from './eligibility.ts';
import { reason, REASONS } from './reasons.ts';

describe('memberRefusal', () => {
  it('refuses an unknown credential as CARD_UNKNOWN', () => {
    expect(memberRefusal(undefined)).toBe('CARD_UNKNOWN');
    expect(memberRefusal(undefined, { status: 'activated' })).toBe('CARD_UNKNOWN');
  });
  it('lets an active member with an activated card through', () => {
    expect(memberRefusal({ status: 'active' }, { status: 'activated' })).toBeNull();
  });
  it('lets an active member through by member number or QR, with no card', () => {
    expect(memberRefusal({ status: 'active' })).toBeNull();
  });
  it.each([
    ['issued', 'CARD_NOT_ACTIVATED'],
    ['lost', 'CARD_LOST'],
    ['frozen', 'CARD_LOST'],
    ['replaced', 'CARD_UNKNOWN'],
  ] as const)('refuses an active member’s %s card as %s', (status, code) => {
    expect(memberRefusal({ status: 'active' }, { status })).toBe(code);
  });
  it('refuses a suspended member whatever the credential', () => {
    expect(memberRefusal({ status: 'suspended' })).toBe('MEMBER_SUSPENDED');
    expect(memberRefusal({ status: 'suspended' }, { status: 'activated' })).toBe('MEMBER_SUSPENDED');
  });
  it('names the card problem first when a suspended member shows a lost card', () => {
    expect(memberRefusal({ status: 'suspended' }, { status: 'lost' })).toBe('CARD_LOST');
  });
});

describe('reasons', () => {
  it('carries the code, the English sentence with any detail, the Chinese sentence and the offer', () => {
    expect(reason('LIMIT_REACHED', '1 a day', 'c-wuyi')).toEqual({
      code: 'LIMIT_REACHED',
      message: "The member has reached this offer's usage limit. (1 a day)",
      messageZh: '已达到使用次数上限',
      agreementId: 'c-wuyi',
    });
    expect(reason('NO_AGREEMENT')).not.toHaveProperty('agreementId');
  });
  it('has both a Chinese and an English sentence for every code, including every contract code', () => {
    const contract = [
      'CARD_UNKNOWN',
      'CARD_NOT_ACTIVATED',
      'CARD_LOST',
      'MEMBER_SUSPENDED',
      'QR_INVALID',
      'QR_EXPIRED',
      'QR_REPLAYED',
      'NO_AGREEMENT',
      'OUTSIDE_WINDOW',
      'LIMIT_REACHED',
      'BUDGET_EXHAUSTED',
    ];
    expect(Object.keys(REASONS)).toEqual(expect.arrayContaining(contract));
    for (const [code, r] of Object.entries(REASONS)) {
      expect(code).toMatch(/^[A-Z][A-Z_]+$/);
      expect(r.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(r.en).toMatch(/^[A-Z].*\.$/);
    }
  });
});
