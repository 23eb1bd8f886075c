/** A version's model card (lib/governance/model-card.ts), read from a version registered and promoted in the embedded store. */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { featureColumns, loadSpec } from '../lib/data/spec.ts';
import { readModelCard, type ModelCard } from '../lib/governance/model-card.ts';
import { ModelRegistry } from '../lib/registry/model-registry.ts';
import type { ScorecardTableRow } from '../lib/scorecard/scorecard-table.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { trainModel, type TrainingResult } from '../lib/pipeline/pipeline.ts';
import { createProgressReporter } from '../lib/training/progress.ts';
import { subsetCsv, tempDir, trainSmallModel } from './helpers.ts';
import { startInProcessApi } from './in-process-api.ts';
import { startTestS3, TEST_BUCKET } from './s3.ts';

describe('the model card of a version', () => {
  let s3: EmbeddedS3;
  let endpoint: string;
  let registry: ModelRegistry;
  let trained: TrainingResult;
  let version: string;
  let card: ModelCard;

  beforeAll(async () => {
    let store;
    ({ s3, store } = await startTestS3());
    endpoint = s3.endpoint;
    registry = new ModelRegistry(store);
    trained = await trainSmallModel();
    ({ version } = await registry.publish('card-model', trained.files, {
      createdBy: 'alice (data science)',
      source: 'credit-900.csv',
    }));
    await registry.moveAlias('card-model', 'champion', version, { reason: 'first release', actor: 'bob (risk)' });
    card = await readModelCard(registry, 'card-model', version);
  }, 120_000);

  afterAll(async () => {
    await s3?.close();
  });

  it('describes the data, the target and every feature of the spec, identifiers left out', () => {
    const { spec } = trained.bundle;
    expect(card).toMatchObject({
      model: 'card-model',
      version,
      target: { column: spec.target.column, classes: spec.target.classes },
      identifiersExcluded: spec.identifiers,
    });
    expect(card.features.map((f) => f.column)).toEqual(featureColumns(spec));
    expect(card.data).toMatchObject({ rows: 900, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(card.intendedUse).toMatch(/^Scores an applicant into Good \/ Standard \/ Poor \(Credit_Score\)/);
    expect(card.dataDescription).toBe(spec.description);
  });

  it('quotes the metrics with their fold spread, the ranking and the decision policy from the artifact', () => {
    const metrics = trained.report.best;
    expect(card.metrics.cv).toEqual(metrics.cv);
    expect(card.metrics.ranking).toEqual(metrics.ranking);
    expect(card.metrics.confusionMatrix).toEqual(metrics.confusion_matrix);
    expect(card.decisionPolicy.kind).toBe(trained.bundle.decision ? 'class weights' : 'argmax');
  });

  it('states limitations from the numbers, fairness unmeasured without a sensitive column', () => {
    expect(card.limitations.find((l) => l.startsWith('Learned from 900 rows of'))).toBeDefined();
    expect(card.limitations).toContain(
      'No sensitive column was declared in the spec: how the model treats groups of applicants was not measured.',
    );
    const spread = trained.report.best.cv.f1_macro_std.toFixed(4);
    expect(card.limitations.some((l) => l.includes(`varies by ${spread}`))).toBe(true);
  });

  it('says who registered it and who promoted it, when and why', () => {
    expect(card.lineage).toMatchObject({
      registeredBy: 'alice (data science)',
      source: 'credit-900.csv',
      currentAliases: ['champion'],
    });
    expect(card.lineage.promotions).toEqual([
      { alias: 'champion', at: expect.any(String), by: 'bob (risk)', reason: 'first release', from: null },
    ]);
  });

  it('of a tree model has no scorecard table', () => {
    expect(trained.bundle.scorecard).toBeUndefined();
    expect(Object.keys(card)).not.toContain('scorecard');
  });

  it('of a scorecard carries its table: the lines of the exported scorecard-table.json, IV, scaling and score range', async () => {
    const csv = subsetCsv(
      'data/credit_score_customers_raw.csv',
      1500,
      join(tempDir('model-card-scorecard'), 'credit-1500.csv'),
    );
    const scorecard = await trainModel({
      dataFile: csv,
      spec: loadSpec('data/specs/credit-score.json'),
      folds: 2,
      seed: 3,
      classifiers: ['scorecard'],
      samplers: ['none'],
      progress: createProgressReporter(process.stderr, true),
      jobs: 1,
    });
    const published = await registry.publish('card-scorecard', scorecard.files, {
      createdBy: 'alice (data science)',
      source: 'credit-1500.csv',
    });
    const { scorecard: table } = await readModelCard(registry, 'card-scorecard', published.version);
    const exported = JSON.parse(
      new TextDecoder().decode(scorecard.files.get('scorecard-table.json')),
    ) as ScorecardTableRow[];
    expect(
      table!.characteristics.flatMap((c) =>
        c.bins.map((b) => ({
          feature: c.feature,
          bin: b.bin,
          events: b.events,
          nonEvents: b.nonEvents,
          woe: b.woe,
          points: b.points,
        })),
      ),
    ).toEqual(exported);
    const fitted = scorecard.bundle.scorecard!.fitted;
    expect(table!.characteristics.map((c) => c.iv)).toEqual(fitted.binning.features.map((f) => f.iv));
    expect(table!.dropped.map((d) => d.feature)).toEqual(fitted.binning.dropped.map((d) => d.name));
    expect(table!.scaling).toEqual(fitted.card.scaling);
    expect(table!.eventClass).toBe(scorecard.bundle.spec.target.classes[fitted.eventClass]);
    expect(table!.scoreRange.max).toBeGreaterThan(table!.scoreRange.min);
  }, 120_000);

  it('refuses a version that does not exist', async () => {
    await expect(readModelCard(registry, 'card-model', '20200101T000000000Z-000000')).rejects.toThrow(
      /no complete version/,
    );
  });

  it('is served at GET /model/versions/{version}/card to the admin key only, 404 for an unknown version', async () => {
    const KEY = 'card-admin-key-0123456789';
    const api = await startInProcessApi({
      MODEL_NAME: 'card-model',
      MODEL_BUCKET: TEST_BUCKET,
      S3_ENDPOINT: endpoint,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      ADMIN_API_KEYS: KEY,
      LOG_LEVEL: 'silent',
    });
    try {
      const get = (path: string, key?: string): Promise<Response> =>
        fetch(api.url + path, { headers: key ? { 'x-api-key': key } : {} });
      expect((await get(`/model/versions/${version}/card`)).status).toBe(401);
      const served = await get(`/model/versions/${version}/card`, KEY);
      expect(served.status).toBe(200);
      const { requestId, ...body } = (await served.json()) as ModelCard & { requestId: string };
      expect(requestId).toEqual(expect.any(String));
      expect(body).toEqual(JSON.parse(JSON.stringify(await readModelCard(registry, 'card-model', version))));
      expect((await get('/model/versions/20200101T000000000Z-000000/card', KEY)).status).toBe(404);
    } finally {
      await api.close();
    }
  });
});
