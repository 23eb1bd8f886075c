/**
 * Class weights in both classifiers (scikit-learn's class_weight, XGBoost's sample weights):
 * a forest's leaves hold weighted class shares ('balanced' makes a one-leaf forest say 50/50 on
 * 90/10 data), both classifiers predict the rare class more often with 'balanced', and on
 * balanced data 'balanced' weighs every row 1: the same model byte for byte.
 */
import { describe, expect, it } from 'vitest';
import { GradientBoostingClassifier } from '../lib/trees/gradient-boosting.ts';
import { RandomForestClassifier } from '../lib/trees/random-forest.ts';
import type { TrainingData } from '../lib/trees/training-data.ts';
import { Random } from '../lib/util/random.ts';

/** Two features, the rare class shifted on the first: overlapping, so the weights matter. */
function data(rows: number, rareShare: number, seed: number): TrainingData {
  const rng = new Random(seed);
  const y = Int32Array.from({ length: rows }, (_, i) => (i < rows * rareShare ? 1 : 0));
  const X = new Float64Array(rows * 2);
  for (let i = 0; i < rows; i++) {
    X[i * 2] = rng.nextFloat() + (y[i] ? 0.35 : 0);
    X[i * 2 + 1] = rng.nextFloat();
  }
  return { X, rows, features: 2, y, classes: 2 };
}

function rarePredicted(proba: Float64Array, rows: number): number {
  let n = 0;
  for (let i = 0; i < rows; i++) if (proba[i * 2 + 1] > proba[i * 2]) n++;
  return n;
}

describe('class weights', () => {
  const skewed = data(2000, 0.1, 3);

  it("a forest's one-leaf trees hold weighted shares: 0.9/0.1 unweighted, 0.5/0.5 balanced", () => {
    const stump = (class_weight: null | 'balanced') =>
      new RandomForestClassifier({ n_estimators: 3, max_depth: 0, bootstrap: false, class_weight })
        .fit(skewed)
        .predictProbaBatch(skewed.X, 1);
    expect(stump(null)[1]).toBeCloseTo(0.1, 6);
    expect(stump('balanced')[1]).toBeCloseTo(0.5, 6);
  });

  it("both classifiers predict the rare class more often with 'balanced' (and 'balanced_subsample' for the forest)", () => {
    const forest = (class_weight: null | 'balanced' | 'balanced_subsample') =>
      rarePredicted(
        new RandomForestClassifier({ n_estimators: 20, min_samples_leaf: 20, random_state: 1, class_weight })
          .fit(skewed)
          .predictProbaBatch(skewed.X, skewed.rows),
        skewed.rows,
      );
    const boosted = (class_weight: null | 'balanced') =>
      rarePredicted(
        new GradientBoostingClassifier({ n_estimators: 20, max_depth: 3, random_state: 1, class_weight })
          .fit(skewed)
          .predictProbaBatch(skewed.X, skewed.rows),
        skewed.rows,
      );
    expect(forest('balanced')).toBeGreaterThan(forest(null) + 50);
    expect(forest('balanced_subsample')).toBeGreaterThan(forest(null) + 50);
    expect(boosted('balanced')).toBeGreaterThan(boosted(null) + 50);
  });

  it("on balanced classes 'balanced' weighs every row 1: the same models byte for byte", () => {
    const even = data(1000, 0.5, 4);
    const bytes = (model: { toBuffer(): Uint8Array }) => Buffer.from(model.toBuffer());
    expect(
      bytes(new GradientBoostingClassifier({ n_estimators: 5, class_weight: 'balanced' }).fit(even)).equals(
        bytes(new GradientBoostingClassifier({ n_estimators: 5 }).fit(even)),
      ),
    ).toBe(true);
    expect(
      bytes(
        new RandomForestClassifier({ n_estimators: 5, bootstrap: false, class_weight: 'balanced' }).fit(even),
      ).equals(bytes(new RandomForestClassifier({ n_estimators: 5, bootstrap: false }).fit(even))),
    ).toBe(true);
  });
});
