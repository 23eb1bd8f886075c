/**
 * --tune: successive halving's arithmetic and choice, nested tuning that never lets an outer
 * test row into a search or a fit (checked by row indices), the training report's default vs
 * tuned scores on the same outer folds, and the tuned configuration reaching the artifact.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readArtifactDirectory } from '../lib/artifact/artifact-directory.ts';
import { filesToBundle } from '../lib/artifact/model-bundle.ts';
import { loadDataset } from '../lib/data/dataset.ts';
import { loadSpec } from '../lib/data/spec.ts';
import { stratifiedKFold } from '../lib/evaluation/stratified-k-fold.ts';
import { retrainRequestSchema } from '../lib/retrain/retrain-request.ts';
import { nestedTune } from '../lib/tuning/nested-tuning.ts';
import { DEFAULT_CONFIG, drawConfigs } from '../lib/tuning/search-space.ts';
import { configurationsFor, fitsFor, successiveHalving } from '../lib/tuning/successive-halving.ts';
import { runScript, subsetCsv, tempDir } from './helpers.ts';

const dir = tempDir('tuning');
const data = subsetCsv('data/credit_score_customers_raw.csv', 900, join(dir, 'credit-900.csv'));

describe('successive halving', () => {
  it('buys as many configurations as the budget of fits allows, rung by rung, the defaults always carried', () => {
    // 12 on a ninth of the rows, the best 4 plus the defaults on a third, the best 2 plus the defaults on all.
    expect(fitsFor(12)).toBe(12 + 5 + 3);
    expect(configurationsFor(20)).toBe(12);
    // Two configurations cannot be thinned: both go straight to all the rows.
    expect(fitsFor(2)).toBe(2);
    expect(configurationsFor(3)).toBe(2);
    expect(configurationsFor(1)).toBe(1);
  });

  it('keeps the best third of each rung and the defaults, scores them on more rows, and returns the best of the last rung', async () => {
    // Configuration i scores i / 10 on the small rungs; on all the rows 7 wins.
    const calls: [number, number][] = [];
    const result = await successiveHalving(9, async (config, fraction) => {
      calls.push([config, fraction]);
      return fraction === 1 ? (config === 7 ? 0.9 : config === 8 ? 0.5 : 0.1) : config / 10;
    });
    expect(result.rungs.map((r) => r.fraction)).toEqual([1 / 9, 1 / 3, 1]);
    expect(result.rungs.map((r) => r.scored.map((s) => s.config))).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 8],
      [0, 8, 7, 6],
      [0, 8, 7],
    ]);
    expect(result.best).toBe(7);
    expect(result.fits).toBe(16);
    expect(calls).toHaveLength(16);
    expect(fitsFor(9)).toBeGreaterThanOrEqual(result.fits);
    // The defaults win when nothing beats them on all the rows, however they scored before.
    expect(
      (await successiveHalving(9, async (config, fraction) => (fraction === 1 ? (config === 0 ? 1 : 0) : config))).best,
    ).toBe(0);
  });

  it("draws configurations deterministically, the defaults first, with the samplers' neighbours and ratios", () => {
    const a = drawConfigs('xgb', 'smote', 6, 42);
    expect(a[0]).toEqual(DEFAULT_CONFIG);
    expect(drawConfigs('xgb', 'smote', 6, 42)).toEqual(a);
    expect(new Set(a.map((c) => JSON.stringify(c))).size).toBe(6);
    for (const c of a.slice(1)) expect(c.sampler.k_neighbors).toBeGreaterThan(0);
    // Every sampler's ratio is searched; ROS has no neighbours, no sampler nothing at all.
    for (const c of [...a.slice(1), ...drawConfigs('rf', 'ros', 4, 42).slice(1)])
      expect([0.5, 0.75, 1]).toContain(c.sampler.sampling_ratio);
    expect(
      drawConfigs('rf', 'ros', 4, 42)
        .slice(1)
        .every((c) => c.sampler.k_neighbors === undefined),
    ).toBe(true);
    expect(
      drawConfigs('rf', 'none', 4, 42)
        .slice(1)
        .every((c) => Object.keys(c.sampler).length === 0),
    ).toBe(true);
  });
});

describe('nested tuning', () => {
  it('never lets an outer test row into a search, a search validation or the refit: checked by row index in every outer fold', async () => {
    const dataset = loadDataset(data, loadSpec('data/specs/credit-score.json'));
    const K = dataset.spec.target.classes.length;
    const folds = stratifiedKFold(dataset.y, K, 3, 42);
    const seen: { fold: number | 'all'; use: string; rows: Int32Array }[] = [];
    const tuned = await nestedTune(dataset, folds, 'rf', 'ros', {
      budget: 13,
      seed: 42,
      earlyStoppingRounds: 0,
      onRows: (step, rows) => seen.push({ fold: step.outerFold, use: step.use, rows }),
    });
    for (const [f, fold] of folds.entries()) {
      const test = new Set(fold.test);
      const steps = seen.filter((s) => s.fold === f);
      // Three rungs of fitting rows, each with the same validation rows; then the refit and the test.
      expect(steps.map((s) => s.use).sort()).toEqual([
        'refit',
        'search-fit',
        'search-fit',
        'search-fit',
        'search-score',
        'search-score',
        'search-score',
        'test',
      ]);
      for (const s of steps.filter((x) => x.use !== 'test')) expect([...s.rows].filter((r) => test.has(r))).toEqual([]);
      // The search's rows are the training fold's: fitting and validation rows apart, together all of it.
      const search = steps.filter((s) => s.use.startsWith('search'));
      const largestFit = search.filter((s) => s.use === 'search-fit').sort((a, b) => b.rows.length - a.rows.length)[0]!
        .rows;
      const validation = search.find((s) => s.use === 'search-score')!.rows;
      expect(new Set([...largestFit, ...validation]).size).toBe(largestFit.length + validation.length);
      expect([...largestFit, ...validation].sort((a, b) => a - b)).toEqual([...fold.train].sort((a, b) => a - b));
      expect([...steps.find((s) => s.use === 'test')!.rows]).toEqual([...fold.test]);
    }
    expect(tuned.foldConfigs).toHaveLength(3);
    expect(tuned.result.fold_f1_macro).toHaveLength(3);
    expect(tuned.result.cv.f1_macro).toBeGreaterThan(0.3);
    // Out-of-fold probabilities: every row predicted once, each row's summing to 1 (to float32 precision: leaves store float32 shares).
    for (let i = 0; i < dataset.y.length; i++)
      expect(tuned.outOfFold[i * K] + tuned.outOfFold[i * K + 1] + tuned.outOfFold[i * K + 2]).toBeCloseTo(1, 6);
  }, 120_000);
});

describe('train --tune', () => {
  it('reports default and nested tuned scores per tuned candidate, and saves the tuned configuration when it is kept', async () => {
    const report = join(dir, 'tuned.json');
    const out = join(dir, 'tuned-model');
    const run = await runScript(
      'train',
      [
        '--data',
        data,
        '--cv',
        '3',
        '--classifiers',
        'rf,xgb',
        '--samplers',
        'none,ros',
        '--tune',
        '--tune-budget',
        '6',
        '--tune-candidates',
        '2',
        '--decision-rule',
        'off',
        '--out',
        out,
        '--report',
        report,
        '--quiet',
      ],
      240_000,
    );
    expect(run.code, run.stderr).toBe(0);
    const r = JSON.parse(readFileSync(report, 'utf8'));
    expect(r.tuning.budget).toBe(6);
    expect(r.tuning.candidates).toHaveLength(2);
    // The best default candidate of each classifier is tuned, its default score the CV's.
    const ranked = ['rf', 'xgb']
      .map(
        (name) =>
          [...r.candidates].filter((c) => c.classifier === name).sort((a, b) => b.cv.f1_macro - a.cv.f1_macro)[0],
      )
      .sort((a, b) => b.cv.f1_macro - a.cv.f1_macro);
    expect(
      r.tuning.candidates.map((c: { classifier: string; sampler: string }) => `${c.classifier}+${c.sampler}`),
    ).toEqual(ranked.map((c) => `${c.classifier}+${c.sampler}`));
    for (const [i, c] of r.tuning.candidates.entries()) {
      expect(c.default).toEqual(ranked[i].cv);
      expect(c.fold_f1_macro).toHaveLength(3);
      expect(c.fold_configs).toHaveLength(3);
      expect(c.tuned.f1_macro).toBeCloseTo(c.fold_f1_macro.reduce((s: number, x: number) => s + x, 0) / 3, 12);
    }
    expect(run.stdout).toMatch(/tuned \w+\+\w+: macro F1 0\.\d{4} with defaults, 0\.\d{4} tuned \(nested;/);
    const { bundle } = await readArtifactDirectory(out);
    const saved = bundle as unknown as {
      metrics: { cv: { f1_macro: number } };
      params: { classifier: object; sampler: object };
    };
    const bestTuned = Math.max(...r.tuning.candidates.map((c: { tuned: { f1_macro: number } }) => c.tuned.f1_macro));
    const bestDefault = Math.max(...r.candidates.map((c: { cv: { f1_macro: number } }) => c.cv.f1_macro));
    expect(r.tuning.chosen).toBe(bestTuned > bestDefault ? 'tuned' : 'default');
    expect(saved.metrics.cv.f1_macro).toBeCloseTo(Math.max(bestTuned, bestDefault), 12);
    if (r.tuning.chosen === 'tuned') {
      // Every parameter of the final configuration is the saved model's.
      expect(saved.params.classifier).toMatchObject(r.tuning.final_config.classifier);
      expect(saved.params.sampler).toMatchObject(r.tuning.final_config.sampler);
    } else {
      expect(r.tuning.final_config).toBeUndefined();
      expect(r.best.title).not.toMatch(/tuned/);
    }
  }, 300_000);

  it('gives the same artifact byte for byte on one thread and on two, tuned winner and decision rule included', async () => {
    const small = subsetCsv('data/credit_score_customers_raw.csv', 700, join(dir, 'credit-700.csv'));
    const outputs: Map<string, Uint8Array>[] = [];
    for (const jobs of ['1', '2']) {
      const out = join(dir, `jobs-${jobs}`);
      const run = await runScript(
        'train',
        [
          '--data',
          small,
          '--cv',
          '3',
          '--classifiers',
          'rf,xgb',
          '--samplers',
          'none,smote',
          '--tune',
          '--tune-budget',
          '5',
          '--jobs',
          jobs,
          '--out',
          out,
          '--quiet',
        ],
        240_000,
      );
      expect(run.code, run.stderr).toBe(0);
      outputs.push(new Map(readdirSync(out).map((name) => [name, new Uint8Array(readFileSync(join(out, name)))])));
    }
    expect([...outputs[0]!.keys()].sort()).toEqual([...outputs[1]!.keys()].sort());
    for (const [name, bytes] of outputs[0]!)
      expect(Buffer.compare(Buffer.from(bytes), Buffer.from(outputs[1]!.get(name)!)), name).toBe(0);
    // An artifact whose labels come from a decision rule is format version 2, which older servers refuse.
    const manifest = JSON.parse(new TextDecoder().decode(outputs[0]!.get('manifest.json')));
    expect(manifest.formatVersion).toBe(outputs[0]!.has('decision.json') ? 2 : 1);
    if (outputs[0]!.has('decision.json')) {
      const downgraded = new Map(outputs[0]!);
      downgraded.set('manifest.json', new TextEncoder().encode(JSON.stringify({ ...manifest, formatVersion: 1 })));
      expect(() => filesToBundle(downgraded)).toThrow('format version 1 cannot carry decision.json');
    }
  }, 600_000);

  it('retrain requests take tune as {} (the defaults) or false, and refuse a budget below a rung', () => {
    expect(retrainRequestSchema.parse({}).tune).toBe(false);
    expect(retrainRequestSchema.parse({ tune: {} }).tune).toEqual({ budget: 20, candidates: 2 });
    expect(retrainRequestSchema.safeParse({ tune: { budget: 2 } }).success).toBe(false);
    expect(retrainRequestSchema.safeParse({ tune: true }).success).toBe(false);
  });
});
