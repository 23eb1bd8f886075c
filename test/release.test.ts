/**
 * Releases: sticky routing that matches its weights, traffic policies, promote, rollback and
 * history through the admin API, blue-green, shadow; over real HTTP (node:http adapter)
 * against the embedded S3 server.
 */
import type { Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter, listen } from '../functions/adapter/node-http.ts';
import { resetService } from '../functions/runtime/service.ts';
import { ModelRegistry } from '../lib/registry/model-registry.ts';
import { PredictionCapture } from '../lib/release/prediction-capture.ts';
import { assignmentPoint, routeFor } from '../lib/release/sticky-assignment.ts';
import {
  policyProblems,
  resolvePolicy,
  trafficPolicySchema,
  type TrafficPolicy,
} from '../lib/release/traffic-policy.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import type { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { trainSmallModel, until } from './helpers.ts';
import { startTestS3, TEST_BUCKET } from './s3.ts';

describe('sticky assignment', () => {
  const keys = Array.from({ length: 10_000 }, (_, i) => `CUS_0x${(0x1000 + i * 7).toString(16)}`);

  it('is deterministic and matches the weights (chi-square, 10,000 keys)', () => {
    const routes = resolvePolicy(
      trafficPolicySchema.parse({
        mode: 'ab',
        variants: [
          { name: 'a', alias: 'x', weight: 70 },
          { name: 'b', alias: 'y', weight: 20 },
          { name: 'c', alias: 'z', weight: 10 },
        ],
      }),
    ).routes;
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (const key of keys) {
      const point = assignmentPoint('credit-score', key);
      expect(assignmentPoint('credit-score', key)).toBe(point);
      counts[routeFor(routes, point).variant]++;
    }
    const expected = { a: 7000, b: 2000, c: 1000 };
    const chiSquare = Object.entries(expected).reduce((s, [k, e]) => s + (counts[k] - e) ** 2 / e, 0);
    // 2 degrees of freedom: 13.82 is the 0.1% critical value.
    expect(chiSquare).toBeLessThan(13.82);
  });

  it('splits models independently, and a growing canary only moves customers to the challenger', () => {
    const canary = (step: number): TrafficPolicy =>
      trafficPolicySchema.parse({ mode: 'canary', champion: 'champion', challenger: 'challenger', step });
    const at = (step: number, key: string): string =>
      routeFor(resolvePolicy(canary(step)).routes, assignmentPoint('credit-score', key)).variant;
    let moved = 0;
    for (const key of keys) {
      for (let step = 1; step < 4; step++) {
        if (at(step - 1, key) === 'challenger') expect(at(step, key)).toBe('challenger');
        else if (at(step, key) === 'challenger') moved++;
      }
      expect(at(3, key)).toBe('challenger'); // 100 %
    }
    expect(moved).toBeGreaterThan(9000);
    const differ = keys.filter((k) => assignmentPoint('credit-score', k) !== assignmentPoint('other-model', k)).length;
    expect(differ).toBeGreaterThan(9900);
  });

  it('validates policies beyond their shape', () => {
    const ab = trafficPolicySchema.parse({
      mode: 'ab',
      variants: [
        { name: 'a', alias: 'x', weight: 60 },
        { name: 'a', alias: 'y', weight: 50 },
      ],
    });
    expect(policyProblems(ab).map((p) => p.message)).toEqual([
      'weights sum to 110, not 100',
      'variant names must differ',
    ]);
    const canary = trafficPolicySchema.parse({ mode: 'canary', champion: 'c', challenger: 'c', steps: [50, 25] });
    expect(policyProblems(canary).map((p) => p.field)).toEqual(['challenger', 'steps', 'steps']);
    expect(trafficPolicySchema.safeParse({ mode: 'canary', champion: 'a' }).success).toBe(false);
  });
});

describe('release admin API', () => {
  const KEY = 'release-admin-key-0123456789';
  let s3: EmbeddedS3;
  let store: S3ObjectStore;
  let registry: ModelRegistry;
  let server: Server;
  let url: string;
  const v: string[] = [];
  const header = readFileSync('data/credit_score_customers_raw.csv', 'utf8').split('\n')[0].split(',');
  const record = (customer: string): Record<string, string | null> => ({
    ...Object.fromEntries(header.map((h) => [h, null])),
    Customer_ID: customer,
  });

  async function call(
    method: string,
    path: string,
    body?: unknown,
    admin = true,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies
  ): Promise<{ status: number; json: any }> {
    const r = await fetch(url + path, {
      method,
      headers: { 'content-type': 'application/json', ...(admin ? { 'x-api-key': KEY } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    });
    return { status: r.status, json: await r.json() };
  }
  const served = async (customer: string): Promise<{ version: string; variant: string }> =>
    (await call('POST', '/predict', record(customer), false)).json.model;
  // Every container picks a change up within about one refresh interval (0.3 s here): wait two.
  const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 700));

  beforeAll(async () => {
    const started = await startTestS3();
    s3 = started.s3;
    store = started.store;
    registry = new ModelRegistry(store);
    const files = (await trainSmallModel()).files;
    for (let i = 0; i < 3; i++) v.push((await registry.publish('credit-score', files, { createdBy: 'test' })).version);
    await registry.moveAlias('credit-score', 'champion', v[0], { reason: 'first', actor: 'test' });
    await registry.moveAlias('credit-score', 'challenger', v[1], { reason: 'candidate', actor: 'test' });
    Object.assign(process.env, {
      MODEL_BUCKET: TEST_BUCKET,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      ADMIN_API_KEYS: KEY,
      ALIAS_REFRESH_SECONDS: '0.3',
      LOG_LEVEL: 'silent',
      CAPTURE_FLUSH_RECORDS: '1',
    });
    resetService();
    server = createAdapter();
    url = await listen(server, { port: 0 });
  });
  afterAll(async () => {
    resetService();
    await new Promise((r) => server.close(r));
    await s3.close();
  });

  it('refuses policies with missing aliases or bad weights (422) and callers without a key (401)', async () => {
    expect((await call('PUT', '/model/traffic', { mode: 'single', alias: 'champion' }, false)).status).toBe(401);
    const missing = await call('PUT', '/model/traffic', {
      mode: 'ab',
      variants: [
        { name: 'a', alias: 'champion', weight: 50 },
        { name: 'b', alias: 'nobody', weight: 50 },
      ],
    });
    expect(missing.status).toBe(422);
    expect(missing.json.error.message).toMatch(/alias "nobody" does not exist/);
    const weights = await call('PUT', '/model/traffic', {
      mode: 'ab',
      variants: [
        { name: 'a', alias: 'champion', weight: 50 },
        { name: 'b', alias: 'challenger', weight: 60 },
      ],
    });
    expect(weights.status).toBe(422);
    expect(weights.json.error.message).toMatch(/weights sum to 110/);
  });

  it('splits an A/B test by customer, sticky, naming variant and version in every answer', async () => {
    const set = await call('PUT', '/model/traffic', {
      mode: 'ab',
      variants: [
        { name: 'a', alias: 'champion', weight: 50 },
        { name: 'b', alias: 'challenger', weight: 50 },
      ],
    });
    expect(set.status).toBe(200);
    await settle();
    const seen = { a: 0, b: 0 };
    for (let i = 0; i < 60; i++) {
      const customer = `CUS_${i}`;
      const first = await served(customer);
      expect(await served(customer)).toEqual(first);
      expect(first.version).toBe(first.variant === 'a' ? v[0] : v[1]);
      seen[first.variant as 'a' | 'b']++;
    }
    expect(seen.a).toBeGreaterThan(15);
    expect(seen.b).toBeGreaterThan(15);
    const status = await call('GET', '/model/traffic', undefined, false);
    expect(status.json.routes).toEqual([
      { variant: 'a', alias: 'champion', weight: 50, version: v[0] },
      { variant: 'b', alias: 'challenger', weight: 50, version: v[1] },
    ]);
    expect(status.json.revision).toBe(set.json.revision);
  });

  it('promotes and rolls back within the refresh interval, with every move in the history', async () => {
    await call('PUT', '/model/traffic', { mode: 'single', alias: 'champion' });
    expect(
      (await call('POST', '/model/promote', { alias: 'champion', version: v[2], reason: 'better F1' })).status,
    ).toBe(200);
    await settle();
    expect((await served('CUS_1')).version).toBe(v[2]);
    const rollback = await call('POST', '/model/rollback', { alias: 'champion' });
    expect(rollback.json.event).toMatchObject({ from: v[2], to: v[0] });
    await settle();
    expect((await served('CUS_1')).version).toBe(v[0]);
    expect(
      (await call('POST', '/model/promote', { alias: 'champion', version: '20990101T000000000Z-000000' })).status,
    ).toBe(404);
    // "from": move only if it still points there; a retry of a move that happened is refused.
    const stale = await call('POST', '/model/promote', { alias: 'champion', version: v[1], from: v[2] });
    expect(stale.status).toBe(409);
    expect(stale.json.error.message).toMatch(/points at .*, not .*: it moved meanwhile/);
    const history = (await call('GET', '/model/history?alias=champion')).json.events;
    expect(history.map((e: { from: string | null; to: string }) => [e.from, e.to])).toEqual([
      [null, v[0]],
      [v[0], v[2]],
      [v[2], v[0]],
    ]);
    const all = (await call('GET', '/model/history')).json.events;
    expect(all.filter((e: { kind: string }) => e.kind === 'traffic').length).toBe(2);
  });

  it('rolls back a step at a time, never forward: twice goes two steps back, a double click from two hosts too', async () => {
    await registry.moveAlias('credit-score', 'rb', v[0], { reason: 'first', actor: 'test' });
    for (const version of [v[1], v[2]])
      expect((await call('POST', '/model/promote', { alias: 'rb', version })).status).toBe(200);
    const first = await call('POST', '/model/rollback', { alias: 'rb' });
    expect(first.json.event).toMatchObject({ from: v[2], to: v[1] });
    const second = await call('POST', '/model/rollback', { alias: 'rb' });
    expect(second.json.event).toMatchObject({ from: v[1], to: v[0] });
    // Nothing before the first move: refused, and the alias stays.
    const third = await call('POST', '/model/rollback', { alias: 'rb' });
    expect(third.status).toBe(409);
    expect(third.json.error.message).toMatch(/no earlier version/);
    expect((await registry.getAlias('credit-score', 'rb'))!.version).toBe(v[0]);

    // Promote twice more, then two rollbacks at once (a double click, or two operators): two steps back, not back and forth.
    for (const version of [v[1], v[2]])
      expect((await call('POST', '/model/promote', { alias: 'rb', version })).status).toBe(200);
    const both = await Promise.all([
      call('POST', '/model/rollback', { alias: 'rb' }),
      call('POST', '/model/rollback', { alias: 'rb' }),
    ]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    expect(both.map((r) => r.json.event.to).sort()).toEqual([v[0], v[1]].sort());
    expect((await registry.getAlias('credit-score', 'rb'))!.version).toBe(v[0]);
    // With "from", the second click of a double click is refused instead (the alias moved).
    expect((await call('POST', '/model/promote', { alias: 'rb', version: v[2] })).status).toBe(200);
    const clicks = await Promise.all([
      call('POST', '/model/rollback', { alias: 'rb', from: v[2] }),
      call('POST', '/model/rollback', { alias: 'rb', from: v[2] }),
    ]);
    expect(clicks.map((r) => r.status).sort()).toEqual([200, 409]);
    expect((await registry.getAlias('credit-score', 'rb'))!.version).toBe(v[0]);
  });

  it('leaves a consistent alias and a complete history under concurrent promotes and rollbacks', async () => {
    // Two moves first, so that a rollback has a step back to take whichever move it follows.
    for (const version of [v[1], v[2]])
      expect((await call('POST', '/model/promote', { alias: 'champion', version })).status).toBe(200);
    const calls = await Promise.all([
      call('POST', '/model/promote', { alias: 'champion', version: v[1] }),
      call('POST', '/model/rollback', { alias: 'champion', version: v[2] }),
      call('POST', '/model/promote', { alias: 'champion', version: v[0] }),
      call('POST', '/model/rollback', { alias: 'champion' }),
    ]);
    expect(
      calls.map((c) => c.status),
      JSON.stringify(calls.map((c) => c.json.error)),
    ).toEqual([200, 200, 200, 200]);
    const pointer = (await registry.getAlias('credit-score', 'champion'))!;
    const history = await registry.history('credit-score', 'champion');
    for (const c of calls) expect(history.map((e) => e.eventId)).toContain(c.json.event.eventId);
    expect(history.find((e) => e.eventId === pointer.event.eventId)?.to).toBe(pointer.version);
    await registry.moveAlias('credit-score', 'champion', v[0], { reason: 'reset', actor: 'test' });
  });

  it('carries out a canary promotion that was decided but not done before an admin changes the policy', async () => {
    await registry.moveAlias('credit-score', 'champion', v[0], { reason: 'reset', actor: 'test' });
    await registry.moveAlias('credit-score', 'challenger', v[2], { reason: 'reset', actor: 'test' });
    // As a controller that stopped right after recording its decision would leave it.
    const revision = (await registry.getTraffic('credit-score'))!.revision;
    await registry.changeTraffic('credit-score', () => ({
      policy: { mode: 'single', alias: 'champion' },
      reason: 'canary promoted (test)',
      actor: 'canary-controller',
      pendingPromotion: { alias: 'champion', from: v[0], to: v[2], decisionRevision: revision },
    }));
    expect((await call('PUT', '/model/traffic', { mode: 'single', alias: 'champion' })).status).toBe(200);
    expect((await registry.getAlias('credit-score', 'champion'))!.version).toBe(v[2]);
    expect((await registry.getTraffic('credit-score'))!.pendingPromotion).toBeUndefined();
    await registry.moveAlias('credit-score', 'champion', v[0], { reason: 'reset', actor: 'test' });
    await registry.moveAlias('credit-score', 'challenger', v[1], { reason: 'reset', actor: 'test' });
  });

  it('switches blue-green at once, the idle colour kept loaded', async () => {
    await registry.moveAlias('credit-score', 'blue', v[0], { reason: 'blue', actor: 'test' });
    await registry.moveAlias('credit-score', 'green', v[2], { reason: 'green', actor: 'test' });
    await call('PUT', '/model/traffic', { mode: 'bluegreen', blue: 'blue', green: 'green', active: 'blue' });
    await settle();
    expect(await served('CUS_7')).toEqual({ name: 'credit-score', version: v[0], alias: 'blue', variant: 'blue' });
    const health = (await call('GET', '/health', undefined, false)).json;
    expect(health.model.aliases.map((a: { alias: string; loaded: boolean }) => [a.alias, a.loaded])).toEqual([
      ['blue', true],
      ['green', true],
    ]);
    await call('PUT', '/model/traffic', { mode: 'bluegreen', blue: 'blue', green: 'green', active: 'green' });
    await settle();
    for (const c of ['CUS_7', 'CUS_8', 'CUS_9']) expect((await served(c)).version).toBe(v[2]);
  });

  it('never returns shadow answers, and counts them', async () => {
    await call('PUT', '/model/traffic', { mode: 'shadow', champion: 'champion', challenger: 'challenger' });
    await settle();
    for (let i = 0; i < 20; i++) {
      const r = await call('POST', '/predict', { instances: [record(`CUS_${i}`), record(`CUS_${i + 100}`)] }, false);
      for (const p of r.json.predictions)
        expect(p.model).toEqual({ name: 'credit-score', version: v[0], alias: 'champion', variant: 'champion' });
      expect(JSON.stringify(r.json)).not.toContain(v[1]);
    }
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(
        `credit_score_shadow_predictions_total\\{model="credit-score",version="${v[1]}",agree="(true|false)"[^}]*\\} \\d+`,
      ),
    );
  });

  const canary = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
    mode: 'canary',
    champion: 'champion',
    challenger: 'challenger',
    steps: [20, 50, 100],
    stepMinutes: 0.0001,
    bounds: { minRequests: 5, latencyFloorMs: 5000 },
    ...over,
  });
  const traffic = async (customers: number, from: number): Promise<void> => {
    for (let i = 0; i < customers; i++)
      expect((await call('POST', '/predict', record(`CUS_canary_${from + i}`), false)).status).toBe(200);
  };

  it('runs a healthy canary through every step to 100 % and promotes the challenger', async () => {
    await registry.moveAlias('credit-score', 'champion', v[0], { reason: 'reset', actor: 'test' });
    await registry.moveAlias('credit-score', 'challenger', v[2], { reason: 'candidate', actor: 'test' });
    const start = await call('PUT', '/model/traffic', canary());
    expect(start.status).toBe(200);
    const decisions: string[] = [];
    const answered = async (): Promise<number> =>
      ((await call('GET', '/model/report?minutes=5')).json.variants as { requests: number }[]).reduce(
        (n, x) => n + x.requests,
        0,
      );
    for (let round = 0; round < 6 && !decisions.includes('promote'); round++) {
      await settle();
      const before = await answered();
      await traffic(40, round * 40);
      // The controller reads captures from storage: wait until this round's are written, not a fixed time.
      await until(
        "the round's captures to be written",
        async () => ((await answered()) >= before + 40 ? true : undefined),
        15_000,
      );
      const check = await call('POST', '/model/canary/check');
      decisions.push(check.json.decision.action);
    }
    expect(decisions).toEqual(['advance', 'advance', 'promote']);
    expect((await registry.getAlias('credit-score', 'champion'))!.version).toBe(v[2]);
    expect((await call('GET', '/model/traffic', undefined, false)).json.policy).toEqual({
      mode: 'single',
      alias: 'champion',
    });
    const changes = (await call('GET', '/model/history')).json.events.filter(
      (e: { actor: string; eventId: string }) => e.actor === 'canary-controller' && e.eventId > start.json.eventId,
    );
    expect(changes.map((e: { kind: string; reason: string }) => `${e.kind}: ${e.reason.split(':')[0]}`)).toEqual([
      'traffic: canary advanced to 50%',
      'traffic: canary advanced to 100%',
      `traffic: canary promoted challenger (${v[2]}) at 100%`,
      expect.stringMatching(/^alias: canary promotion decided at traffic revision \d+$/),
    ]);
    expect(changes[0].details.numbers.challengerRequests).toBeGreaterThanOrEqual(5);
    // Every action is on record with its numbers, one per policy revision.
    const recorded = await store.list('models/credit-score/canary/decisions/');
    expect(recorded).toHaveLength(3);
    const lastDecision = JSON.parse(new TextDecoder().decode((await store.get(recorded[recorded.length - 1]))!.bytes));
    expect(lastDecision).toMatchObject({ action: 'promote', numbers: { share: 100 } });
    // The promotion intent is cleared once the alias moved.
    expect((await registry.getTraffic('credit-score'))!.pendingPromotion).toBeUndefined();
  });

  it('rolls a canary back by itself when the challenger fails', async () => {
    await registry.moveAlias('credit-score', 'champion', v[0], { reason: 'reset', actor: 'test' });
    expect((await call('PUT', '/model/traffic', canary({ stepMinutes: 60 }))).status).toBe(200);
    await settle();
    await traffic(20, 1000);
    // Injected failures: the challenger's errors, captured (with their summary) as another container's predict function would.
    const failures = Array.from({ length: 5 }, (_, i) => ({
      requestId: `injected-${i}`,
      index: 0,
      at: Date.now(),
      version: 'none',
      alias: 'challenger',
      variant: 'challenger',
      latencyMs: 3,
      ok: false,
      error: 'model' as const,
    }));
    const otherContainer = new PredictionCapture(store, 'credit-score', {
      flushRecords: 100,
      flushIntervalMs: 60_000,
      maxBuffered: 100,
    });
    otherContainer.add(failures);
    await otherContainer.flush();
    expect(otherContainer.status()).toMatchObject({ pending: 0, lastError: null });
    const check = await call('POST', '/model/canary/check');
    expect(check.json.decision.action).toBe('rollback');
    expect(check.json.decision.reasons[0]).toMatch(/error rate/);
    expect((await call('GET', '/model/traffic', undefined, false)).json.policy).toEqual({
      mode: 'single',
      alias: 'champion',
    });
    const last = (await call('GET', '/model/history')).json.events.pop();
    expect(last).toMatchObject({ kind: 'traffic', actor: 'canary-controller', details: { decision: 'rollback' } });
    expect(last.details.numbers.challengerErrorRate).toBeGreaterThan(0.01);
  });

  it('takes feedback and reports per-variant accuracy with a significance test', async () => {
    await call('PUT', '/model/traffic', {
      mode: 'ab',
      variants: [
        { name: 'a', alias: 'champion', weight: 50 },
        { name: 'b', alias: 'challenger', weight: 50 },
      ],
    });
    await settle();
    for (let i = 0; i < 30; i++) {
      const r = await call('POST', '/predict', record(`CUS_ab_${i}`), false);
      const ok = await call('POST', '/feedback', {
        requestId: r.json.requestId,
        actual: i % 3 === 0 ? 'Poor' : r.json.prediction,
      });
      expect(ok.status).toBe(202);
    }
    const bad = await call('POST', '/feedback', { requestId: 'x', actual: 'Excellent' });
    expect(bad.status).toBe(422);
    expect(bad.json.error.details[0].message).toMatch(/not a class/);
    // Labels are counted in the capture's next summary (written as each one arrives here: CAPTURE_FLUSH_RECORDS=1).
    const labelledIn = (r: { variants: { variant: string; labelled: number }[] }): number =>
      r.variants.filter((x) => ['a', 'b'].includes(x.variant)).reduce((n, x) => n + x.labelled, 0);
    const report = await until(
      'every label in the report',
      async () => {
        const r = (await call('GET', '/model/report?minutes=5')).json;
        return labelledIn(r) >= 30 ? r : undefined;
      },
      15_000,
    );
    expect(labelledIn(report)).toBe(30);
    expect(report.comparison).toMatchObject({
      a: 'a',
      b: 'b',
      accuracy: { test: 'two-proportion z-test (pooled), two-sided' },
    });
    // The time series: each variant's requests in whole-minute buckets (5 of a minute here: at most
    // 30 buckets, each a multiple of the summaries' minute), covering the window, adding up to its total.
    expect(report.seriesBucketSeconds).toBe(60);
    for (const v of report.variants.filter((x: { variant: string }) => ['a', 'b'].includes(x.variant))) {
      const series = report.series[v.variant] as { start: number; requests: number; p50Ms: number | null }[];
      expect(series.length).toBeGreaterThanOrEqual(5);
      expect(series.length).toBeLessThanOrEqual(6);
      expect(series[0].start).toBeLessThanOrEqual(Date.parse(report.window.since));
      series.forEach((b, i) => expect(b.start).toBe(series[0].start + i * 60_000));
      expect(series.reduce((n, b) => n + b.requests, 0)).toBe(v.requests);
      expect(series.map((b) => b.start)).toEqual([...series.map((b) => b.start)].sort((x, y) => x - y));
      expect(series.some((b) => b.requests > 0 && b.p50Ms !== null)).toBe(true);
    }
  });
});
