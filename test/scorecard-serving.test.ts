/**
 * The scorecard as a training candidate, end to end on real files: trained on a slice of the
 * shipped credit data, saved, loaded and served over HTTP by the real handlers. A prediction
 * answers its score in points, which converts back to the served probabilities through the
 * spec's scaling; its reasons are the points table's (points lost against each characteristic's
 * best bin, most lost first); a damaged scorecard.json is refused naming it; a scorecard with a
 * sampler is refused by the CLI saying why.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArtifactDirectory, writeArtifactDirectory } from '../lib/artifact/artifact-directory.ts';
import { ArtifactError, filesToBundle } from '../lib/artifact/model-bundle.ts';
import { readCsvFile } from '../lib/data/dataset.ts';
import { loadSpec, parseSpec, SpecError } from '../lib/data/spec.ts';
import { ModelRegistry } from '../lib/registry/model-registry.ts';
import type { ScorecardTableRow } from '../lib/scorecard/scorecard-table.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { trainModel } from '../lib/pipeline/pipeline.ts';
import { createProgressReporter } from '../lib/training/progress.ts';
import { runScript, subsetCsv, tempDir } from './helpers.ts';
import { startInProcessApi, type InProcessApi } from './in-process-api.ts';
import { startTestS3, TEST_BUCKET } from './s3.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are asserted field by field
type Json = any;

const dir = tempDir('scorecard-serving');
const data = subsetCsv('data/credit_score_customers_raw.csv', 1500, join(dir, 'credit-1500.csv'));
/** Not the defaults (600 at 50:1, 20 to double), so the test sees the spec's scaling reach the points. */
const SCALING = { baseScore: 500, baseOdds: 20, pdo: 40 };
const specFile = join(dir, 'credit-score.json');
writeFileSync(
  specFile,
  JSON.stringify({
    ...JSON.parse(readFileSync('data/specs/credit-score.json', 'utf8')),
    scorecard: { eventClass: 'Poor', ...SCALING },
  }),
);
const artifact = join(dir, 'artifact');
const factor = SCALING.pdo / Math.LN2;
const offset = SCALING.baseScore - factor * Math.log(SCALING.baseOdds);

let files: Map<string, Uint8Array>;

beforeAll(async () => {
  const result = await trainModel({
    dataFile: data,
    spec: loadSpec(specFile),
    folds: 2,
    seed: 3,
    classifiers: ['scorecard'],
    samplers: ['none'],
    progress: createProgressReporter(process.stderr, true),
  });
  files = result.files;
  await writeArtifactDirectory(artifact, files);
}, 120_000);

describe('a scorecard artifact', () => {
  it('holds scorecard.json and its points table as CSV and JSON, and no ensemble', async () => {
    expect(readdirSync(artifact)).toEqual(
      expect.arrayContaining(['scorecard.json', 'scorecard-table.csv', 'scorecard-table.json']),
    );
    expect(readdirSync(artifact)).not.toContain('ensemble.bin');
    const { bundle } = await readArtifactDirectory(artifact);
    expect(bundle.scorecard?.fitted.card.scaling).toEqual(SCALING);
    const table: ScorecardTableRow[] = JSON.parse(readFileSync(join(artifact, 'scorecard-table.json'), 'utf8'));
    const csvLines = readFileSync(join(artifact, 'scorecard-table.csv'), 'utf8').trim().split('\r\n');
    expect(csvLines[0]).toBe('feature,bin,events,nonEvents,woe,points');
    expect(csvLines).toHaveLength(table.length + 1);
    expect(table.length).toBe(bundle.scorecard!.fitted.card.features.reduce((n, f) => n + f.bins.length, 0));
  });

  it('is refused on load naming scorecard.json when that file is damaged (its checksums rewritten to match)', () => {
    const stored = JSON.parse(new TextDecoder().decode(files.get('scorecard.json')));
    stored.fitted.card.features[0].bins[0].points = 'many';
    const bytes = new TextEncoder().encode(JSON.stringify(stored));
    const manifest = JSON.parse(new TextDecoder().decode(files.get('manifest.json')));
    const damaged = new Map(files);
    damaged.set('scorecard.json', bytes);
    damaged.set(
      'manifest.json',
      new TextEncoder().encode(
        JSON.stringify({
          ...manifest,
          files: {
            ...manifest.files,
            'scorecard.json': { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.byteLength },
          },
        }),
      ),
    );
    expect(() => filesToBundle(damaged)).toThrow(ArtifactError);
    expect(() => filesToBundle(damaged)).toThrow(/^scorecard\.json: fitted\.card\.features\.0\.bins\.0\.points: /);
    // Parts that do not index each other (a coefficient row too short) are refused too.
    const short = JSON.parse(new TextDecoder().decode(files.get('scorecard.json')));
    short.fitted.model.coef[0].pop();
    const shortBytes = new TextEncoder().encode(JSON.stringify(short));
    damaged.set('scorecard.json', shortBytes);
    damaged.set(
      'manifest.json',
      new TextEncoder().encode(
        JSON.stringify({
          ...manifest,
          files: {
            ...manifest.files,
            'scorecard.json': {
              sha256: createHash('sha256').update(shortBytes).digest('hex'),
              bytes: shortBytes.byteLength,
            },
          },
        }),
      ),
    );
    expect(() => filesToBundle(damaged)).toThrow(/^scorecard\.json: .*coefficients are not \d+ long/);
  });
});

describe('a scorecard served over HTTP', () => {
  let s3: EmbeddedS3;
  let api: InProcessApi;
  const csv = readCsvFile(data);
  const record = (r: number): Record<string, string> =>
    Object.fromEntries(csv.header.map((column, i) => [column, csv.records[r][i]]));
  const chosen = Array.from({ length: 8 }, (_, j) => 1000 + j * 61);
  const post = async (path: string, body: unknown): Promise<Json> => {
    const response = await fetch(api.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const answer = await response.json();
    expect(response.status, JSON.stringify(answer)).toBe(200);
    return answer;
  };

  beforeAll(async () => {
    const { s3: started, store } = await startTestS3();
    s3 = started;
    const registry = new ModelRegistry(store);
    const { version } = await registry.publish('credit-score', files, { createdBy: 'test' });
    await registry.moveAlias('credit-score', 'champion', version, { reason: 'test', actor: 'test' });
    api = await startInProcessApi({
      MODEL_NAME: 'credit-score',
      MODEL_BUCKET: TEST_BUCKET,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      LOG_LEVEL: 'silent',
    });
  }, 120_000);

  afterAll(async () => {
    await api?.close();
    await s3?.close();
  });

  it("answers a score whose odds, through the spec's scaling, are the served odds of Good against Poor", async () => {
    const { predictions } = await post('/predict', { instances: chosen.map(record) });
    const scores = new Set<number>();
    for (const p of predictions as Json[]) {
      expect(typeof p.score).toBe('number');
      scores.add(p.score);
      // score = offset + factor x ln(odds of the good class against the event class)
      expect(Math.log(p.probabilities.Good / p.probabilities.Poor)).toBeCloseTo((p.score - offset) / factor, 9);
    }
    expect(scores.size).toBeGreaterThan(1);
  });

  it("gives reasons from the points table: each the points lost against its characteristic's best bin, most lost first, adding up to the gap below the best score", async () => {
    const table: ScorecardTableRow[] = JSON.parse(readFileSync(join(artifact, 'scorecard-table.json'), 'utf8'));
    const { predictions } = await post('/predict?explain=50', { instances: chosen.map(record) });
    let reasonsSeen = 0;
    for (const p of predictions as Json[]) {
      expect(p.explanation).toEqual({ method: 'points', space: 'points' });
      const lost: number[] = p.reasons.map((r: Json) => r.pointsLost);
      expect(lost).toEqual([...lost].sort((a, b) => b - a));
      for (const r of p.reasons as Json[]) {
        const bins = table.filter((row) => row.feature === r.feature);
        const best = Math.max(...bins.filter((b) => b.events + b.nonEvents > 0).map((b) => b.points));
        const own = bins.find((b) => b.bin === r.bin)!;
        expect(r.pointsLost).toBeGreaterThan(0);
        expect(r.pointsLost).toBeCloseTo(best - own.points, 9);
        expect(r.contribution).toBe(-r.pointsLost);
      }
      // Every characteristic below its best bin is a reason: the best score minus all of them is the row's score.
      expect(p.baseValue - lost.reduce((a, b) => a + b, 0)).toBeCloseTo(p.score, 9);
      reasonsSeen += lost.length;
    }
    expect(reasonsSeen).toBeGreaterThan(chosen.length);
    const top2 = (await post('/predict?explain=2', record(chosen[0]))).reasons;
    expect(top2).toEqual((predictions as Json[])[0].reasons.slice(0, 2));
  });

  it('answers a category never seen in training with a score and a note naming it, as a tree model does', async () => {
    const answer = await post('/predict', { ...record(chosen[0]), Occupation: 'Astronaut' });
    expect(typeof answer.score).toBe('number');
    expect(answer.notes).toEqual(['Occupation: unknown category "Astronaut"']);
    expect((await post('/predict', record(chosen[0]))).notes).toBeUndefined();
  });

  it('answers the same labels through the Open Inference Protocol as through /predict', async () => {
    const { predictions } = await post('/predict', { instances: chosen.map(record) });
    const columns = csv.header.filter((c) => c !== 'Credit_Score');
    const inputs = columns.map((name) => ({
      name,
      datatype: 'BYTES',
      shape: [chosen.length],
      data: chosen.map((r) => record(r)[name]),
    }));
    const inferred: Json = await post('/v2/models/credit-score/infer', { inputs });
    expect(inferred.outputs.find((o: Json) => o.name === 'label').data).toEqual(
      (predictions as Json[]).map((p) => p.prediction),
    );
    const probabilities = inferred.outputs.find((o: Json) => o.name === 'probabilities').data as number[];
    (predictions as Json[]).forEach((p, j) => expect(probabilities[j * 3 + 2]).toBeCloseTo(p.probabilities.Poor, 12));
  });
});

describe('a scorecard candidate', () => {
  it('is refused with a sampler, the CLI saying that a scorecard pairs with none only', async () => {
    const refused = await runScript('train', [
      '--data',
      data,
      '--spec',
      specFile,
      '--classifiers',
      'scorecard',
      '--samplers',
      'smote',
      '--out',
      join(dir, 'refused'),
      '--quiet',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /no candidate to train \(scorecard x smote\): a scorecard takes no sampler .*--samplers none only/,
    );
  });

  it('takes its event class from the spec only when it is one of the target classes', () => {
    const raw = JSON.parse(readFileSync('data/specs/credit-score.json', 'utf8'));
    expect(() => parseSpec({ ...raw, scorecard: { eventClass: 'Bad' } })).toThrow(SpecError);
    expect(() => parseSpec({ ...raw, scorecard: { eventClass: 'Bad' } })).toThrow(
      /scorecard.eventClass "Bad" is not one of target.classes/,
    );
    expect(() => parseSpec({ ...raw, scorecard: { pdo: 0 } })).toThrow(SpecError);
    expect(parseSpec({ ...raw, scorecard: { eventClass: 'Poor', pdo: 20 } }).scorecard).toEqual({
      eventClass: 'Poor',
      pdo: 20,
    });
  });
});
