/** The classifiers a training run can try, by the names the CLI and the retrain API use (a leaf: no tree code). */
export const CLASSIFIER_NAMES = ['rf', 'xgb'] as const;
export type ClassifierName = (typeof CLASSIFIER_NAMES)[number];
