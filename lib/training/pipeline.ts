/**
 * The training pipeline: data -> clean -> (resample -> fit) x candidates, scored by stratified
 * cross-validation -> the best by mean macro F1 -> its decision rule (decision-rule.ts) -> refit
 * on all rows -> artifact bundle.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { bundleToFiles, sha256, type DataFingerprint, type ModelBundle } from '../artifact/model-bundle.ts';
import { loadDataset, type Dataset } from '../data/dataset.ts';
import { Preprocessor } from '../data/preprocessor.ts';
import type { DatasetSpec } from '../data/spec.ts';
import { computeBaseline } from '../drift/baseline.ts';
import { classCounts, createSampler, type SamplerName } from '../sampling/index.ts';
import { CLASSIFIER_TITLES, createClassifier, type ClassifierName } from './candidates.ts';
import { crossValidate, type CandidateResult } from './cross-validate.ts';
import { resolveJobs, trainingPool, type TrainingPool } from '../parallel/training-pool.ts';
import { createProgressReporter, type ProgressReporter } from './progress.ts';
import { chooseDecisionRule, OutOfFoldProbabilities, type DecisionRuleMode, type DecisionRuleReport } from './decision-rule.ts';

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
  /** Per-class weights on the probabilities for macro F1 (lib/training/decision-rule.ts); default auto. */
  decisionRule?: DecisionRuleMode;
}

export interface TrainingReport {
  dataset: { name: string; source: string; rows: number; features: number; classes: Record<string, number> };
  settings: { cv: number; seed: number; classifiers: ClassifierName[]; samplers: SamplerName[] };
  candidates: Omit<CandidateResult, 'confusion_matrix'>[];
  best: CandidateResult & { title: string };
  decision_rule: DecisionRuleReport;
  refit_seconds: number;
  artifact?: { path: string; sha256: string; bytes: number; files: number };
}

export interface TrainingResult {
  bundle: ModelBundle;
  files: Map<string, Uint8Array>;
  report: TrainingReport;
}

export class TrainingError extends Error {
  override name = 'TrainingError';
}

export async function trainModel(options: TrainOptions): Promise<TrainingResult> {
  const progress = options.progress ?? createProgressReporter();
  const dataset = loadDataset(options.dataFile, options.spec, { strict: options.strict });
  if (dataset.unlistedColumns.length) options.onUnlistedColumns?.(dataset.unlistedColumns);
  const jobs = resolveJobs(options.jobs);
  const pool = jobs > 1 ? trainingPool(jobs) : undefined;
  const decisionMode = options.decisionRule ?? 'auto';
  const outOfFold = decisionMode === 'off' ? null : new OutOfFoldProbabilities(dataset.rows.length, options.spec.target.classes.length);
  const candidates = await crossValidate(dataset, { ...options, progress, pool, onTestProbabilities: outOfFold?.keep });
  const scored = candidates.filter((c) => !c.error);
  if (scored.length === 0) {
    throw new TrainingError(`no candidate could be trained:\n  ${candidates.map((c) => `${c.classifier}+${c.sampler}: ${c.error}`).join('\n  ')}`);
  }
  // Highest mean macro F1; ties keep the earlier (simpler) candidate.
  const best = scored.reduce((a, b) => (b.cv.f1_macro > a.cv.f1_macro ? b : a));
  const decision = await chooseDecisionRule(dataset, best, decisionMode, outOfFold, { folds: options.folds, seed: options.seed, pool, progress });
  await progress.settle?.();
  const started = performance.now();
  const bundle: ModelBundle = { ...(await refit(dataset, best.classifier, best.sampler, options, candidates, pool)), ...(decision.decision ? { decision: decision.decision } : {}) };
  const refitSeconds = (performance.now() - started) / 1000;
  const report: TrainingReport = {
    dataset: {
      name: options.spec.name,
      source: options.dataFile,
      rows: dataset.rows.length,
      features: bundle.ensemble.features,
      classes: bundle.data.classCounts,
    },
    settings: { cv: options.folds, seed: options.seed, classifiers: options.classifiers, samplers: options.samplers },
    candidates: candidates.map((c) => ({
      classifier: c.classifier,
      sampler: c.sampler,
      cv: c.cv,
      fold_f1_macro: c.fold_f1_macro,
      fit_seconds: c.fit_seconds,
      ...(c.error ? { error: c.error } : {}),
    })),
    best: { ...best, title: `${CLASSIFIER_TITLES[best.classifier]} + ${best.sampler}` },
    decision_rule: decision.report,
    refit_seconds: refitSeconds,
  };
  return { bundle, files: bundleToFiles(bundle), report };
}

async function refit(dataset: Dataset, classifier: ClassifierName, sampler: SamplerName, options: TrainOptions, candidates: CandidateResult[], pool?: TrainingPool): Promise<ModelBundle> {
  const { spec, rows, y } = dataset;
  const K = spec.target.classes.length;
  const preprocessor = Preprocessor.fit(spec, rows);
  const X = preprocessor.transform(rows);
  const resampled = createSampler(sampler, options.seed).fitResample({ X, rows: rows.length, features: preprocessor.featureCount, y, classes: K });
  const model = createClassifier(classifier, options.seed);
  // A forest's trees grow on every worker; boosting's rounds follow each other, each large
  // step (histograms, partitions, gradients) shared with the workers.
  const ensemble = pool ? await model.fitParallel(resampled, pool) : model.fit(resampled);
  const chosen = candidates.find((c) => c.classifier === classifier && c.sampler === sampler)!;
  const counts = classCounts(y, K);
  const data: DataFingerprint = {
    source: basename(options.dataFile),
    sha256: sha256(readFileSync(options.dataFile)),
    rows: rows.length,
    classCounts: Object.fromEntries(spec.target.classes.map((c, k) => [c, counts[k]])),
  };
  return {
    name: spec.name,
    classifier,
    sampler,
    spec,
    preprocessor: preprocessor.state,
    ensemble,
    baseline: computeBaseline(spec, rows, y),
    metrics: {
      cv: chosen.cv,
      confusion_matrix: chosen.confusion_matrix,
      fold_f1_macro: chosen.fold_f1_macro,
      candidates: candidates.map((c) => ({ classifier: c.classifier, sampler: c.sampler, f1_macro: c.cv.f1_macro, error: c.error ?? null })),
    },
    params: {
      classifier: { name: classifier, ...model.params },
      sampler: { name: sampler, random_state: options.seed },
      cv: options.folds,
      seed: options.seed,
      decision_rule: options.decisionRule ?? 'auto',
      resampled_rows: resampled.rows,
    },
    data,
  };
}
