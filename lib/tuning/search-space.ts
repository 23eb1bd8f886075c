/**
 * What tuning searches: for each classifier the parameters that matter most on tabular credit
 * data (for the scorecard its binning knobs and C, in the ranges declared beside their
 * validation), and for the neighbour-based samplers their number of neighbours. Configurations are
 * drawn with a seeded generator (and for every sampler how far it raises the minority classes),
 * the first always the defaults; successive halving carries the
 * defaults to the last rung whatever their early scores (successive-halving.ts), so a search
 * keeps or beats the defaults on the rows it scores on.
 */
import type { SamplerName } from '../sampling/sampler-names.ts';
import { BINNING_RANGES, MONOTONE_CHOICES } from '../scorecard/binning-params.ts';
import { C_RANGE } from '../scorecard/logistic-regression.ts';
import type { ParamRange } from '../scorecard/param-range.ts';
import type { ScorecardTuning } from '../scorecard/scorecard-model.ts';
import type { ClassifierName } from '../training/classifier-names.ts';
import { DEFAULT_CONFIG, type TunedParams } from '../training/tuned-params.ts';
import type { GradientBoostingParams } from '../trees/gradient-boosting.ts';
import type { RandomForestParams } from '../trees/random-forest.ts';
import { Random } from '../util/random.ts';

// A configuration's shape is training's (every fit reads it); tuning draws them.
export { DEFAULT_CONFIG, type TunedParams } from '../training/tuned-params.ts';

export interface TuneOptions {
  /** Fits per search: each outer fold's, and the final one. */
  budget: number;
  /** How many of the best default candidates are tuned. */
  candidates: number;
}

export const TUNE_DEFAULTS: TuneOptions = { budget: 20, candidates: 2 };

/**
 * Boosting is tuned with many rounds and early stopping on rows held out of the fit (never the
 * rows it is scored on): the learning rate then sets how many rounds it keeps. A run's own
 * --early-stopping patience replaces this one (candidates.ts).
 */
const BOOSTING_ROUNDS = 400;
const BOOSTING_PATIENCE = 25;

const pick = <T>(rng: Random, values: readonly T[]): T => values[rng.nextInt(values.length)]!;
const logUniform = (rng: Random, low: number, high: number): number =>
  Number(Math.exp(Math.log(low) + rng.nextFloat() * (Math.log(high) - Math.log(low))).toPrecision(3));
const uniform = (rng: Random, low: number, high: number): number =>
  Number((low + rng.nextFloat() * (high - low)).toPrecision(3));

function drawForest(rng: Random): Partial<RandomForestParams> {
  return {
    max_features: pick(rng, ['sqrt', 'log2', 0.2, 0.35, 0.5] as const),
    min_samples_leaf: pick(rng, [1, 2, 4, 8, 16]),
    max_depth: pick(rng, [null, 10, 16, 24]),
    class_weight: pick(rng, [null, 'balanced', 'balanced_subsample'] as const),
  };
}

function drawBoosting(rng: Random): Partial<GradientBoostingParams> {
  return {
    n_estimators: BOOSTING_ROUNDS,
    early_stopping_rounds: BOOSTING_PATIENCE,
    learning_rate: logUniform(rng, 0.02, 0.3),
    max_depth: pick(rng, [3, 4, 5, 6, 8]),
    min_child_weight: pick(rng, [1, 2, 5, 10]),
    subsample: uniform(rng, 0.6, 1),
    colsample_bytree: uniform(rng, 0.5, 1),
    reg_lambda: logUniform(rng, 0.3, 10),
    class_weight: pick(rng, [null, 'balanced'] as const),
  };
}

/** A value in a parameter's searched range, declared beside its validation (lib/scorecard/param-range.ts). */
function drawInRange(rng: Random, r: ParamRange): number {
  const { low, high, scale } = r.search;
  if (r.integer) {
    const x =
      scale === 'log'
        ? Math.exp(Math.log(low) + rng.nextFloat() * (Math.log(high + 1) - Math.log(low)))
        : low + rng.nextFloat() * (high + 1 - low);
    return Math.min(high, Math.floor(x));
  }
  return scale === 'log' ? logUniform(rng, low, high) : uniform(rng, low, high);
}

/** The scorecard: every binning knob and the regression's L2 (its C). */
function drawScorecard(rng: Random): Partial<ScorecardTuning> {
  return {
    prebins: drawInRange(rng, BINNING_RANGES.prebins),
    minBinShare: drawInRange(rng, BINNING_RANGES.minBinShare),
    maxBins: drawInRange(rng, BINNING_RANGES.maxBins),
    monotone: pick(rng, MONOTONE_CHOICES),
    minIv: drawInRange(rng, BINNING_RANGES.minIv),
    C: drawInRange(rng, C_RANGE),
  };
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
      classifier:
        classifier === 'rf' ? drawForest(rng) : classifier === 'scorecard' ? drawScorecard(rng) : drawBoosting(rng),
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
