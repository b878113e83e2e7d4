import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { luhnCheckDigit, luhnValid, withLuhn } from './luhn.ts';

describe('Luhn check digit', () => {
  it.each([
    ['7992739871', 3], // the textbook example 79927398713
    ['513300001', 7], // demo member number 5133000017
    ['510100006', 4], // demo member number 5101000064
    ['621799660000000001', 5], // demo card PAN 6217996600000000015
    ['0', 0],
  ])('computes the check digit of %s as %i', (payload, digit) => {
    expect(luhnCheckDigit(payload)).toBe(digit);
  });

  it.each([
    '79927398713',
    '5133000017',
    '5133000025',
    '5133000033',
    '5133000041',
    '5101000064',
    '6217996600000000015',
    '6217996600000000023',
    '6217996600000000031',
  ])('accepts the valid number %s', (n) => expect(luhnValid(n)).toBe(true));

  it.each([
    ['79927398710', 'wrong check digit'],
    ['5133000018', 'wrong check digit'],
    ['5133000071', 'two adjacent digits swapped'],
    ['', 'empty'],
    ['7', 'a check digit alone'],
    ['5133 000017', 'a space inside'],
    ['513300001７', 'a full-width digit'],
    ['-5133000017', 'a sign'],
  ])('rejects %j (%s)', (n) => expect(luhnValid(n)).toBe(false));

  it('makes every digit string valid by appending its check digit', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,25}$/), (payload) => luhnValid(withLuhn(payload))),
      { numRuns: 500 },
    );
  });

  it('detects every single-digit error', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,25}$/), fc.nat(), fc.integer({ min: 1, max: 9 }), (payload, pos, delta) => {
        const valid = withLuhn(payload);
        const i = pos % valid.length;
        const wrong = valid.slice(0, i) + String((Number(valid[i]) + delta) % 10) + valid.slice(i + 1);
        expect(luhnValid(wrong)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
