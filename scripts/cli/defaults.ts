/** Defaults shared by the CLIs: the product's own dataset and spec. */
export const DEFAULT_DATA = 'data/credit_score_customers_raw.csv';
export const DEFAULT_SPEC = 'data/specs/credit-score.json';
