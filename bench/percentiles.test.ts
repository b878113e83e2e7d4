import { describe, expect, it } from 'vitest';
import { percentile, summarise } from './percentiles.ts';

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const s = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(s, 50)).toBe(50);
    expect(percentile(s, 99)).toBe(99);
    expect(percentile(s, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
  });
  it('sorts before it ranks', () => {
    expect(summarise([5, 1, 3, 2, 4])).toEqual({ p50: 3, p99: 5, n: 5 });
  });
});
