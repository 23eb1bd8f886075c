/**
 * The predictor's batch path (Predictor.predictCleanBatch, what a /predict batch uses) answers
 * exactly what one prediction per row answers: labels, probabilities bit for bit, notes, with and
 * without a decision rule, for boosting and for a forest.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { filesToBundle, type ModelBundle } from '../lib/artifact/model-bundle.ts';
import { cleanRecord, type CleanRow } from '../lib/data/clean-record.ts';
import { Predictor } from '../lib/serving/predictor.ts';
import { trainSmallForest, trainSmallModel } from './helpers.ts';

let bundle: ModelBundle;
let rows: CleanRow[];

beforeAll(async () => {
  ({ bundle } = filesToBundle((await trainSmallModel()).files));
  const all = parse(readFileSync('data/credit_score_customers_raw.csv', 'utf8'), { columns: true }) as Record<
    string,
    string
  >[];
  // 300 rows from the end of the file (not the 900 trained on), one with a category never seen in training.
  const records = all.slice(-300);
  records[7] = { ...records[7], Occupation: 'Astronaut' };
  rows = records.map((record) => cleanRecord(bundle.spec, (column) => record[column]));
}, 120_000);

describe('the predictor on a batch of rows', () => {
  it('answers what one prediction per row answers, probabilities bit for bit, notes included', () => {
    const predictor = new Predictor(bundle);
    const one = rows.map((row) => predictor.predictClean(row));
    const batch = predictor.predictCleanBatch(rows);
    expect(batch).toEqual(one);
    expect(batch[7].notes.join(' ')).toMatch(/Astronaut/);
  });

  it('answers for a random forest (probabilities averaged over trees) what one prediction per row answers', async () => {
    const forest = await trainSmallForest();
    const predictor = new Predictor(filesToBundle(forest.files).bundle);
    expect(predictor.predictCleanBatch(rows)).toEqual(rows.map((row) => predictor.predictClean(row)));
  }, 120_000);

  it('applies the decision rule as one prediction per row does', () => {
    const K = bundle.spec.target.classes.length;
    const ruled = new Predictor({
      ...bundle,
      decision: { weights: Array.from({ length: K }, (_, k) => 1 + 2 * k), nestedF1Macro: null },
    });
    const plain = new Predictor(bundle);
    const batch = ruled.predictCleanBatch(rows);
    expect(batch).toEqual(rows.map((row) => ruled.predictClean(row)));
    // The weights change some labels, so the rule was applied, not skipped.
    expect(batch.filter((p, i) => p.label !== plain.predictClean(rows[i]).label).length).toBeGreaterThan(0);
  });
});
