/**
 * Gradient boosting's parameters, with XGBoost's names and defaults (1.7, tree_method hist),
 * declared once: default, valid values (XGBoost's documented ranges where it states one), what
 * tuning searches, and what each does. The class validates against it, tuning draws from it
 * (lib/tuning/search-space.ts) and docs/parameters.md prints it.
 */
import type { ParamSpecs } from '../util/param-spec.ts';
import { paramDefaults } from '../util/param-spec.ts';

/** Each field's meaning, default and valid values: GRADIENT_BOOSTING_PARAMS. */
export interface GradientBoostingParams {
  n_estimators: number;
  learning_rate: number;
  max_depth: number;
  min_child_weight: number;
  reg_lambda: number;
  gamma: number;
  subsample: number;
  colsample_bytree: number;
  base_score: number;
  max_bin: number;
  random_state: number;
  early_stopping_rounds: number;
  validation_fraction: number;
  monotone_constraints: number[];
  class_weight: null | 'balanced';
  quantised_gradients: boolean;
}

const count = (min: number) => ({ min, max: Infinity, integer: true });
const nonNegative = { min: 0, max: Infinity };
const share = { min: 0, aboveMin: true, max: 1 };
const openShare = { min: 0, aboveMin: true, max: 1, belowMax: true };

/**
 * Boosting is tuned with many rounds (400) and early stopping after 25 rounds without a lower
 * held-out log loss (never on the rows it is scored on): the learning rate then sets how many
 * rounds it keeps, and a run's own --early-stopping patience replaces the 25 (training/candidates.ts).
 * Searched values: learning rates 0.02-0.3 (XGBoost's default at the top), depths 3-8, and the
 * regularizers around their defaults.
 */
export const GRADIENT_BOOSTING_PARAMS: ParamSpecs<GradientBoostingParams> = {
  n_estimators: {
    description: 'Boosting rounds (one tree per class each).',
    default: 100,
    range: count(1),
    search: { fixed: 400 },
  },
  learning_rate: {
    description: "Shrinkage of each tree's leaf values (XGBoost's eta).",
    default: 0.3,
    range: share,
    search: { low: 0.02, high: 0.3, scale: 'log' },
  },
  max_depth: {
    description: 'Deepest level a tree grows to.',
    default: 6,
    range: count(1),
    search: { pick: [3, 4, 5, 6, 8] },
  },
  min_child_weight: {
    description: 'Least hessian sum a leaf keeps.',
    default: 1,
    range: nonNegative,
    search: { pick: [1, 2, 5, 10] },
  },
  reg_lambda: {
    description: 'L2 penalty on leaf values.',
    default: 1,
    range: nonNegative,
    search: { low: 0.3, high: 10, scale: 'log' },
  },
  gamma: { description: 'Least loss reduction a split must bring.', default: 0, range: nonNegative },
  subsample: {
    description: 'Share of the rows each round samples.',
    default: 1,
    range: share,
    search: { low: 0.6, high: 1, scale: 'linear' },
  },
  colsample_bytree: {
    description: 'Share of the features each tree samples.',
    default: 1,
    range: share,
    search: { low: 0.5, high: 1, scale: 'linear' },
  },
  base_score: { description: 'Starting probability (binary) or margin of every row.', default: 0.5, range: openShare },
  max_bin: { description: 'Bins per feature, at most 256 used.', default: 256, range: count(3) },
  random_state: {
    description: 'Seed of row and column sampling and of the early-stopping holdout.',
    default: 0,
    range: { min: -Infinity, max: Infinity, integer: true },
  },
  early_stopping_rounds: {
    description: 'Stop after this many rounds without a lower held-out log loss and keep the best (0: off).',
    default: 0,
    range: count(0),
    search: { fixed: 25 },
  },
  validation_fraction: {
    description: 'With early stopping and no held-out rows given: the stratified share held out.',
    default: 0.1,
    range: openShare,
  },
  // The same sign holds for every class's margin, as XGBoost's monotone_constraints.
  monotone_constraints: {
    description: 'Per feature 1 (margin never falls as it grows), -1 (never rises) or 0; missing ones are 0.',
    default: [],
    rule: {
      holds: (v) => Array.isArray(v) && v.every((c) => c === -1 || c === 0 || c === 1),
      says: 'a list holding -1, 0 or 1 per feature',
    },
  },
  class_weight: {
    description:
      "Row weights: none, or 'balanced' (n / (classes x n_k) of the fitted rows) scaling gradients and hessians.",
    default: null,
    choices: [null, 'balanced'],
    search: { pick: [null, 'balanced'] },
  },
  // LightGBM 4's quantised training: lib/trees/boosting-quantise.ts; measured in bench/RESULTS.md.
  quantised_gradients: {
    description:
      'Split search on gradients and hessians rounded (seeded, unbiased) to a few hundred levels, one histogram add instead of two; off under monotone constraints and past ~8M rows.',
    default: true,
    choices: [true, false],
  },
};

export const GRADIENT_BOOSTING_DEFAULTS: GradientBoostingParams = paramDefaults(GRADIENT_BOOSTING_PARAMS);
