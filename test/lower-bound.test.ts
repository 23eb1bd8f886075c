/**
 * The one lower-bound binary search (lib/util/lower-bound.ts) that the training binning, the
 * drift counts and the scorecard's bins share: the edge cases each caller relies on, and the
 * answer of a linear scan on random arrays with repeated values.
 */
import { describe, expect, it } from 'vitest';
import { lowerBound } from '../lib/util/lower-bound.ts';
import { Random } from '../lib/util/random.ts';

const linear = (values: number[], x: number): number => values.filter((v) => v < x).length;

describe('lowerBound', () => {
  it('is 0 on an empty array', () => {
    expect(lowerBound([], 5)).toBe(0);
  });

  it('is 0 when every value is at or above x, and the length when every value is below', () => {
    expect(lowerBound([2, 3, 5], 1)).toBe(0);
    expect(lowerBound([2, 3, 5], 2)).toBe(0);
    expect(lowerBound([2, 3, 5], 9)).toBe(3);
    expect(lowerBound([2, 3, 5], Infinity)).toBe(3);
    expect(lowerBound([2, 3, 5], -Infinity)).toBe(0);
  });

  it('gives the index of an edge equal to x, the first of several equal ones', () => {
    expect(lowerBound([2, 3, 5], 3)).toBe(1);
    expect(lowerBound([2, 3, 3, 3, 5], 3)).toBe(1);
    expect(lowerBound([2, 3, 5], 5)).toBe(2);
    expect(lowerBound([2, 3, 5], 4)).toBe(2);
  });

  it('gives 0 for NaN (below nothing), which callers route to their missing bin before searching', () => {
    expect(lowerBound([2, 3, 5], NaN)).toBe(0);
  });

  it('reads typed arrays too (float32 thresholds)', () => {
    expect(lowerBound(Float32Array.of(0.5, 1.5, 2.5), 1.5)).toBe(1);
  });

  it('equals a linear count of the values below x on 500 random arrays with repeats', () => {
    const rng = new Random(7);
    for (let t = 0; t < 500; t++) {
      const values = Array.from({ length: rng.nextInt(40) }, () => rng.nextInt(20)).sort((a, b) => a - b);
      const x = rng.nextInt(24) - 2 + (rng.nextInt(2) ? 0.5 : 0);
      expect(lowerBound(values, x), `${x} in [${values.join(', ')}]`).toBe(linear(values, x));
    }
  });
});
