/**
 * Sensitive columns through training: the spec names them, the dataset reads their groups, the
 * training report and the artifact carry the fairness of each out of fold, a sensitive column
 * not listed as a feature stays out of the model, and the model card quotes it.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '../lib/data/errors.ts';
import { loadDataset } from '../lib/data/dataset.ts';
import { bandOf, groupOf, NOT_A_NUMBER_GROUP } from '../lib/data/sensitive-groups.ts';
import { loadSpec, parseSpec, SpecError } from '../lib/data/spec.ts';
import { MISSING_GROUP } from '../lib/evaluation/fairness.ts';
import { trainModel } from '../lib/pipeline/pipeline.ts';
import { createProgressReporter } from '../lib/training/progress.ts';
import { subsetCsv, tempDir } from './helpers.ts';

const base = loadSpec('data/specs/taiwan-credit-default.json');
// SEX only as a sensitive column (out of the features); AGE both a feature and, in bands, a sensitive column.
const spec = parseSpec({
  ...base,
  categorical: base.categorical.filter((c) => c.column !== 'SEX'),
  sensitive: ['SEX', { column: 'AGE', edges: [30, 45] }],
});
const csv = subsetCsv('data/taiwan_credit_default.csv', 1200, join(tempDir('fairness-training'), 'taiwan-1200.csv'));

describe('sensitive columns in the spec', () => {
  it('group values as written, numbers in bands, missing values apart', () => {
    const [sex, age] = spec.sensitive;
    expect(groupOf(sex, ' 2 ')).toBe('2');
    expect(groupOf(sex, '')).toBeNull();
    expect([10, 30, 44.9, 45, 80].map((v) => bandOf(age.edges!, v))).toEqual([
      'under 30',
      '30 to under 45',
      '30 to under 45',
      '45 and over',
      '45 and over',
    ]);
    expect(groupOf(age, '52_')).toBe('45 and over');
    expect(groupOf(age, 'fifty')).toBe(NOT_A_NUMBER_GROUP);
    expect(groupOf(age, '')).toBeNull();
  });

  it('refuse edges that do not rise, and a CSV without the column', () => {
    expect(() => parseSpec({ ...base, sensitive: [{ column: 'AGE', edges: [45, 30] }] })).toThrow(SpecError);
    expect(() => parseSpec({ ...base, sensitive: [{ column: 'AGE', edges: [45, 30] }] })).toThrow(
      /the edges of sensitive column "AGE" must rise/,
    );
    const noSex = parseSpec({ ...base, sensitive: ['GENDER'] });
    expect(() => loadDataset(csv, noSex)).toThrow(DataError);
    expect(() => loadDataset(csv, noSex)).toThrow(/missing column\(s\): GENDER/);
  });
});

describe('fairness out of fold in training', () => {
  const trained = trainModel({
    dataFile: csv,
    spec,
    folds: 3,
    seed: 3,
    classifiers: ['xgb'],
    samplers: ['none'],
    progress: createProgressReporter(process.stderr, true),
    jobs: 1,
  });

  it('reports each sensitive column, its groups adding up to every row, in the report and the artifact', async () => {
    const { report, bundle } = await trained;
    const fairness = report.fairness!;
    expect(fairness.map((f) => f.column)).toEqual(['SEX', 'AGE']);
    for (const f of fairness) {
      expect(f.groups.reduce((n, g) => n + g.rows, 0)).toBe(1200);
      expect(f.groups.every((g) => g.group !== MISSING_GROUP)).toBe(true);
      expect(f.summary.demographicParityRatio).toBeGreaterThanOrEqual(0);
      expect(f.summary.demographicParityRatio).toBeLessThanOrEqual(1);
    }
    expect(fairness[0].groups.map((g) => g.group).sort()).toEqual(['1', '2']);
    expect(fairness[1].groups.map((g) => g.group).sort()).toEqual(['30 to under 45', '45 and over', 'under 30']);
    expect(bundle.metrics.fairness).toEqual(fairness);
  });

  it('keeps a sensitive column that is no feature out of the model, and one that is a feature in it', async () => {
    const { bundle } = await trained;
    expect(bundle.preprocessor.featureNames.some((f) => f.startsWith('SEX'))).toBe(false);
    expect(bundle.preprocessor.featureNames).toContain('AGE');
  });
});
