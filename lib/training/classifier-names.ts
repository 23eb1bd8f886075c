/** The classifiers a training run can try, by the names the CLI and the retrain API use (a leaf: no tree code). */
export const CLASSIFIER_NAMES = ['rf', 'xgb', 'scorecard'] as const;
export type ClassifierName = (typeof CLASSIFIER_NAMES)[number];

/**
 * What a run tries when not told: the tree ensembles. The scorecard is asked for by name
 * (`--classifiers rf,xgb,scorecard`): it adds a candidate, and a run's time and report, that
 * existing pipelines did not ask for.
 */
export const DEFAULT_CLASSIFIERS: readonly ClassifierName[] = ['rf', 'xgb'];

/**
 * A scorecard is fitted on the rows as they are: its bins' WoE are event rates, which copies or
 * synthetic rows from a sampler would distort, and its points must reproduce the real odds. So
 * it pairs with the sampler `none` only; scorecard + any other sampler is not a candidate.
 */
export const SCORECARD_SAMPLER = 'none';

/** Whether classifier x sampler is a candidate a run fits. */
export function isCandidate(classifier: ClassifierName, sampler: string): boolean {
  return classifier !== 'scorecard' || sampler === SCORECARD_SAMPLER;
}

/** Why a scorecard with another sampler is not trained: what the CLI and reports say. */
export const SCORECARD_SAMPLER_RULE = `a scorecard takes no sampler (its WoE and points are event rates of the real rows): it pairs with --samplers ${SCORECARD_SAMPLER} only`;
