/**
 * Reason codes: a prediction's feature contributions folded back into the columns the user
 * sent (a one-hot or multi-label column's indicators become that column again), turned toward
 * the predicted class, and the strongest k kept: the "principal reasons" a lender states for
 * a decision.
 *
 * "Toward the predicted class" is read in the space the model adds up in: the class's margin
 * (log-odds) for boosting, its probability for a forest. Binary boosting has one margin, for
 * the second class; the first class's is its negation, so its contributions are negated too.
 * Only columns that push toward the class are reasons; baseValue plus every column's
 * contribution is the model's output for the class.
 */
import type { PreprocessorState } from '../data/preprocessor.ts';
import type { Aggregation } from '../trees/compiled-ensemble.ts';
import type { Contributions, ExplainMethod } from './tree-shap.ts';

/** The most reasons a request may ask for. */
export const MAX_REASONS = 50;

export interface Reason {
  /** The source column, as sent. */
  feature: string;
  /** What was sent for it (null when it was unknown). */
  value: unknown;
  contribution: number;
}

export interface Explanation {
  method: ExplainMethod;
  /** What the contributions are in: 'margin' (log-odds, boosting) or 'probability' (forest). */
  space: 'margin' | 'probability';
  /** The predicted class's expected output over the training data. */
  baseValue: number;
  reasons: Reason[];
}

/** For each encoded feature, the index of its source column in `columns`. */
export interface FeatureSources {
  columns: string[];
  sourceOf: Int32Array;
}

/** Which source column each of the preprocessor's features comes from, in its feature order. */
export function featureSources(state: PreprocessorState): FeatureSources {
  const columns: string[] = [];
  const sourceOf: number[] = [];
  const add = (column: string, width: number): void => {
    columns.push(column);
    for (let i = 0; i < width; i++) sourceOf.push(columns.length - 1);
  };
  for (const s of state.numeric) add(s.column, 1);
  for (const s of state.categorical) add(s.column, s.encoding === 'ordinal' ? 1 : s.levels.length);
  for (const s of state.multiLabel) add(s.column, s.labels.length);
  if (sourceOf.length !== state.featureNames.length) {
    throw new Error(
      `preprocessor state has ${state.featureNames.length} feature names but its steps make ${sourceOf.length} features`,
    );
  }
  return { columns, sourceOf: Int32Array.from(sourceOf) };
}

/**
 * The top `k` reasons for class `classIndex`. `valueOf` gives what was sent for a column.
 */
export function reasonCodes(
  contributions: Contributions,
  sources: FeatureSources,
  aggregation: Aggregation,
  classIndex: number,
  k: number,
  method: ExplainMethod,
  valueOf: (column: string) => unknown,
): Explanation {
  const { phi, features } = contributions;
  // Binary boosting: one margin, for class 1.
  const output = aggregation === 'logistic' ? 0 : classIndex;
  const sign = aggregation === 'logistic' && classIndex === 0 ? -1 : 1;
  const base = output * (features + 1);
  const byColumn = new Float64Array(sources.columns.length);
  for (let f = 0; f < features; f++) byColumn[sources.sourceOf[f]] += sign * phi[base + f];
  const reasons = [...byColumn.keys()]
    .filter((c) => byColumn[c] > 0)
    .sort((a, b) => byColumn[b] - byColumn[a] || (sources.columns[a] < sources.columns[b] ? -1 : 1))
    .slice(0, k)
    .map((c): Reason => ({
      feature: sources.columns[c],
      value: valueOf(sources.columns[c]) ?? null,
      contribution: byColumn[c],
    }));
  return {
    method,
    space: aggregation === 'mean' ? 'probability' : 'margin',
    baseValue: sign * phi[base + features],
    reasons,
  };
}
