import { describe, expect, it } from 'vitest';
import {
  Adasyn,
  BorderlineSmote,
  classCounts,
  createSampler,
  RandomOverSampler,
  SamplerError,
  Smote,
  type LabelledMatrix,
} from '../lib/sampling/index.ts';
import { Random } from '../lib/util/random.ts';

/** Three classes (60/25/15 %), 4 features, overlapping so that danger points exist. */
function imbalanced(rows = 600, seed = 1): LabelledMatrix {
  const rng = new Random(seed);
  const features = 4;
  const X = new Float64Array(rows * features);
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const u = rng.nextFloat();
    y[i] = u < 0.6 ? 0 : u < 0.85 ? 1 : 2;
    for (let f = 0; f < features; f++)
      X[i * features + f] = y[i] * 0.8 + rng.nextFloat() * 2 + (f === 3 ? 100 * rng.nextFloat() : 0);
  }
  return { X, rows, features, y, classes: 3 };
}

function row(m: LabelledMatrix, i: number): number[] {
  return Array.from(m.X.subarray(i * m.features, (i + 1) * m.features));
}

function kNearestSameClass(m: LabelledMatrix, i: number, k: number, pool: number[]): number[] {
  const dist = (a: number, b: number): number =>
    row(m, a).reduce((s, v, f) => s + (v - m.X[b * m.features + f]) ** 2, 0);
  return pool
    .filter((j) => j !== i)
    .sort((a, b) => dist(i, a) - dist(i, b) || a - b)
    .slice(0, k);
}

/** Whether point s lies on the segment from a to b (within rounding). */
function onSegment(s: number[], a: number[], b: number[]): boolean {
  let t = NaN;
  for (let f = 0; f < s.length; f++) {
    const span = b[f] - a[f];
    if (Math.abs(span) < 1e-12) {
      if (Math.abs(s[f] - a[f]) > 1e-9) return false;
      continue;
    }
    const tf = (s[f] - a[f]) / span;
    if (Number.isNaN(t)) t = tf;
    else if (Math.abs(tf - t) > 1e-9) return false;
  }
  return Number.isNaN(t) || (t >= -1e-12 && t <= 1 + 1e-12);
}

function checkOriginalsKept(before: LabelledMatrix, after: LabelledMatrix): void {
  expect(Array.from(after.X.subarray(0, before.X.length))).toEqual(Array.from(before.X));
  expect(Array.from(after.y.subarray(0, before.rows))).toEqual(Array.from(before.y));
}

describe('samplers (imbalanced-learn 0.10 semantics)', () => {
  const data = imbalanced();
  const counts = classCounts(data.y, 3);

  it("'auto' raises every class to the majority's count; originals come first, unchanged", () => {
    expect(counts[0]).toBeGreaterThan(counts[1]);
    for (const name of ['ros', 'smote', 'borderline'] as const) {
      const out = createSampler(name, 42).fitResample(data);
      checkOriginalsKept(data, out);
      // (BorderlineSMOTE too: both minority classes here have danger rows.)
      expect(classCounts(out.y, 3)).toEqual([counts[0], counts[0], counts[0]]);
    }
    expect(createSampler('none', 1).fitResample(data)).toBe(data);
  });

  it('a sampling_ratio raises each minority class to that share of the majority, int(ratio x majority), leaves a class already above it alone, and ADASYN adds fewer', () => {
    for (const name of ['ros', 'smote', 'borderline'] as const) {
      const half = classCounts(createSampler(name, 42, { sampling_ratio: 0.5 }).fitResample(data).y, 3);
      expect(half[0], name).toBe(counts[0]);
      for (const k of [1, 2])
        expect(half[k], `${name} class ${k}`).toBe(Math.max(counts[k], Math.floor(0.5 * counts[0])));
    }
    // ADASYN shares a class's rows out by rounding per row, as imbalanced-learn does: fewer rows than to balance, not exactly the target.
    const adasyn = classCounts(createSampler('adasyn', 42, { sampling_ratio: 0.75 }).fitResample(data).y, 3);
    const balanced = classCounts(createSampler('adasyn', 42).fitResample(data).y, 3);
    for (const k of [1, 2]) expect(adasyn[k]).toBeLessThan(balanced[k]);
    expect(() => createSampler('ros', 1, { sampling_ratio: 0 }).fitResample(data)).toThrow(
      /sampling_ratio must be in \(0, 1\], got 0/,
    );
  });

  it('ADASYN takes a tuned neighbour count as its n_neighbors', () => {
    const sampler = createSampler('adasyn', 3, { k_neighbors: 8 }) as Adasyn;
    expect(sampler.params.n_neighbors).toBe(8);
  });

  it('RandomOverSampler adds exact copies of rows of the same class, reproducibly', () => {
    const out = new RandomOverSampler({ random_state: 5 }).fitResample(data);
    const originals = new Map<string, number>();
    for (let i = 0; i < data.rows; i++) originals.set(row(data, i).join(','), data.y[i]);
    for (let i = data.rows; i < out.rows; i++) expect(originals.get(row(out, i).join(','))).toBe(out.y[i]);
    expect(new RandomOverSampler({ random_state: 5 }).fitResample(data).X).toEqual(out.X);
    expect(new RandomOverSampler({ random_state: 6 }).fitResample(data).X).not.toEqual(out.X);
  });

  it('SMOTE puts every synthetic row on a segment between a minority row and one of its 5 nearest same-class rows', () => {
    const out = new Smote({ random_state: 42 }).fitResample(data);
    for (const k of [1, 2]) {
      const members = Array.from(data.y.keys()).filter((i) => data.y[i] === k);
      const neighbours = new Map(members.map((i) => [i, kNearestSameClass(data, i, 5, members)]));
      let checked = 0;
      for (let s = data.rows; s < out.rows && checked < 60; s++) {
        if (out.y[s] !== k) continue;
        checked++;
        const point = row(out, s);
        const found = members.some((i) => neighbours.get(i)!.some((j) => onSegment(point, row(data, i), row(data, j))));
        expect(found).toBe(true);
      }
      expect(checked).toBe(60);
    }
  });

  it('SMOTE on a hand-checked line: new points stay between neighbouring minority points', () => {
    // Minority class 1 at x = 0, 1, 2 (k=1: each point's neighbour is the adjacent one).
    const X = Float64Array.from([0, 1, 2, 10, 11, 12, 13, 14, 15]);
    const y = Int32Array.from([1, 1, 1, 0, 0, 0, 0, 0, 0]);
    const out = new Smote({ k_neighbors: 1, random_state: 3 }).fitResample({ X, rows: 9, features: 1, y, classes: 2 });
    expect(out.rows).toBe(12);
    for (let i = 9; i < 12; i++) {
      expect(out.y[i]).toBe(1);
      expect(out.X[i]).toBeGreaterThanOrEqual(0);
      expect(out.X[i]).toBeLessThanOrEqual(2);
    }
  });

  it('BorderlineSMOTE draws only from danger rows (half or more, but not all, of 10 neighbours in other classes)', () => {
    const out = new BorderlineSmote({ random_state: 42 }).fitResample(data);
    const all = Array.from(data.y.keys());
    for (const k of [1, 2]) {
      const members = all.filter((i) => data.y[i] === k);
      const danger = members.filter((i) => {
        const others = kNearestSameClass(data, i, 10, all).filter((j) => data.y[j] !== k).length;
        return others >= 5 && others < 10;
      });
      expect(danger.length).toBeGreaterThan(0);
      expect(danger.length).toBeLessThan(members.length);
      const neighbours = new Map(danger.map((i) => [i, kNearestSameClass(data, i, 5, members)]));
      let checked = 0;
      for (let s = data.rows; s < out.rows && checked < 40; s++) {
        if (out.y[s] !== k) continue;
        checked++;
        const point = row(out, s);
        expect(danger.some((i) => neighbours.get(i)!.some((j) => onSegment(point, row(data, i), row(data, j))))).toBe(
          true,
        );
      }
      expect(checked).toBe(40);
    }
  });

  it('BorderlineSMOTE leaves a class without danger rows alone', () => {
    // Class 1 far from class 0: no danger rows, nothing generated.
    const X = Float64Array.from([
      ...Array.from({ length: 30 }, (_, i) => i),
      ...Array.from({ length: 12 }, (_, i) => 1000 + i),
    ]);
    const y = Int32Array.from([...new Array(30).fill(0), ...new Array(12).fill(1)]);
    const out = new BorderlineSmote({ random_state: 1 }).fitResample({ X, rows: 42, features: 1, y, classes: 2 });
    expect(out.rows).toBe(42);
  });

  it('ADASYN gives more rows to minority rows surrounded by other classes, all on same-class segments', () => {
    const out = new Adasyn({ random_state: 42 }).fitResample(data);
    checkOriginalsKept(data, out);
    const after = classCounts(out.y, 3);
    // Rounding per row makes the total approximate, as in imbalanced-learn.
    for (const k of [1, 2]) expect(Math.abs(after[k] - counts[0])).toBeLessThan(members(data, k).length / 2 + 5);
    const k = 2;
    const pool = members(data, k);
    const neighbours = new Map(pool.map((i) => [i, kNearestSameClass(data, i, 5, pool)]));
    for (let s = data.rows, checked = 0; s < out.rows && checked < 40; s++) {
      if (out.y[s] !== k) continue;
      checked++;
      expect(pool.some((i) => neighbours.get(i)!.some((j) => onSegment(row(out, s), row(data, i), row(data, j))))).toBe(
        true,
      );
    }
  });

  it('ADASYN refuses a class whose neighbours are all its own, as imbalanced-learn does', () => {
    const X = Float64Array.from([
      ...Array.from({ length: 30 }, (_, i) => i),
      ...Array.from({ length: 12 }, (_, i) => 1000 + i),
    ]);
    const y = Int32Array.from([...new Array(30).fill(0), ...new Array(12).fill(1)]);
    expect(() => new Adasyn().fitResample({ X, rows: 42, features: 1, y, classes: 2 })).toThrow(SamplerError);
  });

  it('SMOTE refuses a class with no more rows than k_neighbors', () => {
    const X = Float64Array.from([0, 1, 2, 3, 10, 11, 12, 13, 14, 15]);
    const y = Int32Array.from([1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
    expect(() => new Smote().fitResample({ X, rows: 10, features: 1, y, classes: 2 })).toThrow(/k_neighbors=5/);
  });
});

function members(m: LabelledMatrix, k: number): number[] {
  return Array.from(m.y.keys()).filter((i) => m.y[i] === k);
}
