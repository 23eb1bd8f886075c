/**
 * The HTTP API suite, run against each way of hosting the handlers (the node:http adapter,
 * serverless-offline): every route, every error case, alias moves, a refused tampered
 * version, retrain jobs to completion, over real HTTP against the embedded S3 server.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesToBundle } from '../lib/artifact/model-bundle.ts';
import { featureColumns, type DatasetSpec } from '../lib/data/spec.ts';
import { ModelRegistry } from '../lib/registry/model-registry.ts';
import {
  inferenceErrorSchema,
  inferenceRequestSchema,
  inferenceResponseSchema,
  modelMetadataSchema,
  serverMetadataSchema,
} from '../lib/serving/open-inference.ts';
import { Predictor } from '../lib/serving/predictor.ts';
import { keys } from '../lib/state/layout.ts';
import { aliasDocumentSchema } from '../lib/state/schemas.ts';
import { parseInstanceOrderedId } from '../lib/util/instance-ids.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import type { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { subsetCsv, tempDir, trainSmallModel, until } from './helpers.ts';
import { startTestS3, TEST_BUCKET } from './s3.ts';

const ADMIN_KEY = 'test-admin-key-0123456789abcdef';
let s3: EmbeddedS3;
let store: S3ObjectStore;
let registry: ModelRegistry;
let url: string;
let stopTarget: () => Promise<void>;
let files: Map<string, Uint8Array>;
const versions: string[] = [];
const rows = readFileSync('data/credit_score_customers_raw.csv', 'utf8').split('\n');
const header = rows[0].split(',');

/** Row n of the shipped CSV as the JSON record a client would send (strings, as exported). */
function record(n: number): Record<string, string> {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (const ch of rows[n]) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  cells.push(cell);
  return Object.fromEntries(header.map((h, i) => [h, cells[i]]));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
type Json = any;

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Json; text: string; headers: Headers }> {
  const response = await fetch(url + path, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: response.status, json, text, headers: response.headers };
}

/** Fault injection: points an alias at a version without the registry's verification. */
async function pointAliasUnverified(alias: string, version: string): Promise<void> {
  await registry.docs.update(keys.alias('credit-score', alias), aliasDocumentSchema, (current) => {
    const event = {
      ...current!.value.event,
      eventId: `${current!.value.event.eventId}-x`,
      from: current!.value.version,
      to: version,
      previousEventId: current!.value.event.eventId,
      reason: 'fault injection',
    };
    return { write: { alias, version, event }, result: undefined };
  });
}

/** Flips the last byte of a version's ensemble in storage, as a disk or a careless hand would. */
async function corrupt(version: string): Promise<void> {
  const key = keys.versionFile('credit-score', version, 'ensemble.bin');
  const { bytes } = (await store.get(key))!;
  bytes[bytes.length - 1] ^= 0xff;
  await store.put(key, bytes);
}

const admin = { 'x-api-key': ADMIN_KEY };

/** A way to host the handlers: started with the service's environment, stopped at the end. */
export interface HostingTarget {
  name: 'node-http' | 'serverless-offline';
  start(env: Record<string, string>): Promise<{ url: string; stop(): Promise<void> }>;
}

export function defineApiSuite(target: HostingTarget): void {
  beforeAll(async () => {
    ({ s3, store } = await startTestS3());
    const dir = tempDir('http-api');
    const env = {
      MODEL_BUCKET: TEST_BUCKET,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      ADMIN_API_KEYS: ADMIN_KEY,
      ALIAS_REFRESH_SECONDS: '0.3',
      MAX_BODY_BYTES: '200000',
      MAX_INSTANCES: '50',
      LOG_LEVEL: 'silent',
      DEFAULT_TRAINING_DATA: subsetCsv('data/credit_score_customers_raw.csv', 900, join(dir, 'default.csv')),
    };
    registry = new ModelRegistry(store);
    files = (await trainSmallModel()).files;
    versions.push((await registry.publish('credit-score', files, { createdBy: 'test' })).version);
    ({ url, stop: stopTarget } = await target.start(env));
  }, 120_000);

  afterAll(async () => {
    await stopTarget?.();
    await s3.close();
  });

  describe('before any model is promoted', () => {
    it('answers 503 with a reason, and /health says not ready', async () => {
      const predict = await call('POST', '/predict', record(1));
      expect(predict.status).toBe(503);
      expect(predict.json.error.message).toMatch(/no "champion" alias yet/);
      const health = await call('GET', '/health');
      expect(health.status).toBe(503);
      expect(health.json).toMatchObject({ ready: false, storage: { reachable: true }, model: { loaded: false } });
      expect((await call('GET', '/health?probe=live')).status).toBe(200);
    });
  });

  describe('serving the champion', () => {
    beforeAll(async () => {
      await registry.moveAlias('credit-score', 'champion', versions[0], { reason: 'first model', actor: 'test' });
      await new Promise((r) => setTimeout(r, 350));
    });

    it('predicts one raw record as exported, dirty values included', async () => {
      const r = await call('POST', '/predict', record(2)); // "52312.68_", "_" Credit_Mix, a loan list
      expect(r.status).toBe(200);
      expect(['Good', 'Standard', 'Poor']).toContain(r.json.prediction);
      const p = r.json.probabilities;
      expect(p.Good + p.Standard + p.Poor).toBeCloseTo(1, 6);
      expect(r.json.model).toEqual({
        name: 'credit-score',
        version: versions[0],
        alias: 'champion',
        variant: 'default',
      });
      expect(r.json.requestId).toBe(r.headers.get('x-request-id'));
      // The service's own id: when and on which instance it answered, which is how feedback finds the answer.
      expect(parseInstanceOrderedId(r.json.requestId)?.at).toBeGreaterThan(Date.now() - 600_000);
    });

    it('predicts a batch, and JSON numbers and nulls as well as strings', async () => {
      const typed = { ...record(3), Age: 44, Annual_Income: 58918.47, Occupation: null, Type_of_Loan: null };
      const r = await call('POST', '/predict', { instances: [record(1), typed, record(4)] });
      expect(r.status).toBe(200);
      expect(r.json.predictions).toHaveLength(3);
      const single = await call('POST', '/predict', record(1));
      expect(r.json.predictions[0].probabilities).toEqual(single.json.probabilities);
    });

    it('reports unseen categories in notes instead of failing', async () => {
      const r = await call('POST', '/predict', { ...record(1), Occupation: 'Astronaut' });
      expect(r.status).toBe(200);
      expect(r.json.notes).toEqual(['Occupation: unknown category "Astronaut"']);
    });

    it('gives reason codes with ?explain=N: source columns, the values sent, contributions toward the predicted class', async () => {
      const plain = await call('POST', '/predict', record(2));
      const r = await call('POST', '/predict?explain=3', record(2));
      expect(r.status).toBe(200);
      expect(r.json.probabilities).toEqual(plain.json.probabilities);
      expect(r.json.explanation).toEqual({ method: 'exact', space: 'margin' });
      expect(typeof r.json.baseValue).toBe('number');
      expect(r.json.reasons.length).toBeGreaterThan(0);
      expect(r.json.reasons.length).toBeLessThanOrEqual(3);
      const contributions = r.json.reasons.map((reason: Json) => reason.contribution);
      expect(contributions).toEqual([...contributions].sort((a, b) => b - a));
      for (const reason of r.json.reasons) {
        expect(header).toContain(reason.feature); // a source column, never an encoded one like Occupation=Lawyer
        expect(reason.value).toBe(record(2)[reason.feature]);
        expect(reason.contribution).toBeGreaterThan(0);
      }
      // Asking for every column: one-hot and multi-label columns come back as one reason each.
      const all = await call('POST', '/predict?explain=50', {
        ...record(2),
        Type_of_Loan: 'Auto Loan, and Mortgage Loan',
      });
      const features = all.json.reasons.map((reason: Json) => reason.feature);
      expect(new Set(features).size).toBe(features.length);
      expect(features.length).toBeGreaterThan(3);
    });

    it('explains every prediction of a batch with the approx method, and names a bad explain parameter', async () => {
      const r = await call('POST', '/predict?explain=2&explainMethod=approx', { instances: [record(1), record(3)] });
      expect(r.status).toBe(200);
      for (const p of r.json.predictions) {
        expect(p.explanation.method).toBe('approx');
        expect(p.reasons.length).toBeLessThanOrEqual(2);
      }
      // Exact runs on the request's thread: at most 10 rows a request; auto falls back to approx.
      const eleven = { instances: Array.from({ length: 11 }, (_, i) => record(i + 1)) };
      const tooMany = await call('POST', '/predict?explain=1&explainMethod=exact', eleven);
      expect(tooMany.status).toBe(422);
      expect(tooMany.json.error.message).toMatch(/at most 10 rows a request with explainMethod=exact/);
      const auto = await call('POST', '/predict?explain=1', eleven);
      expect(auto.json.predictions.map((p: Json) => p.explanation.method)).toEqual(new Array(11).fill('approx'));
      for (const [query, field] of [
        ['explain=0', 'explain'],
        ['explain=three', 'explain'],
        ['explain=3&explainMethod=fast', 'explainMethod'],
        ['explainMethod=exact', 'explain'],
      ]) {
        const bad = await call('POST', `/predict?${query}`, record(1));
        expect(bad.status, query).toBe(422);
        expect(
          bad.json.error.details.map((d: Json) => d.field),
          query,
        ).toContain(field);
      }
    });

    it('describes the model, and its sample request is a valid prediction request', async () => {
      const info = await call('GET', '/model/info');
      expect(info.status).toBe(200);
      expect(info.json.model).toMatchObject({
        name: 'credit-score',
        version: versions[0],
        alias: 'champion',
        classifier: 'xgb',
      });
      expect(info.json.featureSchema.required).toContain('Credit_History_Age');
      expect(info.json.metrics.cv.f1_macro).toBeGreaterThan(0.3);
      expect(info.json.data.rows).toBe(900);
      expect(info.json.aliases.map((a: { alias: string }) => a.alias)).toEqual(['champion']);
      expect((await call('POST', '/predict', info.json.sampleRequest)).status).toBe(200);
    });

    it('is ready, and exports Prometheus metrics', async () => {
      const health = await call('GET', '/health');
      expect(health.status).toBe(200);
      expect(health.json).toMatchObject({
        ready: true,
        model: { loaded: true, version: versions[0] },
        storage: { reachable: true },
      });
      const metrics = await call('GET', '/metrics');
      expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
      // One process hosts every handler (serverless-offline in-process too): one registry sees every route.
      expect(metrics.text).toMatch(
        /credit_score_http_requests_total\{route="POST \/predict",method="POST",status="200"/,
      );
      expect(metrics.text).toMatch(
        /credit_score_predictions_total\{class="(Good|Standard|Poor)",model="credit-score",version="[^"]+",alias="champion"/,
      );
      expect(metrics.text).toMatch(/credit_score_model_loads_total\{model="credit-score",outcome="loaded",cold="true"/);
    });
  });

  describe('bad requests get a clear 4xx and never a stack trace', () => {
    // The requests every host must refuse alike (status, code, message) are one table run over both: test/bad-input-table.test.ts.
    it('names every bad field: wrong types, missing and unknown fields, non-numbers', async () => {
      const bad: Record<string, unknown> = {
        ...record(1),
        Age: { years: 3 },
        Annual_Income: 'lots',
        Monthly_Balance: 'NaN',
        Colour: 'blue',
      };
      delete bad.Credit_Mix;
      const r = await call('POST', '/predict', bad);
      expect(r.status, r.text).toBe(422);
      const fields = Object.fromEntries(
        r.json.error.details.map((d: { field: string; message: string }) => [d.field, d.message]),
      );
      expect(fields).toEqual({
        Age: expect.stringMatching(/expected a string .* a number or null/),
        Colour: expect.stringMatching(/unknown field/),
        Credit_Mix: expect.stringMatching(/missing field/),
      });
      const values = await call('POST', '/predict', {
        ...record(1),
        Annual_Income: 'lots',
        Monthly_Balance: '12.5x',
        Credit_History_Age: 'ten years',
      });
      expect(values.status).toBe(422);
      expect(values.json.error.details.map((d: { field: string }) => d.field)).toEqual([
        'Annual_Income',
        'Monthly_Balance',
        'Credit_History_Age',
      ]);
      // "NaN", "NA", "null", "N/A" are the spec's default missing tokens (R and pandas exports): unknown, not wrong.
      const missing = await call('POST', '/predict', { ...record(1), Monthly_Balance: 'NaN', Annual_Income: 'NA' });
      expect(missing.status, missing.text).toBe(200);
    });

    it('names the instance of a bad batch field', async () => {
      const r = await call('POST', '/predict', { instances: [record(1), { ...record(2), Age: 'old' }] });
      expect(r.status).toBe(422);
      expect(r.json.error.details).toEqual([{ field: 'instances[1].Age', message: 'expected a number, got "old"' }]);
      expect((await call('POST', '/predict', { instances: [] })).status).toBe(422);
      expect((await call('POST', '/predict', { instances: 'all' })).status).toBe(422);
    });

    it('refuses payloads over the size and instance limits with 413', async () => {
      const many = await call('POST', '/predict', { instances: Array.from({ length: 51 }, () => record(1)) });
      expect(many.status).toBe(413);
      expect(many.json.error.message).toMatch(/at most 50 instances/);
      const huge = await call('POST', '/predict', JSON.stringify({ ...record(1), Name: 'x'.repeat(300_000) }));
      expect(huge.status).toBe(413);
    });
  });

  describe('alias moves and bad artifacts', () => {
    it('picks up a moved alias within the refresh interval, without a restart', async () => {
      versions.push((await registry.publish('credit-score', files, { createdBy: 'test' })).version);
      await registry.moveAlias('credit-score', 'champion', versions[1], { reason: 'newer', actor: 'test' });
      const version = await until(
        'the new version to serve',
        async () => {
          const r = await call('POST', '/predict', record(1));
          return r.json.model.version === versions[1] ? r.json.model.version : undefined;
        },
        5000,
      );
      expect(version).toBe(versions[1]);
    });

    it('will not promote a version that fails verification (422), and moves nothing', async () => {
      const { version } = await registry.publish('credit-score', files, { createdBy: 'test' });
      await corrupt(version);
      const r = await call('POST', '/model/promote', { alias: 'champion', version }, admin);
      expect(r.status).toBe(422);
      expect(r.json.error.message).toMatch(/fails verification: ensemble\.bin fails its sha256 check/);
      expect((await registry.getAlias('credit-score', 'champion'))!.version).toBe(versions[1]);
    });

    it('refuses a version corrupted after its promotion, keeps serving the previous one, and never reports it as serving', async () => {
      const { version } = await registry.publish('credit-score', files, { createdBy: 'test' });
      await corrupt(version);
      // As the serving container sees a version that went bad after a verified promotion: the alias points at it.
      await pointAliasUnverified('champion', version);
      const health = await until(
        'the refusal',
        async () => {
          const r = await call('GET', '/health');
          return r.json.model?.lastError ? r.json : undefined;
        },
        5000,
      );
      expect(health.status).toBe('degraded');
      expect(health.model).toMatchObject({
        loaded: true,
        version: versions[1],
        pointer: version,
        lastError: { version, message: expect.stringMatching(/ensemble\.bin fails its sha256 check/) },
      });
      const r = await call('POST', '/predict', record(1));
      expect(r.status).toBe(200);
      expect(r.json.model.version).toBe(versions[1]);
      const traffic = await call('GET', '/model/traffic');
      expect(traffic.json.routes[0]).toMatchObject({ alias: 'champion', version: versions[1], pointer: version });
      expect((await call('GET', '/model/info')).json.model.version).toBe(versions[1]);
      await registry.moveAlias('credit-score', 'champion', versions[1], {
        reason: 'back to the good one',
        actor: 'test',
      });
    });
  });

  describe('retrain jobs', () => {
    const small = { cv: 2, classifiers: ['xgb'], samplers: ['none'] };

    it('validates the request', async () => {
      const r = await call('POST', '/model/retrain', { cv: 1, colour: 'red' }, admin);
      expect(r.status).toBe(422);
      expect(r.json.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['(body)', 'cv']);
      const missing = await call('POST', '/model/retrain', { dataKey: 'data/absent.csv' }, admin);
      expect(missing.status).toBe(422);
      expect(missing.json.error).toMatchObject({
        message: 'the training data is not in the bucket',
        details: [{ field: 'dataKey', message: 'no such object' }],
      });
    });

    it('runs a job to completion from data in the bucket, registers and promotes the new version', async () => {
      await store.put(
        'data/retrain.csv',
        new Uint8Array(
          readFileSync(subsetCsv('data/credit_score_customers_raw.csv', 700, join(tempDir('retrain'), 'r.csv'))),
        ),
      );
      const start = await call(
        'POST',
        '/model/retrain',
        { ...small, dataKey: 'data/retrain.csv', promote: true },
        admin,
      );
      expect(start.status).toBe(202);
      expect(start.headers.get('location')).toBe(`/model/retrain/${start.json.jobId}`);
      const job = await until(
        'the job to finish',
        async () => {
          const r = await call('GET', start.json.statusUrl, undefined, admin);
          return ['succeeded', 'failed'].includes(r.json.status) ? r.json : undefined;
        },
        90_000,
      );
      expect(job).toMatchObject({
        status: 'succeeded',
        progress: { done: 2, total: 2, perSecond: expect.any(Number), etaSeconds: 0 },
        result: { promoted: true, best: { classifier: 'xgb', sampler: 'none' } },
      });
      expect(job.lockToken).toBeUndefined();
      expect(await registry.listVersions('credit-score')).toContain(job.result.version);
      expect((await registry.getAlias('credit-score', 'champion'))!.version).toBe(job.result.version);
      const served = await until(
        'the retrained version to serve',
        async () => {
          const r = await call('POST', '/predict', record(1));
          return r.json.model.version === job.result.version ? r.json.model.version : undefined;
        },
        5000,
      );
      expect(served).toBe(job.result.version);
      versions.push(job.result.version);
    });

    it('lets one of two concurrent requests start and refuses the other with 409', async () => {
      const [a, b] = await Promise.all([
        call('POST', '/model/retrain', small, admin),
        call('POST', '/model/retrain', small, admin),
      ]);
      expect([a.status, b.status].sort()).toEqual([202, 409]);
      const started = a.status === 202 ? a : b;
      const refused = a.status === 202 ? b : a;
      expect(refused.json.error.message).toMatch(/already running/);
      const job = await until(
        'the job to finish',
        async () => {
          const r = await call('GET', started.json.statusUrl, undefined, admin);
          return ['succeeded', 'failed'].includes(r.json.status) ? r.json : undefined;
        },
        90_000,
      );
      expect(job.status, JSON.stringify(job)).toBe('succeeded');
      expect(job.result.promoted).toBe(false);
      // Registered but not promoted: the champion did not move.
      expect((await registry.getAlias('credit-score', 'champion'))!.version).toBe(versions[versions.length - 1]);
      // The lock is free again.
      const again = await call('POST', '/model/retrain', { ...small, cv: 99 }, admin);
      expect(again.status).toBe(422);
    });
  });

  describe('browsing the registry', () => {
    it('lists the versions newest first with their aliases, metrics and data, a page at a time', async () => {
      const all = await registry.listVersions('credit-score');
      const r = await call('GET', '/model/versions');
      expect(r.status).toBe(200);
      expect(r.json.versions.map((v: Json) => v.version)).toEqual([...all].reverse());
      expect(r.json.next).toBeNull();
      const champion = (await registry.getAlias('credit-score', 'champion'))!.version;
      for (const v of r.json.versions) expect(v.aliases.includes('champion')).toBe(v.version === champion);
      const first = r.json.versions.find((v: Json) => v.version === versions[0]);
      expect(first).toMatchObject({
        createdBy: 'test',
        classifier: 'xgb',
        data: { rows: 900 },
        cv: { f1_macro: expect.any(Number), accuracy: expect.any(Number) },
      });
      const page1 = await call('GET', '/model/versions?limit=2');
      expect(page1.json.versions).toHaveLength(2);
      const page2 = await call('GET', `/model/versions?limit=2&before=${page1.json.next}`);
      expect(page2.json.versions[0].version < page1.json.versions[1].version).toBe(true);
      expect([...page1.json.versions, ...page2.json.versions].map((v: Json) => v.version)).toEqual(
        [...all].reverse().slice(0, 4),
      );
      const bad = await call('GET', '/model/versions?limit=0');
      expect(bad.status).toBe(422);
      expect(bad.json.error.details[0].field).toBe('limit');
    });

    it("shows a version's record: manifest, confusion matrix, candidates table and parameters", async () => {
      const r = await call('GET', `/model/versions/${versions[0]}`);
      expect(r.status).toBe(200);
      expect(Object.keys(r.json.manifest.files)).toContain('ensemble.bin');
      expect(r.json.metrics.confusion_matrix).toHaveLength(3);
      expect(r.json.metrics.candidates.length).toBeGreaterThan(0);
      expect(r.json.params).toMatchObject({ classifier: { name: 'xgb' } });
      expect(r.json.classes).toEqual(['Good', 'Standard', 'Poor']);
      expect((await call('GET', '/model/versions/v-none-such')).status).toBe(404);
      expect((await call('GET', '/model/versions/..%2Fjobs')).status).toBe(422);
    });

    it('lists recent retrain jobs and pages through the history, for admins', async () => {
      expect((await call('GET', '/model/retrain')).status).toBe(401);
      const jobs = await call('GET', '/model/retrain?limit=5', undefined, admin);
      expect(jobs.status).toBe(200);
      expect(jobs.json.jobs.length).toBeGreaterThanOrEqual(2);
      const ids = jobs.json.jobs.map((j: Json) => j.jobId);
      expect(ids).toEqual([...ids].sort().reverse());
      expect(jobs.json.jobs[0].lockToken).toBeUndefined();
      expect(jobs.json.jobs.map((j: Json) => j.status)).toContain('succeeded');
      const all = (await call('GET', '/model/history', undefined, admin)).json.events;
      const latest = await call('GET', '/model/history?limit=1', undefined, admin);
      expect(latest.json.events).toEqual([all[all.length - 1]]);
      const older = await call('GET', `/model/history?limit=1&before=${latest.json.next}`, undefined, admin);
      expect(older.json.events).toEqual([all[all.length - 2]]);
    });
  });

  describe('the Open Inference Protocol (KServe v2)', () => {
    const spec = (): DatasetSpec => filesToBundle(files).bundle.spec;
    /** Records as MLServer's pandas codec sends a table: one tensor per column; numbers as FP64 where they parse. */
    const asInputs = (records: Record<string, string | null>[]): Json[] =>
      featureColumns(spec()).map((column) => {
        const data = records.map((r) => r[column]);
        const numeric =
          spec().numeric.some((c) => c.column === column) &&
          data.every((v) => v !== null && v !== '' && Number.isFinite(Number(v)));
        return {
          name: column,
          shape: [records.length],
          datatype: numeric ? 'FP64' : 'BYTES',
          data: numeric ? data.map(Number) : data,
        };
      });

    it("answers the health and metadata routes in the protocol's shapes, every input column listed", async () => {
      const server = await call('GET', '/v2');
      expect(server.status).toBe(200);
      expect(serverMetadataSchema.parse(server.json).name).toBe('mlops-credit-score');
      expect((await call('GET', '/v2/health/live')).json).toEqual({ live: true });
      expect(await call('GET', '/v2/health/ready')).toMatchObject({ status: 200, json: { ready: true } });
      const model = await call('GET', '/v2/models/credit-score');
      expect(model.status).toBe(200);
      const metadata = modelMetadataSchema.parse(model.json);
      expect(metadata.inputs.map((i) => i.name)).toEqual(featureColumns(spec()));
      expect(metadata.inputs.find((i) => i.name === 'Annual_Income')).toEqual({
        name: 'Annual_Income',
        datatype: 'FP64',
        shape: [-1],
      });
      expect(metadata.inputs.find((i) => i.name === 'Occupation')?.datatype).toBe('BYTES');
      expect(metadata.outputs.map((o) => o.name)).toEqual(['label', 'probabilities']);
      expect(metadata.versions).toContain(versions[versions.length - 1]);
      expect(await call('GET', '/v2/models/credit-score/ready')).toMatchObject({
        status: 200,
        json: { name: 'credit-score', ready: true },
      });
      const unknown = await call('GET', '/v2/models/other-model');
      expect(unknown.status).toBe(404);
      expect(inferenceErrorSchema.strict().parse(unknown.json).error).toMatch(/model other-model is not registered/);
    });

    it('infers the same probabilities as /predict for the same raw records, under the traffic policy', async () => {
      const records = [record(2), record(5), { ...record(7), Occupation: null }];
      const request = { id: 'req-1', inputs: asInputs(records) };
      expect(inferenceRequestSchema.parse(request).inputs.some((i) => i.datatype === 'FP64')).toBe(true);
      const r = await call('POST', '/v2/models/credit-score/infer', request);
      expect(r.status).toBe(200);
      const response = inferenceResponseSchema.strict().parse(r.json);
      expect(response).toMatchObject({
        model_name: 'credit-score',
        model_version: versions[versions.length - 1],
        id: 'req-1',
      });
      const [label, probabilities] = response.outputs;
      expect(label).toMatchObject({ name: 'label', datatype: 'BYTES', shape: [3] });
      expect(probabilities).toMatchObject({
        name: 'probabilities',
        datatype: 'FP64',
        shape: [3, 3],
        parameters: { classes: JSON.stringify(['Good', 'Standard', 'Poor']) },
      });
      const predicted = await call('POST', '/predict', { instances: records });
      predicted.json.predictions.forEach((p: Json, i: number) => {
        expect(label.data[i]).toBe(p.prediction);
        expect(probabilities.data.slice(i * 3, i * 3 + 3)).toEqual([
          p.probabilities.Good,
          p.probabilities.Standard,
          p.probabilities.Poor,
        ]);
      });
      const onlyLabel = await call('POST', '/v2/models/credit-score/infer', {
        ...request,
        outputs: [{ name: 'label' }],
      });
      expect(onlyLabel.json.outputs.map((o: Json) => o.name)).toEqual(['label']);
    });

    it('refuses malformed inference requests with {"error": "..."} naming the problem', async () => {
      const inputs = asInputs([record(2)]);
      const cases: [unknown, number, RegExp][] = [
        [{ inputs: inputs.slice(1) }, 400, /missing input\(s\): Age/],
        [
          { inputs: [...inputs, { name: 'Colour', shape: [1], datatype: 'BYTES', data: ['red'] }] },
          400,
          /input Colour: not a column of this model/,
        ],
        [
          { inputs: inputs.map((i) => (i.name === 'Age' ? { ...i, shape: [2] } : i)) },
          400,
          /input Age: shape \[2\] holds 2 element\(s\), data has 1/,
        ],
        [
          { inputs: inputs.map((i) => (i.name === 'Annual_Income' ? { ...i, datatype: 'FP64', data: ['rich'] } : i)) },
          400,
          /input Annual_Income: FP64 elements must be numbers/,
        ],
        [
          { inputs: inputs.map((i) => (i.name === 'Age' ? { ...i, datatype: 'BYTES', data: ['forty'] } : i)) },
          422,
          /Age/,
        ],
        [{ inputs: 'all of them' }, 400, /not an inference request: inputs/],
        [{ inputs, outputs: [{ name: 'logits' }] }, 400, /output logits: unknown/],
      ];
      for (const [body, status, message] of cases) {
        const r = await call('POST', '/v2/models/credit-score/infer', body);
        expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(status);
        expect(inferenceErrorSchema.strict().parse(r.json).error).toMatch(message);
      }
      const malformed = await call('POST', '/v2/models/credit-score/infer', '{"inputs": [');
      expect(malformed.status).toBe(400);
      expect(typeof malformed.json.error).toBe('string');
    });

    it('scores the requested version on the versioned route, for admins only', async () => {
      const request = { inputs: asInputs([record(2)]) };
      const anonymous = await call('POST', `/v2/models/credit-score/versions/${versions[0]}/infer`, request);
      expect(anonymous.status).toBe(401);
      expect(typeof anonymous.json.error).toBe('string');
      const first = await call('POST', `/v2/models/credit-score/versions/${versions[0]}/infer`, request, admin);
      expect(first.status).toBe(200);
      expect(first.json.model_version).toBe(versions[0]);
      // The probabilities of that version's own artifact, not the champion's.
      const expected = new Predictor(filesToBundle(files).bundle).predictRecord(record(2)).probabilities;
      expect(first.json.outputs[1].data).toEqual([expected.Good, expected.Standard, expected.Poor]);
      const latest = versions[versions.length - 1];
      const champion = await call('POST', `/v2/models/credit-score/versions/${latest}/infer`, request, admin);
      expect(champion.json.model_version).toBe(latest);
      expect(champion.json.outputs[1].data).not.toEqual(first.json.outputs[1].data);
      const absent = await call('POST', '/v2/models/credit-score/versions/v999/infer', request, admin);
      expect(absent.status).toBe(404);
      expect(typeof absent.json.error).toBe('string');
    });
  });
}
