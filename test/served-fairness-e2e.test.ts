/**
 * Fairness on served answers end to end: a model with a sensitive column that is no feature (SEX)
 * and one in bands (AGE) answers /predict with SEX sent; labels come by /feedback; the report's
 * fairness per group equals the out-of-fold computation on the same answers and labels, and the
 * drift check's group mix counts the answers (60 of each column: below the 200 it judges on).
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { featureColumns, loadSpec, parseSpec } from '../lib/data/spec.ts';
import { groupOf } from '../lib/data/sensitive-groups.ts';
import { fairnessReport } from '../lib/evaluation/fairness.ts';
import { ModelRegistry } from '../lib/registry/model-registry.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { trainModel } from '../lib/pipeline/pipeline.ts';
import { createProgressReporter } from '../lib/training/progress.ts';
import { subsetCsv, tempDir, until } from './helpers.ts';
import { startInProcessApi, type InProcessApi } from './in-process-api.ts';
import { startTestS3, TEST_BUCKET } from './s3.ts';

const KEY = 'served-fairness-key-0123456789abcdef';
const base = loadSpec('data/specs/taiwan-credit-default.json');
const spec = parseSpec({
  ...base,
  name: 'credit-score',
  categorical: base.categorical.filter((c) => c.column !== 'SEX'),
  sensitive: ['SEX', { column: 'AGE', edges: [30, 45] }],
});

describe('fairness on served answers, end to end', () => {
  let s3: EmbeddedS3;
  let api: InProcessApi;
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(api.url + path, {
      method,
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: r.status, json: await r.json() };
  };
  beforeAll(async () => {
    const serving = await startTestS3();
    s3 = serving.s3;
    const registry = new ModelRegistry(serving.store);
    const csv = subsetCsv('data/taiwan_credit_default.csv', 600, join(tempDir('served-fairness'), 'taiwan-600.csv'));
    const trained = await trainModel({
      dataFile: csv,
      spec,
      folds: 3,
      seed: 3,
      classifiers: ['xgb'],
      samplers: ['none'],
      progress: createProgressReporter(process.stderr, true),
      jobs: 1,
    });
    const { version } = await registry.publish('credit-score', trained.files, { createdBy: 'test' });
    await registry.moveAlias('credit-score', 'champion', version, { reason: 'test', actor: 'test' });
    api = await startInProcessApi({
      MODEL_BUCKET: TEST_BUCKET,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      LOG_LEVEL: 'silent',
      ADMIN_API_KEYS: KEY,
      CAPTURE_FLUSH_RECORDS: '1',
    });
  }, 300_000);
  afterAll(async () => {
    await api?.close();
    await s3?.close();
  });

  it('reports per group what fairness.ts computes on the same answers and labels', async () => {
    const lines = readFileSync('data/taiwan_credit_default.csv', 'utf8').split(/\r?\n/);
    const header = lines[0].split(',');
    // Applicants the model was not trained on (it saw the first 600).
    const rows = lines.slice(601, 661).map((l) => Object.fromEntries(l.split(',').map((v, j) => [header[j], v])));
    const features = featureColumns(spec);
    const predicted: number[] = [];
    for (const row of rows) {
      const record = Object.fromEntries([...features, 'ID', 'SEX'].map((c) => [c, row[c]]));
      const r = await call('POST', '/predict', record);
      expect(r.status).toBe(200);
      predicted.push(spec.target.classes.indexOf(r.json.prediction));
      const fed = await call('POST', '/feedback', { requestId: r.json.requestId, actual: row.defaulted });
      expect(fed.status, JSON.stringify(fed.json)).toBe(202);
    }
    const report = await until(
      'every label in the fairness report',
      async () => {
        const r = (await call('GET', '/model/report?minutes=10')).json;
        const reports = Object.values(r.fairness?.variants ?? {})[0] as
          { column: string; labelled: number }[] | undefined;
        return reports?.every((f) => f.labelled === rows.length) ? r : undefined;
      },
      30_000,
    );
    const y = rows.map((row) => spec.target.classes.indexOf(row.defaulted));
    const [served] = Object.values(report.fairness.variants) as {
      column: string;
      groups: { group: string; rows: number; selectionRate: number[]; truePositiveRate: (number | null)[] }[];
      summary: unknown;
    }[][];
    for (const column of spec.sensitive) {
      const offline = fairnessReport(
        column.column,
        rows.map((row) => groupOf(column, row[column.column])),
        y,
        predicted,
        new Array<number>(rows.length * 2).fill(0.5),
        2,
      );
      const mine = served.find((f) => f.column === column.column)!;
      expect(mine.summary).toEqual(offline.summary);
      expect(mine.groups.map((g) => [g.group, g.rows, g.selectionRate, g.truePositiveRate])).toEqual(
        offline.groups.map((g) => [g.group, g.rows, g.selectionRate, g.truePositiveRate]),
      );
    }
    const drift = (await call('POST', '/drift/check', {})).json;
    expect(drift.groupMix.reason).toBeNull();
    expect(
      drift.groupMix.columns.map((c: { column: string; samples: number; status: string }) => [
        c.column,
        c.samples,
        c.status,
      ]),
    ).toEqual([
      ['SEX', 60, 'insufficient'],
      ['AGE', 60, 'insufficient'],
    ]);
  });
});
