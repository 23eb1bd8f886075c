/**
 * Tuning whose score is an estimate for new data (nested cross-validation): inside each outer
 * training fold, the fold's own rows are split again (three quarters to fit, a quarter to score)
 * and successive halving searches the candidate's configurations there; the configuration it
 * picks is then fitted on the whole training fold and scored once on the outer test fold, which
 * the search never saw. The mean over outer folds is comparable with the default candidate's
 * cross-validation score on the same folds; the search's own best scores are not reported as
 * results (they have seen their validation rows).
 */
import {
  DEFAULT_SELECTION_METRIC,
  fitScore,
  METRIC_TITLES,
  type SelectionMetric,
} from '../training/selection-metric.ts';
import type { Dataset } from '../data/dataset.ts';
import { stratifiedHoldout, stratifiedShare } from '../evaluation/stratified-holdout.ts';
import type { SamplerName } from '../sampling/sampler-names.ts';
import { emptyAccumulated, recordScore, summarizeCandidate } from '../training/candidate-summary.ts';
import type { ClassifierName } from '../training/classifier-names.ts';
import { pick, prepareFold, type CandidateResult } from '../training/cross-validate.ts';
import { scoreConfig, type FitScore, type PreparedFold } from '../training/fold-fit.ts';
import type { TrainingPool } from '../training/training-pool.ts';
import { describeConfig, drawConfigs, NEIGHBOURS, type TunedParams } from './search-space.ts';
import { configurationsFor, successiveHalving } from './successive-halving.ts';

/** The share of a training fold the search scores its configurations on. */
const INNER_VALIDATION = 0.25;
/** Rows of each class a rung keeps at least: the most neighbours a sampler is searched with, plus one. */
const MIN_CLASS_ROWS = Math.max(...Object.values(NEIGHBOURS).flat()) + 1;

export interface TuningSettings {
  /** Fits per search (one outer fold's, or the final one on all rows). */
  budget: number;
  seed: number;
  earlyStoppingRounds: number;
  pool?: TrainingPool;
  /** Told which dataset rows each step learns from or scores on (tests check no outer test row reaches the search). */
  onRows?: (
    step: { outerFold: number | 'all'; use: 'search-fit' | 'search-score' | 'refit' | 'test' },
    rows: Int32Array,
  ) => void;
  /** A line per finished search. */
  onSearch?: (line: string) => void;
  /** What the searches maximize (default macro F1). */
  metric?: SelectionMetric;
}

export interface SearchResult {
  config: TunedParams;
  /** The search's score of that configuration on its validation rows (optimistic: it chose on them). */
  searchScore: number;
  fits: number;
}

export interface TunedCandidate {
  /** Scored on the outer test folds, one tuned configuration per fold. */
  result: CandidateResult;
  foldConfigs: TunedParams[];
  /** Every row's probabilities from the outer fold that left it out (rows x classes). */
  outOfFold: Float64Array;
  fits: number;
}

/** Searches one candidate's configurations using only `rows` (indices into the dataset). */
export async function searchConfig(
  dataset: Dataset,
  rows: Int32Array,
  classifier: ClassifierName,
  sampler: SamplerName,
  settings: TuningSettings,
  outerFold: number | 'all',
): Promise<SearchResult> {
  const K = dataset.spec.target.classes.length;
  const inner = stratifiedHoldout(pick(dataset.y, rows), K, INNER_VALIDATION, settings.seed);
  const fitRows = pick(rows, inner.fit);
  const scoreRows = pick(rows, inner.held);
  const configs = drawConfigs(classifier, sampler, configurationsFor(settings.budget), settings.seed);
  const folds = new Map<number, PreparedFold>();
  const foldFor = (fraction: number): PreparedFold => {
    let fold = folds.get(fraction);
    if (!fold) {
      // A rung's share of the fitting rows, stratified, the same rows for every configuration.
      const train =
        fraction < 1
          ? pick(fitRows, stratifiedShare(pick(dataset.y, fitRows), K, fraction, MIN_CLASS_ROWS, settings.seed + 1))
          : fitRows;
      settings.onRows?.({ outerFold, use: 'search-fit' }, train);
      settings.onRows?.({ outerFold, use: 'search-score' }, scoreRows);
      fold = prepareFold(
        dataset,
        { train, test: scoreRows },
        K,
        settings.pool !== undefined,
        settings.earlyStoppingRounds,
        classifier === 'scorecard',
      );
      folds.set(fraction, fold);
    }
    return fold;
  };
  const halving = await successiveHalving(configs.length, async (i, fraction) => {
    const score = await fitConfig(foldFor(fraction), sampler, classifier, configs[i]!, settings);
    return fitScore(score, settings.metric ?? DEFAULT_SELECTION_METRIC);
  });
  const last = halving.rungs[halving.rungs.length - 1]!.scored.find((s) => s.config === halving.best)!;
  const config = configs[halving.best]!;
  const where = `${classifier}+${sampler} search${outerFold === 'all' ? ' on all rows' : ` in fold ${outerFold + 1}`}`;
  // Nothing could be fitted (a sampler refusing every configuration): the defaults, said plainly.
  if (last.score === -Infinity)
    settings.onSearch?.(`${where}: ${halving.fits} fits, none could be fitted; keeping the defaults`);
  else
    settings.onSearch?.(
      `${where}: ${halving.fits} fits, chose ${describeConfig(config)} (inner ${METRIC_TITLES[settings.metric ?? DEFAULT_SELECTION_METRIC]} ${last.score.toFixed(4)})`,
    );
  return { config, searchScore: last.score, fits: halving.fits };
}

/** The nested estimate: a search inside each outer training fold, its choice scored on the fold's test rows. */
export async function nestedTune(
  dataset: Dataset,
  outerFolds: { train: Int32Array; test: Int32Array }[],
  classifier: ClassifierName,
  sampler: SamplerName,
  settings: TuningSettings,
): Promise<TunedCandidate> {
  const K = dataset.spec.target.classes.length;
  const accumulated = emptyAccumulated();
  const foldConfigs: TunedParams[] = [];
  const outOfFold = new Float64Array(dataset.y.length * K);
  let fits = 0;
  // Outer folds run side by side: their fits share the pool's queue, so every core stays busy.
  await Promise.all(
    outerFolds.map(async (fold, f) => {
      const found = await searchConfig(dataset, fold.train, classifier, sampler, settings, f);
      settings.onRows?.({ outerFold: f, use: 'refit' }, fold.train);
      settings.onRows?.({ outerFold: f, use: 'test' }, fold.test);
      const prepared = prepareFold(
        dataset,
        fold,
        K,
        settings.pool !== undefined,
        settings.earlyStoppingRounds,
        classifier === 'scorecard',
      );
      const score = await fitConfig(prepared, sampler, classifier, found.config, settings);
      recordScore(accumulated, f, score);
      if (score.proba) fold.test.forEach((row, j) => outOfFold.set(score.proba!.subarray(j * K, (j + 1) * K), row * K));
      foldConfigs[f] = found.config;
      fits += found.fits + 1;
    }),
  );
  return { result: summarizeCandidate(classifier, sampler, accumulated, K), foldConfigs, outOfFold, fits };
}

/**
 * One configuration's out-of-fold probabilities over the outer folds (each row from the fit that
 * left it out): what the saved model's decision weights are learned from when tuning chose it.
 */
export async function outOfFoldOf(
  dataset: Dataset,
  outerFolds: { train: Int32Array; test: Int32Array }[],
  classifier: ClassifierName,
  sampler: SamplerName,
  config: TunedParams,
  settings: TuningSettings,
): Promise<Float64Array> {
  const K = dataset.spec.target.classes.length;
  const outOfFold = new Float64Array(dataset.y.length * K);
  await Promise.all(
    outerFolds.map(async (fold) => {
      const score = await fitConfig(
        prepareFold(
          dataset,
          fold,
          K,
          settings.pool !== undefined,
          settings.earlyStoppingRounds,
          classifier === 'scorecard',
        ),
        sampler,
        classifier,
        config,
        settings,
      );
      if (!score.proba)
        throw new Error(`${classifier}+${sampler} with ${describeConfig(config)} could not be fitted: ${score.error}`);
      fold.test.forEach((row, j) => outOfFold.set(score.proba!.subarray(j * K, (j + 1) * K), row * K));
    }),
  );
  return outOfFold;
}

function fitConfig(
  fold: PreparedFold,
  sampler: SamplerName,
  classifier: ClassifierName,
  config: TunedParams,
  settings: TuningSettings,
): Promise<FitScore> {
  return settings.pool
    ? settings.pool.scoreConfig(fold, sampler, classifier, settings.seed, config)
    : Promise.resolve(scoreConfig(fold, sampler, classifier, settings.seed, config));
}
