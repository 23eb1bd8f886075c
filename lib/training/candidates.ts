/** The classifiers a training run can try, by the names the CLI uses. */
import { GradientBoostingClassifier, type GradientBoostingParams } from '../trees/gradient-boosting.ts';
import { RandomForestClassifier, type RandomForestParams } from '../trees/random-forest.ts';
import type { CompiledEnsemble } from '../trees/compiled-ensemble.ts';
import type { FitProgress, TrainingData } from '../trees/training-data.ts';
import type { TaskRunner } from '../parallel/task-runner.ts';

import { type ClassifierName } from './classifier-names.ts';
export { CLASSIFIER_NAMES, DEFAULT_CLASSIFIERS, type ClassifierName } from './classifier-names.ts';

export const CLASSIFIER_TITLES: Record<ClassifierName, string> = {
  rf: 'RandomForest',
  xgb: 'GradientBoosting (XGBoost hist)',
  scorecard: 'Scorecard (WoE logistic regression)',
};

export interface Classifier {
  readonly params: RandomForestParams | GradientBoostingParams;
  /** `validation`: rows boosting's early stopping watches (a forest has no use for them). */
  fit(data: TrainingData, onProgress?: FitProgress, validation?: TrainingData): CompiledEnsemble;
  /** The same model, byte for byte, using the pool's workers. */
  fitParallel(
    data: TrainingData,
    pool: TaskRunner,
    onProgress?: FitProgress,
    options?: { validation?: TrainingData },
  ): Promise<CompiledEnsemble>;
}

/** What a run sets on its boosting candidates beyond XGBoost's defaults; forests ignore it. */
export interface BoostingSettings {
  /** Rounds without improvement on held-out rows before boosting stops (0: off). */
  earlyStoppingRounds: number;
  /** Per feature: 1, -1 or 0 ([]: none), from the spec (lib/data/monotone.ts). */
  monotone: number[];
}

export const DEFAULT_BOOSTING: BoostingSettings = { earlyStoppingRounds: 0, monotone: [] };

/**
 * A tree classifier. `overrides`: parameters a tuned configuration sets (lib/tuning/search-space.ts); they win over the run's.
 * The scorecard is not one (it reads cleaned rows, not the preprocessor's matrix): lib/training/scorecard-candidate.ts fits it.
 */
export function createClassifier(
  name: ClassifierName,
  randomState: number,
  boosting: BoostingSettings = DEFAULT_BOOSTING,
  overrides: object = {},
): Classifier {
  switch (name) {
    case 'rf':
      return new RandomForestClassifier({ ...(overrides as Partial<RandomForestParams>), random_state: randomState });
    case 'xgb':
      return new GradientBoostingClassifier({
        ...(overrides as Partial<GradientBoostingParams>),
        // The run's own patience (--early-stopping) wins over a tuned configuration's default one.
        early_stopping_rounds:
          boosting.earlyStoppingRounds || (overrides as Partial<GradientBoostingParams>).early_stopping_rounds || 0,
        monotone_constraints: boosting.monotone,
        random_state: randomState,
      });
    case 'scorecard':
      throw new Error('the scorecard is not a tree classifier: fit it with lib/training/scorecard-candidate.ts');
  }
}

/** Whether this classifier watches held-out rows, which must then be drawn before resampling. */
export function holdsOutRows(model: Classifier): model is GradientBoostingClassifier {
  return model instanceof GradientBoostingClassifier && model.params.early_stopping_rounds > 0;
}
