/**
 * The training pipeline: data -> clean -> (resample -> fit) x candidates, scored by stratified
 * cross-validation -> the best by mean macro F1 -> its calibration (lib/training/calibration-choice.ts)
 * and decision rule (decision-rule.ts), both judged by nested estimates -> refit on all rows ->
 * artifact bundle. It sits above training and tuning (it runs both), in a folder of its own
 * (the layer order: .dependency-cruiser.cjs).
 */
import { basename } from 'node:path';
import { bundleToFiles, featureCountOf, type DataFingerprint, type ModelBundle } from '../artifact/model-bundle.ts';
import { planColumns, readColumns } from '../scorecard/columns.ts';
import { SCORECARD_DEFAULTS } from '../scorecard/scorecard-model.ts';
import type { StoredScorecard } from '../scorecard/stored-scorecard.ts';
import type { CompiledEnsemble } from '../trees/compiled-ensemble.ts';
import { fitStoredScorecard, scorecardParamsOf, withTuning } from '../training/scorecard-candidate.ts';
import { isCandidate, SCORECARD_SAMPLER_RULE } from '../training/classifier-names.ts';
import type { Dataset } from '../data/dataset.ts';
import { streamDataset } from '../data/dataset-stream.ts';
import { monotoneConstraints } from '../data/monotone.ts';
import { Preprocessor } from '../data/preprocessor.ts';
import type { DatasetSpec } from '../data/spec.ts';
import { computeBaseline } from '../data/training-baseline.ts';
import { applyDecisionWeights } from '../evaluation/decision-weights.ts';
import { fairnessReport, type FairnessReport } from '../evaluation/fairness.ts';
import { gainsTable, scoreDistribution, type GainsRow, type ScoreDistribution } from '../evaluation/ranking-metrics.ts';
import { classCounts, createSampler, type SamplerName } from '../sampling/index.ts';
import { boostingRounds } from '../trees/gradient-boosting.ts';
import { CLASSIFIER_TITLES, createClassifier, holdsOutRows, type ClassifierName } from '../training/candidates.ts';
import { crossValidate, type CandidateResult } from '../training/cross-validate.ts';
import { fitResampleOnPool } from '../sampling/pool-neighbours.ts';
import { resolveJobs, trainingPool, type TrainingPool } from '../training/training-pool.ts';
import { createProgressReporter, type ProgressReporter } from '../training/progress.ts';
import { tuneCandidates, type TuningReport } from '../tuning/tune-candidates.ts';
import type { TuneOptions } from '../tuning/search-space.ts';
import { DEFAULT_CONFIG, type TunedParams } from '../training/tuned-params.ts';
import {
  chooseDecisionRule,
  DEFAULT_DECISION_RULE,
  type DecisionRuleMode,
  type DecisionRuleReport,
} from '../training/decision-rule.ts';
import {
  chooseCalibration,
  DEFAULT_CALIBRATION,
  type CalibrationMode,
  type CalibrationReport,
} from '../training/calibration-choice.ts';
import {
  candidateScore,
  DEFAULT_SELECTION_METRIC,
  decisionRuleServes,
  METRIC_TITLES,
  type SelectionMetric,
} from '../training/selection-metric.ts';
import {
  gatherNestedEvidence,
  OutOfFoldProbabilities,
  type Candidate as RuleCandidate,
} from '../training/nested-evidence.ts';

export interface TrainOptions {
  dataFile: string;
  spec: DatasetSpec;
  folds: number;
  seed: number;
  classifiers: ClassifierName[];
  samplers: SamplerName[];
  progress?: ProgressReporter;
  /**
   * Training threads: 0 or undefined for every core, 1 for this thread alone. The artifact is
   * the same byte for byte whatever the number.
   */
  jobs?: number;
  /** Columns of the data file the spec does not name are an error (by default a warning). */
  strict?: boolean;
  /** Told of the data file's columns the spec does not name (not used), before the long work starts. */
  onUnlistedColumns?: (columns: string[]) => void;
  /**
   * Boosting stops after this many rounds without a lower log loss on a stratified tenth of the
   * training rows held out before resampling, and keeps the best rounds (0 or absent: off).
   */
  earlyStoppingRounds?: number;
  /** Tune the best candidates by nested cross-validation (lib/tuning/tune-candidates.ts); absent: off. */
  tune?: TuneOptions;
  /** Per-class weights on the probabilities for macro F1 (lib/training/decision-rule.ts); default auto. */
  decisionRule?: DecisionRuleMode;
  /** What picks the best candidate and the tuned configuration (lib/training/selection-metric.ts); default macro F1. */
  metric?: SelectionMetric;
  /** Calibration of the probabilities served (lib/training/calibration-choice.ts); default off. */
  calibration?: CalibrationMode;
}

export interface TrainingReport {
  dataset: { name: string; source: string; rows: number; features: number; classes: Record<string, number> };
  settings: {
    cv: number;
    seed: number;
    classifiers: ClassifierName[];
    samplers: SamplerName[];
    early_stopping_rounds: number;
    metric: SelectionMetric;
  };
  /** The reliability table is the best candidate's only. */
  candidates: Omit<CandidateResult, 'confusion_matrix' | 'reliability'>[];
  best: CandidateResult & { title: string };
  /** With --tune: default and nested tuned scores of the tuned candidates, and what was kept. */
  tuning?: TuningReport;
  decision_rule: DecisionRuleReport;
  calibration: CalibrationReport;
  /** The chosen model's out-of-fold scores (every row scored by a model that never saw it): gains by decile, score spread by class. */
  out_of_fold: OutOfFoldRanking | null;
  /** Per sensitive column of the spec, its groups compared out of fold (lib/evaluation/fairness.ts); null without one. */
  fairness: FairnessReport[] | null;
  refit_seconds: number;
  artifact?: { path: string; sha256: string; bytes: number; files: number };
}

export interface OutOfFoldRanking {
  /** Per class (spec order), its scores against the rest in ten groups, the highest first. */
  gains: Record<string, GainsRow[]>;
  /** Two classes: the positive class's score by true class. */
  score_distribution: ScoreDistribution | null;
  /** Whether the scores are the calibrated ones (the probabilities served). */
  calibrated: boolean;
}

/** The gains tables and score spread of out-of-fold probabilities (rows x classes). */
export function outOfFoldRanking(
  P: Float64Array,
  y: Int32Array,
  classes: string[],
  calibrated: boolean,
): OutOfFoldRanking {
  const K = classes.length;
  const column = (k: number): Float64Array => Float64Array.from({ length: y.length }, (_, i) => P[i * K + k]);
  return {
    gains: Object.fromEntries(classes.map((c, k) => [c, gainsTable(y, column(k), k)])),
    score_distribution: K === 2 ? scoreDistribution(y, column(1), 2) : null,
    calibrated,
  };
}

/** The fairness report of every sensitive column, on out-of-fold probabilities and the classes they give. */
export function outOfFoldFairness(dataset: Dataset, P: Float64Array, weights?: number[]): FairnessReport[] {
  const K = dataset.spec.target.classes.length;
  const predicted = applyDecisionWeights(P, dataset.y.length, K, weights);
  return dataset.spec.sensitive.map((c) =>
    fairnessReport(c.column, dataset.groups[c.column] ?? [], dataset.y, predicted, P, K),
  );
}

export interface TrainingResult {
  bundle: ModelBundle;
  files: Map<string, Uint8Array>;
  report: TrainingReport;
}

export class TrainingError extends Error {
  override name = 'TrainingError';
}

/** Every classifier x sampler of the options that is a candidate; none is an error naming why (before any data is read). */
export function checkCandidates(classifiers: ClassifierName[], samplers: SamplerName[]): void {
  if (classifiers.some((c) => samplers.some((s) => isCandidate(c, s)))) return;
  const asked = `${classifiers.join(',')} x ${samplers.join(',')}`;
  throw new TrainingError(
    classifiers.includes('scorecard')
      ? `no candidate to train (${asked}): ${SCORECARD_SAMPLER_RULE}`
      : `no candidate to train (${asked})`,
  );
}

export async function trainModel(options: TrainOptions): Promise<TrainingResult> {
  checkCandidates(options.classifiers, options.samplers);
  const progress = options.progress ?? createProgressReporter();
  const dataset = await streamDataset(options.dataFile, options.spec, { strict: options.strict });
  if (dataset.unlistedColumns.length) options.onUnlistedColumns?.(dataset.unlistedColumns);
  const jobs = resolveJobs(options.jobs);
  const pool = jobs > 1 ? trainingPool(jobs) : undefined;
  const metric = options.metric ?? DEFAULT_SELECTION_METRIC;
  // The rule serves macro F1: unless asked for, it stays off for a metric it cannot change.
  const decisionMode = options.decisionRule ?? (decisionRuleServes(metric) ? DEFAULT_DECISION_RULE : 'off');
  const calibrationMode = options.calibration ?? DEFAULT_CALIBRATION;
  const nestedChoices = decisionMode !== 'off' || calibrationMode !== 'off';
  // Out-of-fold probabilities: what the nested choices learn from, and what fairness is measured on.
  const outOfFold =
    nestedChoices || options.spec.sensitive.length
      ? new OutOfFoldProbabilities(dataset.rows.length, options.spec.target.classes.length)
      : null;
  const candidates = await crossValidate(dataset, { ...options, progress, pool, onTestProbabilities: outOfFold?.keep });
  const scored = candidates.filter((c) => !c.error);
  if (scored.length === 0) {
    throw new TrainingError(
      `no candidate could be trained:\n  ${candidates.map((c) => `${c.classifier}+${c.sampler}: ${c.error}`).join('\n  ')}`,
    );
  }
  // Highest mean of the selection metric; ties keep the earlier (simpler) candidate.
  let best = scored.reduce((a, b) => (candidateScore(b, metric) > candidateScore(a, metric) ? b : a));
  let config = DEFAULT_CONFIG;
  let tuning: TuningReport | undefined;
  const earlyStoppingRounds = options.earlyStoppingRounds ?? 0;
  // The decision rule's inputs: the chosen candidate's out-of-fold probabilities, and per outer fold its configuration.
  let ruleCandidate: RuleCandidate = best;
  let ruleOutOfFold = outOfFold?.of(best) ?? null;
  let finalOutOfFold: Float64Array | undefined;
  // Every candidate has a search space, the scorecard's its binning knobs and C (lib/tuning/search-space.ts).
  if (options.tune) {
    const tuned = await tuneCandidates(dataset, scored, {
      ...options.tune,
      metric,
      folds: options.folds,
      seed: options.seed,
      earlyStoppingRounds,
      pool,
      progress,
      finalOutOfFold: outOfFold !== null,
    });
    ({ best, config, finalOutOfFold } = tuned);
    tuning = tuned.report;
    if (tuned.winner) {
      // The nested estimate uses each outer fold's own configuration; the saved weights, the saved configuration's.
      ruleCandidate = { ...best, foldConfigs: tuned.winner.foldConfigs };
      ruleOutOfFold = outOfFold ? tuned.winner.outOfFold : null;
    }
  }
  // One set of inner fits for both choices; the rule picks the class from the probabilities served (calibrated, if they are).
  const evidence =
    nestedChoices && ruleOutOfFold
      ? await gatherNestedEvidence(dataset, ruleCandidate, ruleOutOfFold, {
          folds: options.folds,
          seed: options.seed,
          earlyStoppingRounds,
          pool,
          progress,
        })
      : null;
  const final = finalOutOfFold ?? ruleOutOfFold;
  const K = options.spec.target.classes.length;
  const calibration = chooseCalibration(calibrationMode, evidence, final, dataset.y, K);
  const chosenRule = chooseDecisionRule(
    decisionMode,
    calibration.evidence ?? evidence,
    calibration.finalProbabilities ?? final,
    dataset.y,
    K,
  );
  const decision =
    options.decisionRule === undefined && !decisionRuleServes(metric)
      ? {
          ...chosenRule,
          report: {
            ...chosenRule.report,
            reason: `off: the selection metric, ${METRIC_TITLES[metric]}, does not depend on it (the predicted class is the most probable one)`,
          },
        }
      : chosenRule;
  await progress.settle?.();
  const started = performance.now();
  // Taken before the refit, which lets the cleaned rows go once its matrix exists.
  const rowCount = dataset.rows.length;
  const refitted = await refit(dataset, best, config, options, candidates, pool);
  const { report: chosen } = calibration;
  // The gains and score spread of the probabilities served (calibrated, if they are), out of fold.
  const servedOutOfFold = calibration.finalProbabilities ?? final;
  const outOfFoldScores = servedOutOfFold
    ? outOfFoldRanking(
        servedOutOfFold,
        dataset.y,
        options.spec.target.classes,
        calibration.finalProbabilities !== undefined,
      )
    : null;
  // How the groups of each sensitive column are treated, out of fold, with the classes as served (the decision rule applied).
  const fairness =
    servedOutOfFold && options.spec.sensitive.length
      ? outOfFoldFairness(dataset, servedOutOfFold, decision.decision?.weights)
      : null;
  const bundle: ModelBundle = {
    ...refitted,
    metrics: {
      ...refitted.metrics,
      // The nested reliability of the calibrated probabilities beside the uncalibrated: what the console plots.
      ...(chosen.applied
        ? {
            calibrated: {
              method: chosen.method,
              nested: chosen.nested ?? null,
              reliability: chosen.reliability ?? null,
            },
          }
        : {}),
      ...(outOfFoldScores ? { out_of_fold: outOfFoldScores } : {}),
      ...(fairness ? { fairness } : {}),
    },
    ...(decision.decision ? { decision: decision.decision } : {}),
    ...(calibration.stored ? { calibration: calibration.stored } : {}),
  };
  const refitSeconds = (performance.now() - started) / 1000;
  const report: TrainingReport = {
    dataset: {
      name: options.spec.name,
      source: options.dataFile,
      rows: rowCount,
      features: featureCountOf(bundle),
      classes: bundle.data.classCounts,
    },
    settings: {
      cv: options.folds,
      seed: options.seed,
      classifiers: options.classifiers,
      samplers: options.samplers,
      early_stopping_rounds: options.earlyStoppingRounds ?? 0,
      metric,
    },
    candidates: candidates.map((c) => ({
      classifier: c.classifier,
      sampler: c.sampler,
      cv: c.cv,
      fold_f1_macro: c.fold_f1_macro,
      calibration: c.calibration,
      ranking: c.ranking,
      ...(c.fold_rounds ? { fold_rounds: c.fold_rounds } : {}),
      fit_seconds: c.fit_seconds,
      ...(c.error ? { error: c.error } : {}),
    })),
    best: {
      ...best,
      title: `${CLASSIFIER_TITLES[best.classifier]} + ${best.sampler}${tuning?.chosen === 'tuned' ? ' (tuned)' : ''}`,
    },
    ...(tuning ? { tuning } : {}),
    decision_rule: decision.report,
    calibration: calibration.report,
    out_of_fold: outOfFoldScores,
    fairness,
    refit_seconds: refitSeconds,
  };
  return { bundle, files: bundleToFiles(bundle), report };
}

/** Refits `chosen` on all rows with `config` (the defaults, or the tuned configuration); its scores are the ones recorded. */
async function refit(
  dataset: Dataset,
  chosen: CandidateResult,
  config: TunedParams,
  options: TrainOptions,
  candidates: CandidateResult[],
  pool?: TrainingPool,
): Promise<ModelBundle> {
  const { classifier, sampler } = chosen;
  const { spec, rows, y } = dataset;
  const K = spec.target.classes.length;
  const preprocessor = Preprocessor.fit(spec, rows);
  // Everything the artifact reads from the rows is taken before the fit: a forest's refit lets them go (refitTrees).
  const rowCount = rows.length;
  const baseline = computeBaseline(spec, rows, y);
  const fitted =
    classifier === 'scorecard'
      ? refitScorecard(dataset, config)
      : await refitTrees(dataset, classifier, sampler, preprocessor, config, options, pool);
  const counts = classCounts(y, K);
  const data: DataFingerprint = {
    source: basename(options.dataFile),
    sha256: dataset.sha256,
    rows: rowCount,
    classCounts: Object.fromEntries(spec.target.classes.map((c, k) => [c, counts[k]])),
  };
  return {
    name: spec.name,
    classifier,
    sampler,
    spec,
    preprocessor: preprocessor.state,
    ...fitted.model,
    baseline,
    metrics: {
      cv: chosen.cv,
      confusion_matrix: chosen.confusion_matrix,
      fold_f1_macro: chosen.fold_f1_macro,
      calibration: chosen.calibration,
      ranking: chosen.ranking,
      reliability: chosen.reliability,
      ...(chosen.fold_rounds ? { fold_rounds: chosen.fold_rounds } : {}),
      candidates: candidates.map((c) => ({
        classifier: c.classifier,
        sampler: c.sampler,
        f1_macro: c.cv.f1_macro,
        roc_auc: c.ranking.roc_auc,
        ks: c.ranking.ks,
        error: c.error ?? null,
      })),
    },
    params: {
      classifier: { name: classifier, ...fitted.classifierParams },
      sampler: { name: sampler, random_state: options.seed, ...config.sampler },
      cv: options.folds,
      seed: options.seed,
      decision_rule: options.decisionRule ?? DEFAULT_DECISION_RULE,
      calibration: options.calibration ?? DEFAULT_CALIBRATION,
      resampled_rows: fitted.resampledRows,
    },
    data,
  };
}

interface FinalFit {
  model: { ensemble: CompiledEnsemble } | { scorecard: StoredScorecard };
  classifierParams: object;
  /** Rows the model was fitted on, after the sampler. */
  resampledRows: number;
}

async function refitTrees(
  dataset: Dataset,
  classifier: ClassifierName,
  sampler: SamplerName,
  preprocessor: Preprocessor,
  config: TunedParams,
  options: TrainOptions,
  pool?: TrainingPool,
): Promise<FinalFit> {
  const { spec, rows, y } = dataset;
  const X = preprocessor.transform(rows);
  const all = { X, rows: rows.length, features: preprocessor.featureCount, y, classes: spec.target.classes.length };
  // The cleaned rows are let go once the final matrix exists: nothing after this reads them (refit and
  // trainModel took their count and baseline before), and at 1M rows their objects and numbers are
  // ~350 MB beside the forest being grown (bench/RESULTS.md, "Training memory", 2026-12-08).
  rows.length = 0;
  const model = createClassifier(
    classifier,
    options.seed,
    { earlyStoppingRounds: options.earlyStoppingRounds ?? 0, monotone: monotoneConstraints(spec, preprocessor.state) },
    config.classifier,
  );
  // Early stopping's rows are held out before resampling, so no copy of them is fitted on.
  const held = holdsOutRows(model) ? model.holdOut(all) : null;
  // With a pool, the sampler's neighbour searches run on its workers (the same rows either way).
  const resampler = createSampler(sampler, options.seed, config.sampler);
  const resampled = pool
    ? await fitResampleOnPool(resampler, held ? held.fit : all, pool)
    : resampler.fitResample(held ? held.fit : all);
  // A forest's trees grow on every worker; boosting's rounds follow each other, each large
  // step (histograms, partitions, gradients) shared with the workers.
  const ensemble = pool
    ? await model.fitParallel(resampled, pool, undefined, { validation: held?.held })
    : model.fit(resampled, undefined, held?.held);
  return {
    model: { ensemble },
    // rounds_chosen: what early stopping kept of n_estimators on the final fit.
    classifierParams: { ...model.params, ...(held ? { rounds_chosen: boostingRounds(ensemble) } : {}) },
    resampledRows: resampled.rows,
  };
}

/** The scorecard on every row (no sampler): its binning, regression and points (with a tuned configuration's knobs and C), and the settings that made them. */
function refitScorecard(dataset: Dataset, config: TunedParams): FinalFit {
  const { spec, rows, y } = dataset;
  const plan = planColumns(spec, rows);
  const params = withTuning(scorecardParamsOf(spec), config);
  const scorecard = fitStoredScorecard(plan, readColumns(plan, rows), y, spec.target.classes.length, params);
  const { fitted } = scorecard;
  return {
    model: { scorecard },
    classifierParams: {
      binning: fitted.binning.params,
      C: params.C ?? SCORECARD_DEFAULTS.C,
      scaling: fitted.card.scaling,
      event_class: spec.target.classes[fitted.eventClass],
      good_class: spec.target.classes[fitted.goodClass],
      dropped_features: fitted.binning.dropped,
      converged: fitted.model.converged,
    },
    resampledRows: rows.length,
  };
}
