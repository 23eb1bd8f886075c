/**
 * What tuning searches: for each classifier the parameters that matter most on tabular credit
 * data, in the ranges each estimator declares beside its validation (lib/trees/*-params.ts,
 * lib/scorecard/binning-params.ts, LOGISTIC_REGRESSION_PARAMS), and for the neighbour-based
 * samplers their number of neighbours. Configurations are
 * drawn with a seeded generator (and for every sampler how far it raises the minority classes),
 * the first always the defaults; successive halving carries the
 * defaults to the last rung whatever their early scores (successive-halving.ts), so a search
 * keeps or beats the defaults on the rows it scores on.
 */
import type { SamplerName } from '../sampling/sampler-names.ts';
import { BINNING_PARAMS, type BinningParams } from '../scorecard/binning-params.ts';
import { LOGISTIC_REGRESSION_PARAMS } from '../scorecard/logistic-regression.ts';
import type { ScorecardTuning } from '../scorecard/scorecard-model.ts';
import type { ClassifierName } from '../training/classifier-names.ts';
import { DEFAULT_CONFIG, type TunedParams } from '../training/tuned-params.ts';
import { GRADIENT_BOOSTING_PARAMS, type GradientBoostingParams } from '../trees/gradient-boosting-params.ts';
import { RANDOM_FOREST_PARAMS, type RandomForestParams } from '../trees/random-forest-params.ts';
import { Random } from '../util/random.ts';
import { drawParam, drawParams, pick } from './draw-params.ts';

// A configuration's shape is training's (every fit reads it); tuning draws them.
export { DEFAULT_CONFIG, type TunedParams } from '../training/tuned-params.ts';

export interface TuneOptions {
  /** Fits per search: each outer fold's, and the final one. */
  budget: number;
  /** How many of the best default candidates are tuned. */
  candidates: number;
}

export const TUNE_DEFAULTS: TuneOptions = { budget: 20, candidates: 2 };

/*
 * The order each classifier's searched parameters are drawn in: the order they were drawn in
 * before they were declared with their estimators, so a seed draws the same configurations
 * (drawParams refuses an order that is not exactly the searched parameters).
 */
const FOREST_DRAW_ORDER: readonly (keyof RandomForestParams)[] = [
  'max_features',
  'min_samples_leaf',
  'max_depth',
  'class_weight',
];
const BOOSTING_DRAW_ORDER: readonly (keyof GradientBoostingParams)[] = [
  'n_estimators',
  'early_stopping_rounds',
  'learning_rate',
  'max_depth',
  'min_child_weight',
  'subsample',
  'colsample_bytree',
  'reg_lambda',
  'class_weight',
];
const BINNING_DRAW_ORDER: readonly (keyof BinningParams)[] = ['prebins', 'minBinShare', 'maxBins', 'monotone', 'minIv'];

/** The scorecard: every binning knob, then the regression's L2 (its C). */
function drawScorecard(rng: Random): Partial<ScorecardTuning> {
  const binning = drawParams(rng, BINNING_PARAMS, BINNING_DRAW_ORDER);
  return { ...binning, C: drawParam(rng, 'C', LOGISTIC_REGRESSION_PARAMS.C) };
}

function drawClassifier(classifier: ClassifierName, rng: Random): TunedParams['classifier'] {
  if (classifier === 'rf') return drawParams(rng, RANDOM_FOREST_PARAMS, FOREST_DRAW_ORDER);
  if (classifier === 'scorecard') return drawScorecard(rng);
  return drawParams(rng, GRADIENT_BOOSTING_PARAMS, BOOSTING_DRAW_ORDER);
}

/** The neighbour counts searched, per sampler that has them. */
export const NEIGHBOURS: Partial<Record<SamplerName, readonly number[]>> = {
  smote: [3, 5, 8, 12],
  adasyn: [3, 5, 8, 12],
  borderline: [3, 5, 8, 12],
};
/**
 * How far a sampler raises the minority classes, as a share of the majority's count: balanced
 * (the default) or part of the way, which keeps fewer copies or synthetic rows of them and
 * leaves the rest of the trade-off to the decision rule.
 */
export const SAMPLING_RATIOS: readonly number[] = [0.5, 0.75, 1];

/** `count` configurations of one candidate: the defaults first, then seeded draws. */
export function drawConfigs(
  classifier: ClassifierName,
  sampler: SamplerName,
  count: number,
  seed: number,
): TunedParams[] {
  const rng = new Random(seed);
  const configs: TunedParams[] = [DEFAULT_CONFIG];
  const neighbours = NEIGHBOURS[sampler];
  while (configs.length < count) {
    configs.push({
      classifier: drawClassifier(classifier, rng),
      sampler: {
        ...(neighbours ? { k_neighbors: pick(rng, neighbours) } : {}),
        ...(sampler === 'none' ? {} : { sampling_ratio: pick(rng, SAMPLING_RATIOS) }),
      },
    });
  }
  return configs;
}

/** A short label of a configuration for logs and reports. */
export function describeConfig(config: TunedParams): string {
  const entries = Object.entries({ ...config.classifier, ...config.sampler });
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(' ') : 'defaults';
}
