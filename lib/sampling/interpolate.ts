/** SMOTE's generation step: new points on segments between a row and one of its neighbours. */
import type { Random } from '../util/random.ts';

/**
 * `count` samples: each picks a (row, neighbour) cell of the `k`-wide neighbour table
 * uniformly, then a point at a uniform step along the segment from the row's point
 * (from `seeds`) to the neighbour's point (from `pool`), as imbalanced-learn's _make_samples.
 */
export function interpolate(
  seeds: Float64Array,
  seedRows: number,
  pool: Float64Array,
  neighbours: Int32Array,
  k: number,
  features: number,
  count: number,
  rng: Random,
): Float64Array {
  const out = new Float64Array(count * features);
  for (let s = 0; s < count; s++) {
    const cell = rng.nextInt(seedRows * k);
    const row = Math.floor(cell / k);
    const neighbour = neighbours[cell];
    const step = rng.nextFloat();
    writeBetween(seeds, row, pool, neighbour, step, features, out, s);
  }
  return out;
}

export function writeBetween(
  from: Float64Array,
  fromRow: number,
  to: Float64Array,
  toRow: number,
  step: number,
  features: number,
  out: Float64Array,
  outRow: number,
): void {
  const a = fromRow * features;
  const b = toRow * features;
  const o = outRow * features;
  for (let f = 0; f < features; f++) out[o + f] = from[a + f] + step * (to[b + f] - from[a + f]);
}
