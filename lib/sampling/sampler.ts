/**
 * Over-samplers with imbalanced-learn 0.10's semantics: `fitResample` returns the original
 * rows followed by the new rows of each class, in class order. sampling_strategy 'auto'
 * raises every class but the majority to the majority's count; `sampling_ratio` below 1 raises
 * them to that share of it (autoStrategy).
 */
export interface LabelledMatrix {
  X: Float64Array;
  rows: number;
  features: number;
  y: Int32Array;
  classes: number;
}

export interface Sampler {
  readonly name: SamplerName;
  fitResample(data: LabelledMatrix): LabelledMatrix;
  /**
   * The same work as steps: each neighbour search the sampler needs is yielded and its table
   * handed back, so whoever runs the steps decides where the searches run (runSteps: here; the
   * training pool's workers: lib/sampling/pool-neighbours.ts), with one copy of the algorithm.
   */
  steps(data: LabelledMatrix): SamplerSteps;
}

/** A sampler's work: yields neighbour searches, is handed their tables, returns the resampled matrix. */
export type SamplerSteps = Generator<NeighbourQuery, LabelledMatrix, Int32Array>;

/** The steps of a sampler that searches no neighbours: the resampling alone, at the first step. */
// eslint-disable-next-line require-yield -- a sampler without neighbour searches has nothing to yield
export function* withoutSearches(resample: () => LabelledMatrix): SamplerSteps {
  return resample();
}

/** Runs a sampler's steps on this thread. */
export function runSteps(steps: SamplerSteps): LabelledMatrix {
  let next = steps.next();
  while (!next.done) next = steps.next(answerHere(next.value));
  return next.value;
}

import { answerHere, type NeighbourQuery } from './neighbours.ts';
import type { SamplerName } from './sampler-names.ts';
export { SAMPLER_NAMES, type SamplerName } from './sampler-names.ts';

export class SamplerError extends Error {
  override name = 'SamplerError';
}

export function classCounts(y: Int32Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < y.length; i++) counts[y[i]]++;
  return counts;
}

/**
 * Rows to add per class: every class but the (first) majority raised to `ratio` x the majority's
 * count, int(ratio * n_majority) as imbalanced-learn rounds a float sampling_strategy (which it
 * allows for two classes only; here each minority class gets the same target). A class already
 * above it gets none. Ratio 1 is sampling_strategy 'auto'.
 */
export function autoStrategy(y: Int32Array, classes: number, ratio = 1): number[] {
  if (!(ratio > 0 && ratio <= 1)) throw new RangeError(`sampling_ratio must be in (0, 1], got ${ratio}`);
  const counts = classCounts(y, classes);
  const majority = counts.indexOf(Math.max(...counts));
  const target = Math.floor(ratio * counts[majority]);
  return counts.map((c, k) => (k === majority ? 0 : Math.max(0, target - c)));
}

/** A class a sampler raises: how many rows it gets, and its rows (indices and values). */
export interface RaisedClass {
  label: number;
  count: number;
  members: Int32Array;
  Xc: Float64Array;
}

/** The classes autoStrategy raises (those that get rows), in class order, one at a time. */
export function* raisedClasses(data: LabelledMatrix, ratio: number): Generator<RaisedClass> {
  const counts = autoStrategy(data.y, data.classes, ratio);
  for (let label = 0; label < counts.length; label++) {
    if (counts[label] === 0) continue;
    const members = indicesOfClass(data.y, label);
    yield { label, count: counts[label], members, Xc: takeRows(data.X, data.features, members) };
  }
}

export function indicesOfClass(y: Int32Array, k: number): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < y.length; i++) if (y[i] === k) out.push(i);
  return Int32Array.from(out);
}

/** Copies the given rows of a row-major matrix. */
export function takeRows(X: Float64Array, features: number, rows: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rows.length * features);
  for (let i = 0; i < rows.length; i++)
    out.set(X.subarray(rows[i] * features, rows[i] * features + features), i * features);
  return out;
}

/** New rows of one class, row-major. */
export interface SampleBlock {
  X: Float64Array;
  rows: number;
  label: number;
}

/** The original matrix followed by the synthetic blocks, one per class. */
export function appendSamples(data: LabelledMatrix, blocks: SampleBlock[]): LabelledMatrix {
  const added = blocks.reduce((s, b) => s + b.rows, 0);
  const rows = data.rows + added;
  const X = new Float64Array(rows * data.features);
  const y = new Int32Array(rows);
  X.set(data.X.subarray(0, data.rows * data.features));
  y.set(data.y);
  let at = data.rows;
  for (const block of blocks) {
    X.set(block.X, at * data.features);
    y.fill(block.label, at, at + block.rows);
    at += block.rows;
  }
  return { X, rows, features: data.features, y, classes: data.classes };
}
