/** The classifiers a training run can try, by the names the CLI uses. */
import { GradientBoostingClassifier, type GradientBoostingParams } from '../trees/gradient-boosting.ts';
import { RandomForestClassifier, type RandomForestParams } from '../trees/random-forest.ts';
import type { CompiledEnsemble } from '../trees/compiled-ensemble.ts';
import type { FitProgress, TrainingData } from '../trees/training-data.ts';
import type { TrainingPool } from '../parallel/training-pool.ts';

import { type ClassifierName } from './classifier-names.ts';
export { CLASSIFIER_NAMES, type ClassifierName } from './classifier-names.ts';

export const CLASSIFIER_TITLES: Record<ClassifierName, string> = {
  rf: 'RandomForest',
  xgb: 'GradientBoosting (XGBoost hist)',
};

export interface Classifier {
  readonly params: RandomForestParams | GradientBoostingParams;
  fit(data: TrainingData, onProgress?: FitProgress): CompiledEnsemble;
  /** The same model, byte for byte, using the pool's workers. */
  fitParallel(data: TrainingData, pool: TrainingPool, onProgress?: FitProgress): Promise<CompiledEnsemble>;
}

export function createClassifier(name: ClassifierName, randomState: number): Classifier {
  switch (name) {
    case 'rf':
      return new RandomForestClassifier({ random_state: randomState });
    case 'xgb':
      return new GradientBoostingClassifier({ random_state: randomState });
  }
}
