import { describe, expect, it } from 'vitest';
import { KdTree } from '../lib/sampling/kd-tree.ts';
import { Random } from '../lib/util/random.ts';

function bruteForce(points: Float64Array, n: number, d: number, q: Float64Array, qi: number, k: number): number[] {
  const all = Array.from({ length: n }, (_, i) => {
    let s = 0;
    for (let j = 0; j < d; j++) s += (points[i * d + j] - q[qi * d + j]) ** 2;
    return { i, s };
  });
  all.sort((a, b) => a.s - b.s || a.i - b.i);
  return all.slice(0, k).map((a) => a.i);
}

describe('k-d tree', () => {
  it('returns exactly the brute-force neighbours, ties by index, duplicates included', () => {
    const rng = new Random(3);
    const n = 1500;
    const d = 6;
    const points = new Float64Array(n * d);
    // Mixed scales and many duplicates (rounded values), as in the credit features.
    for (let i = 0; i < n * d; i++) points[i] = Math.round(rng.nextFloat() * 20) * (i % d === 0 ? 1000 : 1);
    const tree = new KdTree(points, n, d);
    const out = new Int32Array(11);
    for (let q = 0; q < 200; q++) {
      const found = tree.query(points, q * d, 11, out);
      expect(found).toBe(11);
      expect(Array.from(out)).toEqual(bruteForce(points, n, d, points, q, 11));
    }
  });

  it('answers with fewer neighbours when the tree is small, and squared distances ascending', () => {
    const points = Float64Array.from([0, 0, 3, 4, 1, 1]);
    const tree = new KdTree(points, 3, 2);
    const idx = new Int32Array(5);
    const dist = new Float64Array(5);
    expect(tree.query(Float64Array.from([0, 0]), 0, 5, idx, dist)).toBe(3);
    expect(Array.from(idx.subarray(0, 3))).toEqual([0, 2, 1]);
    expect(Array.from(dist.subarray(0, 3))).toEqual([0, 2, 25]);
  });
});
