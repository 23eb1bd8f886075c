/**
 * Many models, one service (functions/runtime/model-scopes.ts): two registered models with
 * different contracts (the three-class credit-score model and the binary taiwan-credit-default
 * model) served side by side by the real handlers over the embedded S3 server, each by name,
 * each with its own aliases, traffic policy, captures, report and drift; a model nobody
 * registered is a 404 on every route that names a model.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getService } from '../functions/runtime/service.ts';
import { MODEL_QUERY_ROUTES } from '../lib/http/model-query-routes.ts';
import { ModelRegistry } from '../lib/registry/model-registry.ts';
import { keys } from '../lib/state/layout.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import type { ObjectStore } from '../lib/storage/object-store.ts';
import { trainSmallModel } from './helpers.ts';
import { startInProcessApi, type InProcessApi } from './in-process-api.ts';
import { startTestS3, TEST_BUCKET } from './s3.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies
type Json = any;

describe('two models served side by side by one service', () => {
  const KEY = 'many-models-admin-key-0123456789';
  const CREDIT = 'credit-score';
  const TAIWAN = 'taiwan-credit-default';
  let s3: EmbeddedS3;
  let store: ObjectStore;
  let registry: ModelRegistry;
  let api: InProcessApi;
  const versions: Record<string, string[]> = {};
  /** A request record per model, from its own /model/info sample. */
  const sample: Record<string, Record<string, unknown>> = {};

  async function call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; json: Json }> {
    const r = await fetch(api.url + path, {
      method,
      headers: { 'content-type': 'application/json', 'x-api-key': KEY, ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    return { status: r.status, json: await r.json() };
  }

  beforeAll(async () => {
    const started = await startTestS3();
    s3 = started.s3;
    store = started.store;
    registry = new ModelRegistry(store);
    for (const [name, dataset] of [
      [CREDIT, 'credit'],
      [TAIWAN, 'taiwan'],
    ] as const) {
      const small = await trainSmallModel(dataset);
      versions[name] = [];
      for (let i = 0; i < 2; i++)
        versions[name].push((await registry.publish(name, small.files, { createdBy: 'test' })).version);
      await registry.moveAlias(name, 'champion', versions[name][0], { reason: 'first', actor: 'test' });
    }
    await registry.moveAlias(TAIWAN, 'challenger', versions[TAIWAN][1], { reason: 'to test', actor: 'test' });
    // Captures are written only when flushed here: the test decides when they reach storage.
    api = await startInProcessApi({
      MODEL_BUCKET: TEST_BUCKET,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      ADMIN_API_KEYS: KEY,
      ALIAS_REFRESH_SECONDS: '0.3',
      CAPTURE_FLUSH_SECONDS: '3600',
      CAPTURE_FLUSH_RECORDS: '100000',
      CAPTURE_FEATURES_RATE: '1',
      LOG_LEVEL: 'silent',
    });
    for (const name of [CREDIT, TAIWAN]) {
      const info = await call('GET', `/model/info?model=${name}`);
      expect(info.status).toBe(200);
      sample[name] = info.json.sampleRequest;
    }
  }, 300_000);
  afterAll(async () => {
    await api?.close();
    await s3?.close();
  });

  it('lists both models with their aliases, the default first', async () => {
    const r = await call('GET', '/models');
    expect(r.status).toBe(200);
    expect(r.json.default).toBe(CREDIT);
    expect(r.json.models).toEqual([
      { name: CREDIT, default: true, aliases: { champion: versions[CREDIT][0] }, traffic: null },
      {
        name: TAIWAN,
        default: false,
        aliases: { champion: versions[TAIWAN][0], challenger: versions[TAIWAN][1] },
        traffic: null,
      },
    ]);
  });

  it('serves each model by name with its own contract; /predict is the default model', async () => {
    const byDefault = await call('POST', '/predict', sample[CREDIT]);
    expect(byDefault.status).toBe(200);
    expect(byDefault.json.model).toMatchObject({ name: CREDIT, version: versions[CREDIT][0] });
    expect(['Good', 'Standard', 'Poor']).toContain(byDefault.json.prediction);
    const credit = await call('POST', `/models/${CREDIT}/predict`, sample[CREDIT]);
    expect(credit.json.model).toMatchObject({ name: CREDIT, version: versions[CREDIT][0] });
    const taiwan = await call('POST', `/models/${TAIWAN}/predict`, sample[TAIWAN]);
    expect(taiwan.status).toBe(200);
    expect(taiwan.json.model).toMatchObject({ name: TAIWAN, version: versions[TAIWAN][0] });
    expect(Object.keys(taiwan.json.probabilities).sort()).toEqual(['0', '1']);
    // Each model checks requests against its own columns: a credit record is not a Taiwan one.
    const crossed = await call('POST', `/models/${TAIWAN}/predict`, sample[CREDIT]);
    expect(crossed.status).toBe(422);
    expect(crossed.json.error.message).toMatch(/invalid field/);
    // The Open Inference Protocol by name: the Taiwan model's own inputs.
    const meta = await call('GET', `/v2/models/${TAIWAN}`);
    expect(meta.status).toBe(200);
    expect(meta.json.name).toBe(TAIWAN);
    expect(meta.json.inputs.map((i: { name: string }) => i.name)).toContain('LIMIT_BAL');
    expect(meta.json.inputs.map((i: { name: string }) => i.name)).not.toContain('Annual_Income');
  });

  it('keeps a traffic policy per model: an A/B split on one leaves the other on its champion', async () => {
    const put = await call(
      'PUT',
      `/model/traffic?model=${TAIWAN}`,
      {
        mode: 'ab',
        variants: [
          { name: 'a', alias: 'champion', weight: 50 },
          { name: 'b', alias: 'challenger', weight: 50 },
        ],
      },
      { 'x-change-reason': 'A/B of the two Taiwan versions' },
    );
    expect(put.status).toBe(200);
    expect((await call('GET', `/model/traffic?model=${TAIWAN}`)).json.policy.mode).toBe('ab');
    expect((await call('GET', '/model/traffic')).json.policy.mode).toBe('single');
    // Customers are routed by their identifier: forty of them split between both Taiwan versions.
    const seen = new Set<string>();
    for (let id = 1; id <= 40; id++) {
      const r = await call('POST', `/models/${TAIWAN}/predict`, { ...sample[TAIWAN], ID: id });
      expect(r.status).toBe(200);
      seen.add(r.json.model.version);
    }
    expect([...seen].sort()).toEqual([...versions[TAIWAN]].sort());
    for (let id = 1; id <= 10; id++)
      expect((await call('POST', '/predict', { ...sample[CREDIT], Customer_ID: `CUS_${id}` })).json.model.version).toBe(
        versions[CREDIT][0],
      );
    // The history of each model has its own changes only.
    const taiwanHistory = (await call('GET', `/model/history?model=${TAIWAN}`)).json.events;
    expect(taiwanHistory.at(-1)).toMatchObject({ kind: 'traffic', name: TAIWAN });
    expect((await call('GET', '/model/history')).json.events.some((e: { kind: string }) => e.kind === 'traffic')).toBe(
      false,
    );
  });

  it("captures each model's answers under its own name, and reports and checks drift per model", async () => {
    const { models } = await getService();
    for (const scope of models.started()) await scope.capture.flush();
    expect((await store.list(`captures/${TAIWAN}/`)).length).toBeGreaterThan(0);
    expect((await store.list(`captures/${CREDIT}/`)).length).toBeGreaterThan(0);
    const taiwanReport = await call('GET', `/model/report?model=${TAIWAN}&minutes=60`);
    expect(taiwanReport.status).toBe(200);
    const requests = (report: Json): number =>
      report.variants.reduce((sum: number, v: { requests: number }) => sum + v.requests, 0);
    // 1 + 40 Taiwan answers (the crossed one was refused before scoring), 2 + 10 credit ones.
    expect(requests(taiwanReport.json)).toBe(41);
    // The first answer was served before the split (variant "default"); the forty after it by a and b.
    const byVariant = Object.fromEntries(
      taiwanReport.json.variants.map((v: { variant: string; requests: number }) => [v.variant, v.requests]),
    );
    expect(Object.keys(byVariant).sort()).toEqual(['a', 'b', 'default']);
    expect([byVariant.default, byVariant.a + byVariant.b]).toEqual([1, 40]);
    expect(requests((await call('GET', '/model/report?minutes=60')).json)).toBe(12);
    const drift = await call('POST', `/drift/check?model=${TAIWAN}`, {});
    expect(drift.status).toBe(200);
    expect(drift.json).toMatchObject({ model: TAIWAN, rows: 41 });
    expect((await call('GET', `/drift/latest?model=${TAIWAN}`)).json.id).toBe(drift.json.id);
    expect((await call('GET', '/drift/latest')).status).toBe(404);
  });

  it("answers 404 naming the model on every route about a model for a model nobody registered, and asks a named model's retrain for its data", async () => {
    const unknown = 'no-such-model';
    const routes = [...MODEL_QUERY_ROUTES].map((route) => {
      const [method, path] = route.split(' ');
      return { method, path: `${path.replace('{version}', versions[CREDIT][0])}?model=${unknown}` };
    });
    routes.push(
      { method: 'POST', path: `/models/${unknown}/predict` },
      { method: 'GET', path: `/v2/models/${unknown}` },
      { method: 'POST', path: `/v2/models/${unknown}/infer` },
    );
    for (const { method, path } of routes) {
      const r = await call(method, path, method === 'GET' ? undefined : {});
      expect({ path, status: r.status }).toEqual({ path, status: 404 });
      expect(JSON.stringify(r.json)).toContain(`model ${unknown} is not registered`);
    }
    // Another model than the default has no default training data: its retrain names a dataKey.
    const retrain = await call('POST', `/model/retrain?model=${TAIWAN}`, {});
    expect(retrain.status).toBe(422);
    expect(retrain.json.error.message).toBe(
      `model ${TAIWAN} has no default training data (only ${CREDIT} has): name a dataKey, a CSV in the bucket under data/`,
    );
    // A name that cannot be a model name is a 400 before any lookup.
    expect((await call('GET', '/model/info?model=..%2Fdata')).status).toBe(400);
  });

  it("degrades /health for another model's background failure and names that model, while the failing model's own /health says it unnamed", async () => {
    const healthy = await call('GET', '/health');
    expect(healthy.json.status).toBe('ready');
    // The Taiwan model's traffic document made unreadable behind the service's back (a bad manual edit).
    await store.put(keys.traffic(TAIWAN), new TextEncoder().encode('{"revision": "not a number"'), {
      contentType: 'application/json',
    });
    const reason = (json: Json): string[] => json.reasons ?? [];
    // Its router rereads the policy every ALIAS_REFRESH_SECONDS (0.3 s); polled, bounded.
    let health: { status: number; json: Json } = healthy;
    for (
      let i = 0;
      i < 100 && !reason(health.json).some((r) => r.startsWith(`model ${TAIWAN}: traffic policy unreadable`));
      i++
    ) {
      await new Promise((r) => setTimeout(r, 100));
      health = await call('GET', '/health');
    }
    expect(health.status).toBe(200); // the default model still serves: degraded, not down
    expect(health.json.status).toBe('degraded');
    expect(reason(health.json).filter((r) => r.includes('traffic policy unreadable'))).toEqual([
      expect.stringMatching(
        new RegExp(`^model ${TAIWAN}: traffic policy unreadable, the last one read stays in force`),
      ),
    ]);
    expect(health.json.models.map((m: { name: string }) => m.name)).toEqual([CREDIT, TAIWAN]);
    const own = await call('GET', `/health?model=${TAIWAN}`);
    expect(own.json.status).toBe('degraded');
    expect(reason(own.json)).toContainEqual(
      expect.stringMatching(/^traffic policy unreadable, the last one read stays in force/),
    );
    // Replaced through the API (a valid policy), both are healthy again.
    expect(
      (
        await call(
          'PUT',
          `/model/traffic?model=${TAIWAN}`,
          { mode: 'single', alias: 'champion' },
          { 'x-change-reason': 'repair' },
        )
      ).status,
    ).toBe(200);
    for (let i = 0; i < 100 && (await call('GET', '/health')).json.status !== 'ready'; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect((await call('GET', '/health')).json.status).toBe('ready');
  });
});
