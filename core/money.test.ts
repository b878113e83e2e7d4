import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { clamp, formatYuan, isFen, percentOf } from './money.ts';

const exactPercent = (a: number, b: number) => Number((BigInt(a) * BigInt(b)) / 10000n);

describe('percentOf (the contract rounding: floor(amountFen * bps / 10000))', () => {
  it.each([
    [35_000, 500, 1_750], // the contract's m-minmao example
    [10_000, 500, 500], // 9.5折
    [10_000, 1_000, 1_000], // 9折
    [10_000, 2_000, 2_000], // 8折
    [999, 500, 49], // 49.95 rounds down
    [1, 9_999, 0], // 0.9999 rounds down
    [19, 5_000, 9], // 9.5 rounds down, not half-up
    [12_345, 10_000, 12_345], // 100 % off is the whole amount
    [12_345, 0, 0],
    [0, 2_000, 0],
    [Number.MAX_SAFE_INTEGER, 10_000, Number.MAX_SAFE_INTEGER],
    [Number.MAX_SAFE_INTEGER, 1, 900_719_925_474], // 9007199254740991 / 10000, floored
    [Number.MAX_SAFE_INTEGER, 3_333, exactPercent(Number.MAX_SAFE_INTEGER, 3_333)],
  ])('takes floor(%i × %i / 10000) = %i', (amount, bps, expected) => {
    expect(percentOf(amount, bps)).toBe(expected);
  });

  it('is exact for every safe amount and every rate, including where amount × bps passes 2^53', () => {
    const amount = fc.oneof(
      fc.integer({ min: 0, max: 1_000_000 }),
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      // around the float/BigInt switch: amount × bps near 2^53
      fc.integer({ min: Math.floor(Number.MAX_SAFE_INTEGER / 10_000) - 1_000, max: Math.floor(Number.MAX_SAFE_INTEGER / 10_000) + 1_000 }),
      fc.integer({ min: Number.MAX_SAFE_INTEGER - 1_000, max: Number.MAX_SAFE_INTEGER }),
      // amounts whose product lands just below a multiple of 10000, where a float division could round up
      fc.integer({ min: 1, max: 900_719_925_474 }).map((k) => k * 10_000 - 1),
    );
    const rate = fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.constantFrom(0, 1, 500, 1_000, 2_000, 3_333, 9_999, 10_000));
    fc.assert(
      fc.property(amount, rate, (a, b) => {
        const got = percentOf(a, b);
        expect(Number.isSafeInteger(got)).toBe(true);
        expect(got).toBe(exactPercent(a, b));
        expect(got).toBeGreaterThanOrEqual(0);
        expect(got).toBeLessThanOrEqual(a);
      }),
      { numRuns: 5_000 },
    );
  });

  it('is exact on the whole range where amount × bps sits just under 2^53', () => {
    for (let bps = 1; bps <= 10_000; bps += 37) {
      const a = Math.floor(Number.MAX_SAFE_INTEGER / bps);
      for (const x of [a - 1, a, a + 1]) expect(percentOf(x, bps)).toBe(exactPercent(x, bps));
    }
  });
});

describe('isFen', () => {
  it.each([0, 1, 35_000, Number.MAX_SAFE_INTEGER])('accepts %p', (n) => expect(isFen(n)).toBe(true));
  it.each([-1, 0.5, 1.0000001, Number.MAX_SAFE_INTEGER + 1, Number.NaN, Number.POSITIVE_INFINITY, '100', null, undefined, 10n])(
    'rejects %p (money is a non-negative safe integer number)',
    (n) => expect(isFen(n)).toBe(false),
  );
});

describe('clamp', () => {
  it('keeps a value inside the range and pins one outside to the nearer end', () => {
    expect(clamp(5, 0, 10)).toBe(5);
    expect(clamp(-3, 0, 10)).toBe(0);
    expect(clamp(42, 0, 10)).toBe(10);
    expect(clamp(10, 0, 10)).toBe(10);
  });
});

describe('formatYuan', () => {
  it.each([
    [0, '¥0.00'],
    [5, '¥0.05'],
    [1_750, '¥17.50'],
    [13_250, '¥132.50'],
    [123_456_789, '¥1,234,567.89'],
    [-1_750, '-¥17.50'],
  ])('shows %i fen as %s', (fen, text) => expect(formatYuan(fen)).toBe(text));

  it('never loses or invents a fen', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e15, max: 1e15 }), (fen) => {
        const text = formatYuan(fen);
        expect(text).toMatch(/^-?¥\d{1,3}(,\d{3})*\.\d{2}$/);
        const back = Number(text.replace(/[¥,.]/g, ''));
        expect(back === 0 ? 0 : back).toBe(fen === 0 ? 0 : fen);
      }),
      { numRuns: 500 },
    );
  });
});
