import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { treeEnsemble } from '../lib/artifact/model-bundle.ts';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readArtifactDirectory } from '../lib/artifact/artifact-directory.ts';
import { readCsvFile } from '../lib/data/dataset.ts';
import { loadSpec } from '../lib/data/spec.ts';
import { trainModel } from '../lib/pipeline/pipeline.ts';
import { createProgressReporter } from '../lib/training/progress.ts';
import { runScript, subsetCsv, tempDir, type CliResult } from './helpers.ts';

const dir = tempDir('train-cli');
const data = subsetCsv('data/credit_score_customers_raw.csv', 900, join(dir, 'credit-900.csv'));
const modelDir = join(dir, 'model');
const reportFile = join(dir, 'report.json');
const settings = ['--cv', '3', '--seed', '42', '--classifiers', 'rf,xgb', '--samplers', 'none,ros,smote'];
let train: CliResult;

beforeAll(async () => {
  train = await runScript('train', ['--data', data, ...settings, '--out', modelDir, '--report', reportFile]);
});

describe('npm run train', () => {
  it('cross-validates every candidate, prints a summary and one line per step off a terminal', () => {
    expect(train.stderr).toMatch(/cross-validation \(3 folds\): 18 steps/);
    // Steps finish in the pool's order (the longest first), each once, with the rate and the time left.
    const steps = [
      ...train.stderr.matchAll(
        /^\[(\d+)\/18\] fold (\d) (\w+\+\w+): macro F1 0\.\d+ \(\d+\.\d+ steps\/s, (?:\d+ min )?\d+ s left\)$/gm,
      ),
    ];
    expect(steps.map((m) => Number(m[1]))).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
    expect(new Set(steps.map((m) => `${m[2]} ${m[3]}`)).size).toBe(18);
    expect(steps[17][0]).toMatch(/0 s left\)$/);
    expect(train.stdout).toMatch(
      /best: .+, macro F1 0\.\d{4} ± 0\.\d{4}, AUC 0\.\d{4} ± 0\.\d{4}, Gini 0\.\d{4}, KS 0\.\d{4}/,
    );
    expect(train.stdout).toMatch(/macro F1 +± std +accuracy +precision +recall +AUC +Gini +KS +fit s\/fold/);
    expect(train.code).toBe(0);
  });

  it('writes the report in the documented shape, the best being the highest mean macro F1', () => {
    const report = JSON.parse(readFileSync(reportFile, 'utf8'));
    expect(report.dataset).toMatchObject({
      rows: 900,
      classes: { Good: expect.any(Number), Standard: expect.any(Number), Poor: expect.any(Number) },
    });
    expect(report.candidates).toHaveLength(6);
    for (const c of report.candidates) {
      expect(Object.keys(c.cv).sort()).toEqual([
        'accuracy',
        'f1_macro',
        'f1_macro_std',
        'precision_macro',
        'recall_macro',
      ]);
      expect(c.fit_seconds).toBeGreaterThan(0);
      // Ranking over the folds: three classes, so the one-vs-rest macro AUC; a model that learned something ranks above chance.
      expect(c.ranking.fold_roc_auc).toHaveLength(3);
      expect(c.ranking.roc_auc).toBeCloseTo(c.ranking.fold_roc_auc.reduce((t: number, v: number) => t + v, 0) / 3, 12);
      expect(c.ranking.roc_auc).toBeGreaterThan(0.6);
      expect(c.ranking.gini).toBeCloseTo(2 * c.ranking.roc_auc - 1, 12);
      expect(c.ranking.per_class).toHaveLength(3);
      expect(c.ranking.ks).toBeGreaterThan(0);
    }
    const top = Math.max(...report.candidates.map((c: { cv: { f1_macro: number } }) => c.cv.f1_macro));
    expect(report.best.cv.f1_macro).toBe(top);
    const matrix: number[][] = report.best.confusion_matrix;
    expect(matrix.flat().reduce((s, v) => s + v, 0)).toBe(900);
    expect(report.artifact).toMatchObject({
      path: modelDir,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      bytes: expect.any(Number),
    });
  });

  it('saves a complete artifact that verifies, and the same inputs give byte-identical files', async () => {
    const { bundle, manifest } = await readArtifactDirectory(modelDir);
    // decision.json joins them when the default decision rule (auto) wins its nested estimate; it makes the format version 2.
    expect(manifest.formatVersion).toBe(manifest.files['decision.json'] ? 2 : 1);
    expect(
      Object.keys(manifest.files)
        .filter((f) => f !== 'decision.json')
        .sort(),
    ).toEqual([
      'baseline.json',
      'data.json',
      'ensemble.bin',
      'metrics.json',
      'params.json',
      'preprocessor.json',
      'spec.json',
    ]);
    expect(bundle.data.rows).toBe(900);
    expect(bundle.baseline.numeric.find((b) => b.column === 'Age')!.edges.length).toBeGreaterThan(5);
    const again = await trainModel({
      dataFile: data,
      spec: loadSpec('data/specs/credit-score.json'),
      folds: 3,
      seed: 42,
      classifiers: ['rf', 'xgb'],
      samplers: ['none', 'ros', 'smote'],
      progress: createProgressReporter(process.stderr, true),
    });
    for (const name of readdirSync(modelDir)) {
      expect(Buffer.from(again.files.get(name)!).equals(readFileSync(join(modelDir, name))), name).toBe(true);
    }
  });

  it('refuses a tampered, incomplete or future artifact', async () => {
    const copy = join(dir, 'tampered');
    const { cpSync, rmSync } = await import('node:fs');
    cpSync(modelDir, copy, { recursive: true });
    const bin = readFileSync(join(copy, 'ensemble.bin'));
    bin[bin.length - 3] ^= 1;
    writeFileSync(join(copy, 'ensemble.bin'), bin);
    await expect(readArtifactDirectory(copy)).rejects.toThrow(/ensemble\.bin fails its sha256 check/);
    rmSync(join(copy, 'ensemble.bin'));
    await expect(readArtifactDirectory(copy)).rejects.toThrow(/ensemble\.bin is missing/);
    cpSync(modelDir, copy, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(copy, 'manifest.json'), 'utf8'));
    writeFileSync(join(copy, 'manifest.json'), JSON.stringify({ ...manifest, formatVersion: 99 }));
    await expect(readArtifactDirectory(copy)).rejects.toThrow(/format version 99 is not supported/);
  });
});

describe('npm run predict', () => {
  it('scores raw rows with the saved model, identifiers kept, probabilities summing to 1', async () => {
    const rows = subsetCsv('data/credit_score_customers_raw.csv', 50, join(dir, 'score.csv'));
    const out = join(dir, 'scores.csv');
    const result = await runScript('predict', ['--model', modelDir, '--data', rows, '--out', out]);
    expect(result.stderr).toMatch(/scored 50 rows/);
    expect(result.code).toBe(0);
    const [header, ...lines] = readFileSync(out, 'utf8').trim().split('\n');
    expect(header).toBe('Customer_ID,ID,Month,Name,SSN,prediction,p_Good,p_Standard,p_Poor');
    expect(lines).toHaveLength(50);
    for (const line of lines) {
      const cells = line.split(',');
      const p = cells.slice(-3).map(Number);
      expect(['Good', 'Standard', 'Poor']).toContain(cells[cells.length - 4]);
      expect(p.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    }
  });

  it("writes each row's base value and top reasons with --explain, quoting the values in the file", async () => {
    const rows = subsetCsv('data/credit_score_customers_raw.csv', 20, join(dir, 'explain.csv'));
    const out = join(dir, 'explained.csv');
    const result = await runScript('predict', [
      '--model',
      modelDir,
      '--data',
      rows,
      '--out',
      out,
      '--explain',
      '2',
      '--explain-method',
      'approx',
    ]);
    expect(result.code).toBe(0);
    const input = readCsvFile(rows);
    const written = readCsvFile(out);
    expect(written.header.slice(-7)).toEqual([
      'base_value',
      'reason_1',
      'reason_1_value',
      'reason_1_contribution',
      'reason_2',
      'reason_2_value',
      'reason_2_contribution',
    ]);
    expect(written.records).toHaveLength(20);
    written.records.forEach((cells, r) => {
      const [reason, value, contribution] = cells.slice(-6, -3);
      expect(input.header).toContain(reason);
      expect(value).toBe(input.records[r][input.header.indexOf(reason)]);
      expect(Number(contribution)).toBeGreaterThan(0);
      expect(Number.isFinite(Number(cells[cells.length - 7]))).toBe(true);
    });
    const bad = await runScript('predict', ['--model', modelDir, '--data', rows, '--explain', 'all']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--explain takes a number of reasons from 1 to 50, got all/);
  });

  it('names the missing columns of a CSV it cannot score', async () => {
    const file = join(dir, 'partial.csv');
    writeFileSync(file, 'Customer_ID,Age\nCUS_1,30\n');
    const result = await runScript('predict', ['--model', modelDir, '--data', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /partial\.csv: missing column\(s\): Annual_Income, Monthly_Inhand_Salary, .*Occupation/,
    );
    expect(result.stderr).not.toMatch(/at .+\.ts:\d+/);
  });
});

describe('bad command lines', () => {
  it('reject unknown samplers, bad numbers and a missing spec with a message and no stack trace', async () => {
    const sampler = await runScript('train', ['--data', data, '--samplers', 'none,magic']);
    expect(sampler.code).toBe(2);
    expect(sampler.stderr).toMatch(/--samplers: unknown "magic" \(expected none, ros, smote, adasyn, borderline\)/);
    const cv = await runScript('train', ['--data', data, '--cv', 'one']);
    expect(cv.code).toBe(2);
    expect(cv.stderr).toMatch(/--cv must be an integer >= 2/);
    const spec = await runScript('train', ['--data', data, '--spec', join(dir, 'nope.json')]);
    expect(spec.code).toBe(1);
    expect(spec.stderr).toMatch(/nope\.json: cannot read spec \(ENOENT\)/);
  });
});

describe('a second dataset through its own spec', () => {
  it('trains a binary model on the Taiwan data with no code change', async () => {
    const taiwan = subsetCsv('data/taiwan_credit_default.csv', 1500, join(dir, 'taiwan.csv'));
    const result = await trainModel({
      dataFile: taiwan,
      spec: loadSpec('data/specs/taiwan-credit-default.json'),
      folds: 3,
      seed: 1,
      classifiers: ['xgb'],
      samplers: ['none', 'adasyn', 'borderline'],
      progress: createProgressReporter(process.stderr, true),
    });
    expect(treeEnsemble(result.bundle, 'this test').aggregation).toBe('logistic');
    expect(result.report.candidates.map((c) => c.sampler)).toEqual(['none', 'adasyn', 'borderline']);
    expect(result.report.best.cv.f1_macro).toBeGreaterThan(0.55);
    // Out of fold, every row once: the gains of the positive class add up to the rows and its defaults, the best decile lifting.
    const { out_of_fold: oof } = result.report;
    const [negative, positive] = loadSpec('data/specs/taiwan-credit-default.json').target.classes;
    const gains = oof!.gains[positive];
    expect(gains.reduce((n, g) => n + g.rows, 0)).toBe(1500);
    expect(gains.reduce((n, g) => n + g.events, 0)).toBe(result.report.dataset.classes[positive]);
    expect(gains[0].lift).toBeGreaterThan(1.5);
    expect(oof!.score_distribution!.counts.map((bins) => bins.reduce((a, b) => a + b, 0))).toEqual([
      result.report.dataset.classes[negative],
      result.report.dataset.classes[positive],
    ]);
    expect(result.bundle.metrics.out_of_fold).toEqual(oof);
    // Two classes: the numbers are the positive class's (default, the second), its mirror ranks the same.
    const { ranking } = result.report.best;
    expect(ranking.roc_auc).toBe(ranking.per_class[1].roc_auc);
    expect(ranking.per_class[0].roc_auc).toBeCloseTo(ranking.roc_auc!, 12);
    expect(ranking.roc_auc).toBeGreaterThan(0.65);
    expect(result.bundle.preprocessor.featureNames).toContain('EDUCATION=2');
  });
});
