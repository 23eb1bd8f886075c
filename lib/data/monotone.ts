/**
 * The spec's per-column monotone directions as boosting's per-feature constraints: numeric and
 * duration columns are the preprocessor's first features, one each, in its order; every other
 * feature is free.
 */
import type { PreprocessorState } from './preprocessor.ts';
import type { DatasetSpec } from './spec.ts';

/** One constraint per feature of `state` (1, -1 or 0), or [] when the spec constrains no column. */
export function monotoneConstraints(spec: DatasetSpec, state: PreprocessorState): number[] {
  const direction = new Map([...spec.numeric, ...spec.duration].map((c) => [c.column, c.monotone ?? 0]));
  if (![...direction.values()].some((d) => d !== 0)) return [];
  const constraints = new Array<number>(state.featureNames.length).fill(0);
  state.numeric.forEach((step, f) => (constraints[f] = direction.get(step.column) ?? 0));
  return constraints;
}
