/**
 * A training baseline's fingerprint: feature counts binned on one baseline add up only with counts
 * on the same one, so every summary names the baseline its bins come from. Cached per baseline
 * object: a container computes it once per model it loads.
 */
import { createHash } from 'node:crypto';
import type { TrainingBaseline } from './baseline.ts';

const cache = new WeakMap<TrainingBaseline, string>();

export function baselineFingerprint(baseline: TrainingBaseline): string {
  let fingerprint = cache.get(baseline);
  if (!fingerprint) {
    fingerprint = createHash('sha256').update(JSON.stringify(baseline)).digest('hex').slice(0, 16);
    cache.set(baseline, fingerprint);
  }
  return fingerprint;
}
