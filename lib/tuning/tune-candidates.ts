/**
 * `--tune`: after the default cross-validation, the best few candidates (the best of each
 * classifier first) are tuned by nested cross-validation on the same outer folds, so default
 * and tuned scores compare like for like.
 * A tuned candidate replaces the default choice only if its nested estimate is higher; its final
 * configuration then comes from one more search on all rows (the refit's rows).
 */
import { candidateScore, DEFAULT_SELECTION_METRIC } from '../training/selection-metric.ts';
import type { Dataset } from '../data/dataset.ts';
import { stratifiedKFold } from '../evaluation/stratified-k-fold.ts';
import type { SamplerName } from '../sampling/sampler-names.ts';
import type { ClassifierName } from '../training/classifier-names.ts';
import type { CandidateResult, CvScores } from '../training/cross-validate.ts';
import type { ProgressReporter } from '../training/progress.ts';
import { nestedTune, outOfFoldOf, searchConfig, type TunedCandidate, type TuningSettings } from './nested-tuning.ts';
import { DEFAULT_CONFIG, type TunedParams, type TuneOptions } from './search-space.ts';

export interface TuningReport {
  budget: number;
  /** Per tuned candidate: its default score and its nested tuned score on the same outer folds. */
  candidates: {
    classifier: ClassifierName;
    sampler: SamplerName;
    default: CvScores;
    tuned: CvScores;
    fold_f1_macro: number[];
    fold_configs: TunedParams[];
    fits: number;
  }[];
  /** Whether the model saved is a tuned candidate or the best default one. */
  chosen: 'tuned' | 'default';
  /** The configuration of the saved model, searched on all rows (tuned only). */
  final_config?: TunedParams;
  seconds: number;
}

export interface TuningOutcome {
  report: TuningReport;
  /** The candidate to refit, with the scores to record for it (nested ones when tuned). */
  best: CandidateResult;
  config: TunedParams;
  /** When a tuned candidate won: its nested run (configurations per outer fold, out-of-fold probabilities). */
  winner?: TunedCandidate;
  /** When a tuned candidate won and `finalOutOfFold` was asked for: the saved configuration's out-of-fold probabilities. */
  finalOutOfFold?: Float64Array;
}

export async function tuneCandidates(
  dataset: Dataset,
  scored: CandidateResult[],
  options: TuneOptions & { folds: number; seed: number; progress: ProgressReporter; finalOutOfFold?: boolean } & Omit<
      TuningSettings,
      'budget' | 'seed' | 'onSearch'
    >,
): Promise<TuningOutcome> {
  const started = performance.now();
  const K = dataset.spec.target.classes.length;
  // The same outer folds as the default cross-validation (same function, same seed).
  const folds = stratifiedKFold(dataset.y, K, options.folds, options.seed);
  const metric = options.metric ?? DEFAULT_SELECTION_METRIC;
  const score = (c: Pick<CandidateResult, 'cv' | 'ranking'>): number => candidateScore(c, metric);
  const ranked = [...scored].sort((a, b) => score(b) - score(a));
  const top = tunedFirst(ranked).slice(0, Math.max(1, options.candidates));
  const settings: TuningSettings = {
    ...options,
    budget: options.budget,
    seed: options.seed,
    onSearch: (line) => options.progress.step(line),
  };
  options.progress.start(
    top.length * folds.length + 1,
    `tuning ${top.map((c) => `${c.classifier}+${c.sampler}`).join(', ')} (nested, ${options.budget} fits per search)`,
  );
  const tuned = [];
  for (const candidate of top)
    tuned.push({ candidate, ...(await nestedTune(dataset, folds, candidate.classifier, candidate.sampler, settings)) });
  const winner = tuned
    .filter((t) => !t.result.error)
    .reduce<(typeof tuned)[number] | undefined>((a, b) => (!a || score(b.result) > score(a.result) ? b : a), undefined);
  const bestDefault = ranked[0]!;
  const report: TuningReport = {
    budget: options.budget,
    candidates: tuned.map((t) => ({
      classifier: t.candidate.classifier,
      sampler: t.candidate.sampler,
      default: t.candidate.cv,
      tuned: t.result.cv,
      fold_f1_macro: t.result.fold_f1_macro,
      fold_configs: t.foldConfigs,
      fits: t.fits,
    })),
    chosen: 'default',
    seconds: 0,
  };
  let outcome: TuningOutcome = { report, best: bestDefault, config: DEFAULT_CONFIG };
  if (winner && score(winner.result) > score(bestDefault)) {
    const all = Int32Array.from(dataset.y, (_, i) => i);
    const final = await searchConfig(
      dataset,
      all,
      winner.candidate.classifier,
      winner.candidate.sampler,
      settings,
      'all',
    );
    report.chosen = 'tuned';
    report.final_config = final.config;
    // The decision rule's weights are learned for the model saved: its configuration's out-of-fold probabilities.
    const finalOutOfFold = options.finalOutOfFold
      ? await outOfFoldOf(dataset, folds, winner.candidate.classifier, winner.candidate.sampler, final.config, settings)
      : undefined;
    outcome = {
      report,
      best: winner.result,
      config: final.config,
      winner,
      ...(finalOutOfFold ? { finalOutOfFold } : {}),
    };
  }
  options.progress.stop();
  report.seconds = Number(((performance.now() - started) / 1000).toFixed(1));
  return outcome;
}

/**
 * The order candidates are tuned in: the best of each classifier first (a forest and a boosting
 * model tune into different things, two variants of one rarely do), then the rest by score.
 */
export function tunedFirst(ranked: CandidateResult[]): CandidateResult[] {
  const leaders = ranked.filter((c, i) => ranked.findIndex((d) => d.classifier === c.classifier) === i);
  return [...leaders, ...ranked.filter((c) => !leaders.includes(c))];
}
