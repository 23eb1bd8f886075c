/**
 * The random forest's parameters, with scikit-learn's names and defaults (RandomForestClassifier,
 * 1.x), declared once: default, valid values, what tuning searches, and what each does. The class
 * validates against it, tuning draws from it (lib/tuning/search-space.ts) and docs/parameters.md
 * prints it.
 */
import type { ParamSpecs } from '../util/param-spec.ts';
import { paramDefaults } from '../util/param-spec.ts';

/**
 * Weights of the classes, as scikit-learn's class_weight: null all 1; 'balanced'
 * n / (classes x n_k) from the fitted labels; 'balanced_subsample' the same from each tree's
 * bootstrap sample. A row's weight in a tree is its bootstrap count times its class's weight.
 */
export type ClassWeight = null | 'balanced' | 'balanced_subsample';

/** Each field's meaning, default and valid values: RANDOM_FOREST_PARAMS. */
export interface RandomForestParams {
  n_estimators: number;
  max_depth: number | null;
  min_samples_split: number;
  min_samples_leaf: number;
  max_features: 'sqrt' | 'log2' | number | null;
  bootstrap: boolean;
  random_state: number;
  max_bins: number;
  class_weight: ClassWeight;
}

const count = (min: number) => ({ min, max: Infinity, integer: true });

/**
 * Searched values: features per split from sqrt(p) (scikit-learn's default) to half of them;
 * leaves of 1 to 16 rows and depth caps of 10 to 24 levels (or none), which trade variance for
 * bias on a few thousand rows; and the class weights, which move the forest towards the minority.
 */
export const RANDOM_FOREST_PARAMS: ParamSpecs<RandomForestParams> = {
  n_estimators: { description: 'Trees in the forest.', default: 100, range: count(1) },
  max_depth: {
    description:
      'Deepest level a tree grows to (0: the root alone); null grows until leaves are pure or too small to split.',
    default: null,
    choices: [null],
    // scikit-learn starts at 1; 0 is ours, a one-leaf tree (test/class-weights.test.ts reads its class shares).
    range: count(0),
    search: { pick: [null, 10, 16, 24] },
  },
  min_samples_split: { description: 'Fewest rows a node needs to be split.', default: 2, range: count(2) },
  min_samples_leaf: {
    description: 'Fewest rows each side of a split keeps.',
    default: 1,
    range: count(1),
    search: { pick: [1, 2, 4, 8, 16] },
  },
  max_features: {
    description: 'Features drawn per split: their square root, their log2, a fraction of them, a count, or all (null).',
    default: 'sqrt',
    choices: ['sqrt', 'log2', null],
    range: { min: 0, aboveMin: true, max: Infinity },
    // scikit-learn reads a float as a fraction and an int as a count; JavaScript has one number type.
    rule: {
      holds: (v) => typeof v === 'number' && (v < 1 || Number.isInteger(v)),
      says: 'a fraction below 1 or a whole count',
    },
    search: { pick: ['sqrt', 'log2', 0.2, 0.35, 0.5] },
  },
  bootstrap: {
    description: 'Grow each tree on a bootstrap sample of the rows.',
    default: true,
    choices: [true, false],
  },
  random_state: {
    description: "Seed of the trees' samples and feature draws.",
    default: 0,
    range: { min: -Infinity, max: Infinity, integer: true },
  },
  max_bins: {
    description: 'Bins per feature, at most 256 used (ours; scikit-learn splits on exact values).',
    default: 256,
    range: count(3),
  },
  class_weight: {
    description: "Class weights: none, 'balanced' over the fitted rows, or 'balanced_subsample' per tree's sample.",
    default: null,
    choices: [null, 'balanced', 'balanced_subsample'],
    search: { pick: [null, 'balanced', 'balanced_subsample'] },
  },
};

export const RANDOM_FOREST_DEFAULTS: RandomForestParams = paramDefaults(RANDOM_FOREST_PARAMS);
