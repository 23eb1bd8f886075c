/** Defaults shared by the CLIs: the product's own dataset and spec. */
export const DEFAULT_DATA = 'data/credit_score_customers_raw.csv';
export const DEFAULT_SPEC = 'data/specs/credit-score.json';

/** Options every command that reads a labelled dataset takes, with their defaults. */
export const DATASET_OPTIONS = {
  data: { type: 'string', default: DEFAULT_DATA },
  spec: { type: 'string', default: DEFAULT_SPEC },
  cv: { type: 'string', default: '5' },
  seed: { type: 'string', default: '42' },
} as const;

/** The help line of each DATASET_OPTIONS option. */
export const DATASET_HELP = {
  data: { value: 'FILE', text: 'labelled CSV, raw as exported' },
  spec: { value: 'FILE', text: 'dataset spec (JSON)' },
  cv: { value: 'N', text: 'stratified cross-validation folds' },
  seed: {
    value: 'N',
    text: 'seeds folds, samplers and classifiers: same data, spec and seed give the same artifact byte for byte',
  },
};
