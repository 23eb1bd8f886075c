/**
 * Boosting's options beyond XGBoost's defaults: early stopping on held-out rows, and monotone
 * constraints checked by sweeping the constrained feature over its range on many rows.
 */
import { describe, expect, it } from 'vitest';
import { boostingRounds, GradientBoostingClassifier } from '../lib/trees/gradient-boosting.ts';
import type { CompiledEnsemble } from '../lib/trees/compiled-ensemble.ts';
import type { TrainingData } from '../lib/trees/training-data.ts';
import { Random } from '../lib/util/random.ts';
import { syntheticThreeClasses } from './helpers.ts';

/** The same features with labels drawn independently of them: nothing to learn. */
function noise(data: TrainingData, seed: number): TrainingData {
  const rng = new Random(seed);
  return { ...data, y: Int32Array.from(data.y, () => rng.nextInt(data.classes)) };
}

/**
 * Labels that rise and fall with feature 0 (a band in its middle is class 1 or 2), so an
 * unconstrained model's margins go up and then down along it.
 */
function bump(rows: number, classes: number, seed: number): TrainingData {
  const rng = new Random(seed);
  const p = 3;
  const X = new Float64Array(rows * p);
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let f = 0; f < p; f++) X[i * p + f] = rng.nextFloat();
    const x0 = X[i * p];
    const inBand = x0 > 0.35 && x0 < 0.65;
    const label = inBand ? 1 + (X[i * p + 1] > 0.5 && classes > 2 ? 1 : 0) : 0;
    y[i] = rng.nextFloat() < 0.1 ? rng.nextInt(classes) : label;
  }
  return { X, rows, features: p, y, classes };
}

/**
 * Sweeps feature 0 over [0, 1] on each of `rows` rows of `data` (other features as they are) and
 * returns the largest step against `direction` of any output's margin (0 when monotone).
 */
function worstViolation(model: CompiledEnsemble, data: TrainingData, rows: number, direction: 1 | -1): number {
  let worst = 0;
  for (let i = 0; i < rows; i++) {
    const row = Array.from(data.X.subarray(i * data.features, (i + 1) * data.features));
    let previous: Float64Array | null = null;
    for (let s = 0; s <= 100; s++) {
      row[0] = s / 100;
      const margins = model.predictRaw(row);
      if (previous)
        for (let k = 0; k < margins.length; k++) worst = Math.max(worst, direction * (previous[k] - margins[k]));
      previous = margins;
    }
  }
  return worst;
}

describe('monotone constraints', () => {
  for (const classes of [2, 3]) {
    for (const direction of [1, -1] as const) {
      it(`${classes} classes, sign ${direction}: every output's margin moves only that way along the feature; unconstrained it does not`, () => {
        const data = bump(3000, classes, 5);
        const params = { n_estimators: 30, max_depth: 4, random_state: 3 };
        const free = new GradientBoostingClassifier(params).fit(data);
        const constrained = new GradientBoostingClassifier({ ...params, monotone_constraints: [direction] }).fit(data);
        expect(worstViolation(free, data, 200, direction)).toBeGreaterThan(0.1);
        expect(worstViolation(constrained, data, 200, direction)).toBe(0);
        // Binary: the probability is a monotone function of the one margin, so it moves the same way.
        if (classes === 2) {
          const at = (x0: number): number => {
            const out = new Float64Array(2);
            constrained.predictProba([x0, 0.5, 0.5], out);
            return out[1];
          };
          expect(direction * (at(1) - at(0))).toBeGreaterThanOrEqual(0);
        }
      });
    }
  }

  it('leaves the model unchanged, byte for byte, when every constraint is 0', () => {
    const data = bump(800, 3, 9);
    const a = new GradientBoostingClassifier({ n_estimators: 5 }).fit(data);
    const b = new GradientBoostingClassifier({ n_estimators: 5, monotone_constraints: [0, 0, 0] }).fit(data);
    expect(Buffer.from(b.toBuffer()).equals(Buffer.from(a.toBuffer()))).toBe(true);
  });

  it('refuses constraints other than -1, 0, 1 and more constraints than features', () => {
    expect(() => new GradientBoostingClassifier({ monotone_constraints: [2] })).toThrow(/-1, 0 or 1/);
    expect(() =>
      new GradientBoostingClassifier({ n_estimators: 1, monotone_constraints: [1, 0, 0, 1] }).fit(bump(100, 2, 1)),
    ).toThrow(/4 values for 3 features/);
  });
});

describe('early stopping', () => {
  const signal = syntheticThreeClasses(3000, 6, 21);

  it('stops after fewer rounds on labels independent of the features than on labels that depend on them', () => {
    const params = { n_estimators: 200, learning_rate: 0.1, early_stopping_rounds: 10, random_state: 4 };
    const onSignal = boostingRounds(new GradientBoostingClassifier(params).fit(signal));
    const onNoise = boostingRounds(new GradientBoostingClassifier(params).fit(noise(signal, 8)));
    expect(onNoise).toBeLessThan(10);
    expect(onSignal).toBeGreaterThan(50);
  });

  it('keeps every round when off, and the rounds up to the best one when on', () => {
    const full = new GradientBoostingClassifier({ n_estimators: 40 }).fit(signal);
    expect(boostingRounds(full)).toBe(40);
    const stopped = new GradientBoostingClassifier({ n_estimators: 400, early_stopping_rounds: 5 }).fit(
      noise(signal, 2),
    );
    expect(boostingRounds(stopped)).toBeLessThan(400);
    expect(stopped.treeCount).toBe(boostingRounds(stopped) * 3);
  });

  it('watches the validation rows it is given, and is deterministic', () => {
    const params = { n_estimators: 200, learning_rate: 0.1, early_stopping_rounds: 10, random_state: 4 };
    // Held-out rows whose labels are noise: the loss on them never improves for long.
    const validation = noise(syntheticThreeClasses(600, 6, 22), 3);
    const a = new GradientBoostingClassifier(params).fit(signal, undefined, validation);
    const b = new GradientBoostingClassifier(params).fit(signal, undefined, validation);
    expect(boostingRounds(a)).toBeLessThan(boostingRounds(new GradientBoostingClassifier(params).fit(signal)));
    expect(Buffer.from(a.toBuffer()).equals(Buffer.from(b.toBuffer()))).toBe(true);
  });
});
