/**
 * The scorecard among the candidates of a cross-validation: paired with the sampler `none` only,
 * scored by the same metrics as the trees, its fold models fitted on the training rows alone.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../lib/data/dataset.ts';
import { loadSpec } from '../lib/data/spec.ts';
import { stratifiedKFold } from '../lib/evaluation/stratified-k-fold.ts';
import { crossValidate } from '../lib/training/cross-validate.ts';
import { checkCandidates, TrainingError } from '../lib/pipeline/pipeline.ts';
import { createProgressReporter } from '../lib/training/progress.ts';
import {
  fitStoredScorecard,
  prepareScorecardFold,
  scorecardProbabilities,
} from '../lib/training/scorecard-candidate.ts';
import { subsetCsv, tempDir } from './helpers.ts';

const spec = loadSpec('data/specs/taiwan-credit-default.json');
const dataset = loadDataset(
  subsetCsv('data/taiwan_credit_default.csv', 800, join(tempDir('scorecard-candidate'), 'taiwan-800.csv')),
  spec,
);

describe('the scorecard candidate', () => {
  it('is tried with the sampler none only, beside every tree x sampler pair, and scored like them', async () => {
    const kept: string[] = [];
    const results = await crossValidate(dataset, {
      folds: 3,
      seed: 5,
      classifiers: ['xgb', 'scorecard'],
      samplers: ['none', 'ros'],
      progress: createProgressReporter(process.stderr, true),
      onTestProbabilities: (classifier, sampler) => kept.push(`${classifier}+${sampler}`),
    });
    expect(results.map((r) => `${r.classifier}+${r.sampler}`)).toEqual(['xgb+none', 'xgb+ros', 'scorecard+none']);
    const scorecard = results.find((r) => r.classifier === 'scorecard')!;
    expect(scorecard.error).toBeUndefined();
    expect(scorecard.fold_f1_macro).toHaveLength(3);
    expect(scorecard.ranking.roc_auc).toBeGreaterThan(0.6);
    expect(scorecard.confusion_matrix.flat().reduce((a, b) => a + b, 0)).toBe(dataset.rows.length);
    expect(kept.filter((k) => k === 'scorecard+none')).toHaveLength(3);
  });

  it("scores each test fold with a scorecard fitted on that fold's training rows only", async () => {
    const folds = stratifiedKFold(dataset.y, 2, 3, 5);
    const byFold: Float64Array[] = [];
    await crossValidate(dataset, {
      folds: 3,
      seed: 5,
      classifiers: ['scorecard'],
      samplers: ['none'],
      progress: createProgressReporter(process.stderr, true),
      onTestProbabilities: (_c, _s, _rows, proba) => byFold.push(proba),
    });
    // Fitted on the training rows of fold 0 alone, the scorecard gives fold 0's test rows exactly the CV's probabilities.
    const fold = prepareScorecardFold(spec, dataset.rows, folds[0]);
    const y = Int32Array.from(folds[0].train, (i) => dataset.y[i]);
    const own = scorecardProbabilities(fitStoredScorecard(fold.plan, fold.train, y, 2, fold.params), fold.test);
    expect(byFold.find((p) => p.length === own.length && p.every((v, i) => v === own[i]))).toBeDefined();
    // Fitted on every row instead, it does not.
    const everyRow = prepareScorecardFold(spec, dataset.rows, {
      train: Int32Array.from(dataset.y, (_, i) => i),
      test: folds[0].test,
    });
    const leaked = scorecardProbabilities(
      fitStoredScorecard(everyRow.plan, everyRow.train, dataset.y, 2, everyRow.params),
      everyRow.test,
    );
    expect(byFold.some((p) => p.length === leaked.length && p.every((v, i) => v === leaked[i]))).toBe(false);
  });

  it('with only other samplers is no candidate, refused before any data is read', () => {
    expect(() => checkCandidates(['scorecard'], ['smote', 'ros'])).toThrow(TrainingError);
    expect(() => checkCandidates(['scorecard'], ['smote', 'ros'])).toThrow(
      'no candidate to train (scorecard x smote,ros): a scorecard takes no sampler',
    );
    expect(() => checkCandidates(['scorecard', 'rf'], ['smote'])).not.toThrow();
  });
});
