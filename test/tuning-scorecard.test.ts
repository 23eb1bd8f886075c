/**
 * The scorecard in --tune: its search space is declared beside each parameter's validation (one
 * declaration, lib/util/param-spec.ts; test/param-specs.test.ts checks it for every estimator), nested tuning searches it and changes a default that
 * is clearly poor, and a run whose best candidate is the scorecard tunes it and saves the tuned
 * binning and C.
 */
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../lib/data/dataset.ts';
import { loadSpec } from '../lib/data/spec.ts';
import { stratifiedKFold } from '../lib/evaluation/stratified-k-fold.ts';
import { trainModel } from '../lib/pipeline/pipeline.ts';
import { BINNING_DEFAULTS, BINNING_PARAMS, checkBinningParams } from '../lib/scorecard/binning-params.ts';
import { fitLogisticRegression, LOGISTIC_REGRESSION_PARAMS } from '../lib/scorecard/logistic-regression.ts';
import type { ScorecardTuning } from '../lib/scorecard/scorecard-model.ts';
import { crossValidate } from '../lib/training/cross-validate.ts';
import { createProgressReporter } from '../lib/training/progress.ts';
import { nestedTune } from '../lib/tuning/nested-tuning.ts';
import { DEFAULT_CONFIG, drawConfigs } from '../lib/tuning/search-space.ts';
import { tempDir } from './helpers.ts';
import { weakSignalsCsv } from './scorecard-data.ts';

const dir = tempDir('tuning-scorecard');
const quiet = createProgressReporter(process.stderr, true);

describe("the scorecard's search space", () => {
  it('refuses binning knobs and C outside the values a fit accepts, naming the knob, its bounds and the value', () => {
    expect(() => checkBinningParams({ ...BINNING_DEFAULTS, minBinShare: 0.5 })).toThrow(
      'minBinShare must be a number in [0, 0.5), got 0.5',
    );
    expect(() => checkBinningParams({ ...BINNING_DEFAULTS, prebins: 2.5 })).toThrow(
      'prebins must be an integer in [2, inf), got 2.5',
    );
    expect(() =>
      fitLogisticRegression(
        { X: new Float64Array(2), rows: 2, features: 1, y: Int32Array.of(0, 1), classes: 2 },
        { C: 0 },
      ),
    ).toThrow('C must be a number in (0, inf), got 0');
  });

  it('draws the defaults first, then scorecard configurations inside the searched ranges, deterministically', () => {
    const configs = drawConfigs('scorecard', 'none', 12, 42);
    expect(configs[0]).toEqual(DEFAULT_CONFIG);
    expect(drawConfigs('scorecard', 'none', 12, 42)).toEqual(configs);
    for (const { classifier, sampler } of configs.slice(1)) {
      const c = classifier as ScorecardTuning;
      expect(sampler).toEqual({});
      expect(Object.keys(c).sort()).toEqual(['C', 'maxBins', 'minBinShare', 'minIv', 'monotone', 'prebins']);
      for (const [name, spec] of [
        ...(['prebins', 'minBinShare', 'maxBins', 'minIv'] as const).map((n) => [n, BINNING_PARAMS[n]] as const),
        ['C', LOGISTIC_REGRESSION_PARAMS.C] as const,
      ]) {
        const search = spec.search as { low: number; high: number };
        expect(c[name], name).toBeGreaterThanOrEqual(search.low);
        expect(c[name], name).toBeLessThanOrEqual(search.high);
      }
      expect(BINNING_PARAMS.monotone.choices).toContain(c.monotone);
      expect(() => checkBinningParams(c)).not.toThrow();
    }
  });
});

describe('nested tuning of a scorecard', () => {
  it('lowers the IV threshold below its default on weak but real features, and its nested estimate beats the default CV by 0.05 macro F1 on the same folds', async () => {
    const { csv, specFile } = weakSignalsCsv(dir);
    const dataset = loadDataset(csv, loadSpec(specFile));
    const folds = stratifiedKFold(dataset.y, 2, 3, 42);
    const [byDefault] = await crossValidate(dataset, {
      folds: 3,
      seed: 42,
      classifiers: ['scorecard'],
      samplers: ['none'],
      progress: quiet,
    });
    const tuned = await nestedTune(dataset, folds, 'scorecard', 'none', {
      budget: 12,
      seed: 42,
      earlyStoppingRounds: 0,
    });
    expect(tuned.result.error).toBeUndefined();
    expect(tuned.foldConfigs).toHaveLength(3);
    // Each outer fold's search moved the threshold below the default.
    for (const config of tuned.foldConfigs)
      expect((config.classifier as ScorecardTuning).minIv).toBeLessThan(BINNING_DEFAULTS.minIv);
    expect(tuned.result.fold_f1_macro).toHaveLength(3);
    expect(tuned.result.cv.f1_macro).toBeGreaterThan(byDefault.cv.f1_macro + 0.05);
  }, 120_000);
});

describe('train --tune with the scorecard the best candidate', () => {
  it('tunes the scorecard (no skip), reports the nested estimate, keeps the tuned one and saves its binning and C in the params', async () => {
    const { csv, specFile } = weakSignalsCsv(dir);
    const trained = await trainModel({
      dataFile: csv,
      spec: loadSpec(specFile),
      folds: 3,
      seed: 42,
      classifiers: ['scorecard'],
      samplers: ['none'],
      tune: { budget: 12, candidates: 1 },
      decisionRule: 'off',
      calibration: 'off',
      progress: quiet,
      jobs: 1,
    });
    const tuning = trained.report.tuning!;
    expect(tuning.candidates.map((c) => `${c.classifier}+${c.sampler}`)).toEqual(['scorecard+none']);
    const [candidate] = tuning.candidates;
    expect(candidate.fold_configs).toHaveLength(3);
    expect(candidate.tuned.f1_macro).toBeCloseTo(candidate.fold_f1_macro.reduce((a, b) => a + b, 0) / 3, 12);
    expect(candidate.tuned.f1_macro).toBeGreaterThan(candidate.default.f1_macro);
    expect(tuning.chosen).toBe('tuned');
    const { C, ...binning } = tuning.final_config!.classifier as ScorecardTuning;
    expect(binning.minIv).toBeLessThan(BINNING_DEFAULTS.minIv);
    const params = trained.bundle.params as unknown as { classifier: { name: string; binning: object; C: number } };
    expect(params.classifier.name).toBe('scorecard');
    expect(params.classifier.binning).toEqual(binning);
    expect(params.classifier.C).toBe(C);
    // The saved scorecard was fitted with them: its binning records the parameters it used.
    expect(trained.bundle.scorecard!.fitted.binning.params).toEqual(binning);
    expect(trained.report.best.title).toMatch(/\(tuned\)$/);
  }, 240_000);
});
