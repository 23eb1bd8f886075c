/**
 * Chaos: the control plane under concurrent admins, a failing store and batch traffic. Requests
 * are spread over two server processes on one bucket, `npm start` (serverless-offline) and the
 * node:http server, as two containers would be, and the store runs in a process of its own so
 * it can be stopped, restarted and paused. Every loop here is bounded in time and count.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ModelRegistry } from '../lib/registry/model-registry.ts';
import { readCaptures } from '../lib/release/prediction-capture.ts';
import { trafficPolicySchema } from '../lib/release/traffic-policy.ts';
import { dayOf, keys } from '../lib/state/layout.ts';
import { aliasDocumentSchema } from '../lib/state/schemas.ts';
import { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { timeOrderedId } from '../lib/util/ids.ts';
import { expectUnbrokenChain, freePort, subsetCsv, tempDir, trainSmallModel, until } from './helpers.ts';
import { startFakeKubernetesApi } from './fake-kubernetes-api.ts';
import { killProcessesRunning, startNpmStart, startS3Process, startServer, type Started } from './processes.ts';

const KEY = 'chaos-admin-key-0123456789abcdef';
const BUCKET = 'chaos-models';
const MODEL = 'credit-score';
const FLUSH_SECONDS = 1;
const STORE_TIMEOUT_SECONDS = 5;
const LOCK_SECONDS = 10;
const header = readFileSync('data/credit_score_customers_raw.csv', 'utf8').split('\n')[0].split(',');
const record = (customer: string): Record<string, string | null> => ({
  ...Object.fromEntries(header.map((h) => [h, null])),
  Customer_ID: customer,
});
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let s3: Started;
let s3Port: number;
let s3Dir: string;
let npmStart: Started;
let server: Started;
let store: S3ObjectStore;
let registry: ModelRegistry;
let files: Map<string, Uint8Array>;
const v: string[] = [];
let env: Record<string, string>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies, asserted field by field
type Json = any;
interface Answer {
  status: number;
  json: Json;
  text: string;
  headers: Headers;
  ms: number;
}

async function call(
  host: string,
  method: string,
  path: string,
  body?: unknown,
  admin = true,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const started = performance.now();
  const r = await fetch(host + path, {
    method,
    headers: { 'content-type': 'application/json', ...(admin ? { 'x-api-key': KEY } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await r.text();
  const ms = performance.now() - started;
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: r.status, json, text, headers: r.headers, ms };
}

const hosts = (): string[] => [npmStart.url, server.url];

/** The request ids found in stored captures since `since`. */
async function capturedRequestIds(since: number): Promise<Set<string>> {
  return new Set((await readCaptures(store, MODEL, since)).records.map((r) => r.requestId));
}

beforeAll(async () => {
  s3Dir = tempDir('chaos-s3');
  s3Port = await freePort();
  s3 = await startS3Process(s3Dir, s3Port, BUCKET);
  store = S3ObjectStore.fromConfig({
    bucket: BUCKET,
    region: 'us-east-1',
    endpoint: s3.url,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestTimeoutMs: 15_000,
  });
  registry = new ModelRegistry(store);
  files = (await trainSmallModel()).files;
  for (let i = 0; i < 2; i++) v.push((await registry.publish(MODEL, files, { createdBy: 'chaos' })).version);
  for (const [alias, version] of [
    ['champion', v[0]],
    ['challenger', v[1]],
    ['blue', v[0]],
    ['green', v[1]],
  ])
    await registry.moveAlias(MODEL, alias, version, { reason: 'setup', actor: 'chaos' });
  env = {
    MODEL_BUCKET: BUCKET,
    S3_ENDPOINT: s3.url,
    S3_ACCESS_KEY_ID: 'S3RVER',
    S3_SECRET_ACCESS_KEY: 'S3RVER',
    ADMIN_API_KEYS: KEY,
    ALIAS_REFRESH_SECONDS: '1',
    CAPTURE_FLUSH_SECONDS: String(FLUSH_SECONDS),
    CAPTURE_FLUSH_RECORDS: '100000',
    // Short enough that a fault shows within a test, long enough that a loaded machine (two busy
    // loops beside the suite) does not turn slow answers into faults: at 2 s and a 3 s lock, a
    // retrain process took longer than the lock to start and 30 concurrent traffic PUTs timed out.
    S3_CONNECT_TIMEOUT_SECONDS: '2',
    S3_REQUEST_TIMEOUT_SECONDS: String(STORE_TIMEOUT_SECONDS),
    RETRAIN_LOCK_SECONDS: String(LOCK_SECONDS),
    RETRAIN_HEARTBEAT_SECONDS: '1',
    LOG_LEVEL: 'error',
    DEFAULT_TRAINING_DATA: subsetCsv(
      'data/credit_score_customers_raw.csv',
      900,
      join(tempDir('chaos-data'), 'default.csv'),
    ),
  };
  [npmStart, server] = await Promise.all([
    startNpmStart({ ...env, DATA_DIR: tempDir('chaos-npm-start') }),
    startServer(env, { ready: true }),
  ]);
}, 240_000);

afterAll(async () => {
  await Promise.all([npmStart?.stop(), server?.stop()]);
  await s3?.stop();
});

describe('concurrent admins on two hosts', () => {
  // Retried once while a fault seen before is open: one revision more than the 200s and 504s so far.
  // One cause is fixed (a timed-out write that landed after its resend's read-back:
  // test/document-store.test.ts); each writer now signs its change, so a recurrence prints which
  // writer made the extra revision and what it was answered. Two runs at load 9 (2026-12-07) saw
  // none; at that load a round takes 10 s, hence the time budget.
  it(
    '20 rounds of 30 parallel traffic PUTs always leave a valid policy equal to one of those sent, each revision made by one writer told 200 (each 200 once) or timed out, never by a 409',
    { retry: 1, timeout: 420_000 },
    async () => {
      const policies = [
        { mode: 'single', alias: 'champion' },
        { mode: 'single', alias: 'challenger' },
        {
          mode: 'ab',
          variants: [
            { name: 'a', alias: 'champion', weight: 50 },
            { name: 'b', alias: 'challenger', weight: 50 },
          ],
        },
        { mode: 'bluegreen', blue: 'blue', green: 'green', active: 'green' },
        { mode: 'shadow', champion: 'champion', challenger: 'challenger', sample: 30 },
      ];
      const stored = policies.map((p) => trafficPolicySchema.parse(p));
      // One PUT per host first: the rounds test concurrent writers, and a host's first traffic
      // change also loads its handler (serverless-offline loads a function on its first call),
      // which under 15 concurrent writers on a loaded machine ran past the handler's time budget.
      for (const host of hosts()) expect((await call(host, 'PUT', '/model/traffic', policies[0])).status).toBe(200);
      const start = (await registry.getTraffic(MODEL))?.revision ?? 0;
      // Since the first round: a writer answered 504 may still land in a later round (its handler runs on
      // past the gateway's answer), so the upper bound counts every timed-out writer so far.
      let allOk = 0;
      let allTimedOut = 0;
      // Each writer signs its change (the history keeps the reason): every revision can be traced to the answer its writer got.
      const answered = new Map<string, number>();
      const traced = async (): Promise<string> =>
        (await registry.history(MODEL))
          .filter((e) => e.kind === 'traffic' && e.revision > start)
          .map((e) => `${(e as { revision: number }).revision}: ${e.reason} (${answered.get(e.reason) ?? 'not ours'})`)
          .join('\n');
      for (let round = 0; round < 20; round++) {
        const before = (await registry.getTraffic(MODEL))?.revision ?? 0;
        const answers = await Promise.all(
          Array.from({ length: 30 }, async (_, i) => {
            const reason = `chaos round ${round} writer ${i}`;
            const answer = await call(hosts()[i % 2], 'PUT', '/model/traffic', policies[(round + i * 3) % 5], true, {
              'x-change-reason': reason,
            });
            answered.set(reason, answer.status);
            return answer;
          }),
        );
        const statuses = answers.map((a) => a.status);
        // 200 or 409; on a loaded machine a writer that kept losing the race may run past the
        // handler's budget (504): its outcome is unknown to it, as to any client of a gateway
        // timeout, so it may or may not have made a revision. Every 200 made exactly one.
        expect(
          statuses.every((s) => s === 200 || s === 409 || s === 504),
          `round ${round}: ${statuses.join(',')}`,
        ).toBe(true);
        const doc = (await registry.getTraffic(MODEL))!; // parsed against its schema: valid JSON, a valid policy
        expect(stored).toContainEqual(doc.policy);
        const [ok, timedOut] = [200, 504].map((status) => statuses.filter((s) => s === status).length);
        expect(ok).toBeGreaterThan(0);
        allOk += ok;
        allTimedOut += timedOut;
        expect(doc.revision - before).toBeGreaterThanOrEqual(ok);
        if (doc.revision - start > allOk + allTimedOut) {
          // Printed as well as failed: a retried run that passes still leaves the trace in the log.
          const trace = `round ${round}: ${doc.revision - start} revisions for ${allOk} 200s and ${allTimedOut} 504s:\n${await traced()}`;
          console.warn(trace);
          expect.fail(trace);
        }
      }
      // Every revision is a writer's that was told 200 (each exactly once) or whose gateway timed out, never a 409's.
      const events = (await registry.history(MODEL)).filter((e) => e.kind === 'traffic' && e.revision > start);
      const makers = events.map((e) => answered.get(e.reason));
      expect(
        makers.filter((status) => status !== 200 && status !== 504),
        await traced(),
      ).toEqual([]);
      const okReasons = [...answered].filter(([, status]) => status === 200).map(([reason]) => reason);
      expect(
        events
          .filter((e) => answered.get(e.reason) === 200)
          .map((e) => e.reason)
          .sort(),
      ).toEqual(okReasons.sort());
    },
  );

  it('50 concurrent promotes and rollbacks between two versions leave one unbroken history chain with one event per 200 (and at most one per timed-out mover)', async () => {
    const before = (await registry.history(MODEL, 'champion')).length;
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        i % 2 === 0
          ? call(hosts()[i % 4 === 0 ? 0 : 1], 'POST', '/model/promote', { alias: 'champion', version: v[(i / 2) % 2] })
          : call(hosts()[(i + 1) % 4 === 0 ? 0 : 1], 'POST', '/model/rollback', { alias: 'champion' }),
      ),
    );
    const ok = answers.filter((a) => a.status === 200);
    // 504: a loaded host ran past its gateway's time budget; the move may or may not have been made
    // (and may still be made: its handler runs on), so the history is read once it stops growing.
    const timedOut = answers.filter((a) => a.status === 504).length;
    expect(
      answers.every((a) => a.status === 200 || a.status === 409 || a.status === 504),
      answers.map((a) => a.status).join(','),
    ).toBe(true);
    expect(ok.length).toBeGreaterThan(10);
    let history = await registry.history(MODEL, 'champion');
    for (let i = 0; i < 30 && timedOut > 0; i++) {
      await sleep(1_000);
      const again = await registry.history(MODEL, 'champion');
      if (again.length === history.length) break;
      history = again;
    }
    expect(history.length - before).toBeGreaterThanOrEqual(ok.length);
    expect(history.length - before).toBeLessThanOrEqual(ok.length + timedOut);
    const recorded = new Set(history.slice(before).map((e) => e.eventId));
    expect(ok.map((a) => a.json.event.eventId as string).filter((id) => !recorded.has(id))).toEqual([]);
    expectUnbrokenChain(history);
    const pointer = (await registry.getAlias(MODEL, 'champion'))!;
    expect(pointer.event.eventId).toBe(history[history.length - 1].eventId);
  }, 120_000);
});

describe('the canary controller, run by two hosts at once', () => {
  const customers = (from: number, n: number): string[] => Array.from({ length: n }, (_, i) => `CUS_chaos_${from + i}`);
  const predict = async (ids: string[]): Promise<void> => {
    for (let i = 0; i < ids.length; i += 8)
      await Promise.all(
        ids
          .slice(i, i + 8)
          .map((id, j) =>
            call(hosts()[j % 2], 'POST', '/predict', record(id), false).then((r) => expect(r.status).toBe(200)),
          ),
      );
  };

  beforeAll(async () => {
    expect((await call(npmStart.url, 'PUT', '/model/traffic', { mode: 'single', alias: 'champion' })).status).toBe(200);
    await registry.moveAlias(MODEL, 'champion', v[0], { reason: 'canary setup', actor: 'chaos' });
    await registry.moveAlias(MODEL, 'challenger', v[1], { reason: 'canary setup', actor: 'chaos' });
  });

  it('10 concurrent checks (and the minute schedule) make at most one decision per step, through every step to the promotion', async () => {
    const canary = {
      mode: 'canary',
      champion: 'champion',
      challenger: 'challenger',
      steps: [20, 50, 100],
      stepMinutes: 0.001,
      bounds: { minRequests: 3 },
    };
    const put = await call(server.url, 'PUT', '/model/traffic', canary);
    expect(put.status).toBe(200);
    const first = put.json.revision as number;
    let applied = 0;
    for (let round = 0; round < 8 && (await registry.getTraffic(MODEL))!.policy.mode === 'canary'; round++) {
      await sleep(1500); // both hosts pick the step up (refresh 1 s)
      await predict(customers(round * 60, 60));
      await sleep((FLUSH_SECONDS + 1.5) * 1000); // the answers reach storage
      const checks = await Promise.all(
        Array.from({ length: 10 }, (_, i) => call(hosts()[i % 2], 'POST', '/model/canary/check')),
      );
      expect(checks.map((c) => c.status)).toEqual(Array(10).fill(200));
      // Of ten runs judging the same step, at most one acts; the others find the revision moved on.
      const acted = checks.filter((c) => c.json.applied);
      expect(
        acted.length,
        checks.map((c) => `${c.json.decision?.action}:${c.json.applied}`).join(' '),
      ).toBeLessThanOrEqual(1);
      applied += acted.length;
    }
    expect(applied).toBeGreaterThan(0);
    // Whoever acted (these checks or npm start's minute schedule), each step was decided once.
    const decisions = (await registry.history(MODEL)).filter(
      (e) => e.kind === 'traffic' && e.actor === 'canary-controller' && e.revision > first,
    );
    expect(decisions.map((e) => e.reason.split(':')[0])).toEqual([
      'canary advanced to 50%',
      'canary advanced to 100%',
      `canary promoted challenger (${v[1]}) at 100%`,
    ]);
    expect(decisions.map((e) => (e.kind === 'traffic' ? e.revision : 0))).toEqual([first + 1, first + 2, first + 3]);
    for (const revision of [first, first + 1, first + 2])
      expect(await store.list(keys.canaryDecision(MODEL, revision))).toHaveLength(1);
    expect((await registry.getAlias(MODEL, 'champion'))!.version).toBe(v[1]);
    const traffic = (await registry.getTraffic(MODEL))!;
    expect(traffic.policy).toEqual({ mode: 'single', alias: 'champion' });
    expect(traffic.pendingPromotion).toBeUndefined();
  }, 120_000);

  it('counts a 300-row batch as one latency sample per variant', async () => {
    await registry.moveAlias(MODEL, 'champion', v[0], { reason: 'batch setup', actor: 'chaos' });
    const canary = {
      mode: 'canary',
      champion: 'champion',
      challenger: 'challenger',
      steps: [50, 100],
      stepMinutes: 60,
      bounds: { minRequests: 1000 },
    };
    expect((await call(npmStart.url, 'PUT', '/model/traffic', canary)).status).toBe(200);
    await sleep(1500);
    const since = Date.now();
    const batch = await call(
      npmStart.url,
      'POST',
      '/predict',
      { instances: customers(10_000, 300).map(record) },
      false,
    );
    expect(batch.status).toBe(200);
    const variants = new Set(batch.json.predictions.map((p: { model: { variant: string } }) => p.model.variant));
    expect(variants).toEqual(new Set(['champion', 'challenger']));
    const records = await until(
      'the batch in storage',
      async () => {
        const found = (await readCaptures(store, MODEL, since)).records.filter(
          (r) => r.requestId === batch.json.requestId,
        );
        return found.length === 300 ? found : undefined;
      },
      (FLUSH_SECONDS + 4) * 1000,
    );
    const sampled = records.filter((r) => r.latencyMs !== undefined);
    expect(sampled.map((r) => r.variant).sort()).toEqual(['challenger', 'champion']);
    const check = await call(server.url, 'POST', '/model/canary/check');
    expect(check.json.decision.numbers).toMatchObject({ challengerLatencySamples: 1, championLatencySamples: 1 });
    expect(check.json.decision.numbers.challengerRequests).toBe(
      records.filter((r) => r.variant === 'challenger').length,
    );
    expect((await call(npmStart.url, 'PUT', '/model/traffic', { mode: 'single', alias: 'champion' })).status).toBe(200);
  }, 60_000);
});

describe('a store that fails', () => {
  it('gets captured answers into storage by the flush timer alone, without new traffic', async () => {
    await sleep(1500);
    const since = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < 10; i++)
      ids.push((await call(hosts()[i % 2], 'POST', '/predict', record(`CUS_flush_${i}`), false)).json.requestId);
    // No more traffic: only the flush timer can write them (polled; the wait is a bound on a hang, not a speed check).
    await until(
      'every answer in storage',
      async () => {
        const stored = await capturedRequestIds(since);
        return ids.every((id) => stored.has(id)) ? true : undefined;
      },
      (FLUSH_SECONDS * 4 + 10) * 1000,
    );
  }, 60_000);

  it('with the store down: predictions still answer, every route that needs storage answers 503 with retry-after, /health says why without hosts', async () => {
    await s3.stop();
    const since = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await call(hosts()[i % 2], 'POST', '/predict', record(`CUS_outage_${i}`), false);
      expect(r.status).toBe(200);
      ids.push(r.json.requestId);
    }
    const needsStorage: [string, string, unknown?][] = [
      ['GET', '/model/history'],
      ['PUT', '/model/traffic', { mode: 'single', alias: 'champion' }],
      ['POST', '/model/promote', { alias: 'champion', version: v[0] }],
      ['POST', '/model/rollback', { alias: 'champion' }],
      ['POST', '/feedback', { requestId: ids[0], actual: 'Good' }],
      ['POST', '/model/retrain', { cv: 2 }],
      ['GET', `/model/retrain/${timeOrderedId()}`],
      ['GET', '/model/report'],
      ['GET', '/drift/latest'],
      ['POST', '/drift/check', {}],
      ['POST', '/model/canary/check'],
      ['POST', '/model/housekeeping'],
    ];
    for (const host of hosts()) {
      for (const [method, path, body] of needsStorage) {
        const r = await call(host, method, path, body);
        expect(r.status, `${method} ${path} on ${host === npmStart.url ? 'npm start' : 'node:http'}: ${r.text}`).toBe(
          503,
        );
        expect(r.headers.get('retry-after')).toBe('5');
        expect(r.json.error).toMatchObject({
          code: 'unavailable',
          message: expect.stringMatching(/^storage unavailable: connection refused/),
        });
      }
      for (const path of ['/model/info', '/model/traffic', '/metrics'])
        expect((await call(host, 'GET', path, undefined, false)).status, path).toBe(200);
    }
    await sleep((FLUSH_SECONDS + 1.5) * 1000);
    for (const host of hosts()) {
      const health = await call(host, 'GET', '/health', undefined, false);
      expect(health.status).toBe(200);
      expect(health.json).toMatchObject({
        status: 'degraded',
        ready: true,
        storage: { reachable: false },
        capture: { status: 'degraded' },
      });
      expect(health.json.reasons).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^storage unavailable: connection refused/),
          expect.stringMatching(/captured predictions are not being written/),
        ]),
      );
      expect(health.text).not.toMatch(new RegExp(`127\\.0\\.0\\.1|${s3Port}|/tmp/`));
    }
    // The store comes back: the batches that failed are written, and later ones flow again.
    s3 = await startS3Process(s3Dir, s3Port, BUCKET);
    const after = (await call(server.url, 'POST', '/predict', record('CUS_after_outage'), false)).json.requestId;
    await until(
      'the outage answers and the next one in storage',
      async () => {
        const stored = await capturedRequestIds(since);
        return [...ids, after].every((id) => stored.has(id)) ? true : undefined;
      },
      15_000,
    );
    for (const host of hosts()) {
      await until(
        'capture healthy again',
        async () =>
          (await call(host, 'GET', '/health', undefined, false)).json.capture.status === 'ok' ? true : undefined,
        10_000,
      );
      expect((await call(host, 'GET', '/metrics', undefined, false)).text).toMatch(
        /credit_score_background_failures_total\{task="capture-flush"[^}]*\} [1-9]/,
      );
    }
  }, 120_000);

  it('with the store paused (SIGSTOP), /predict answers every request on both hosts while reads that need the store time out, under a shadow it cannot load', async () => {
    // A shadow whose only version never loads (no earlier one to fall back to): a request must not wait for it either.
    const { version: bad } = await registry.publish(MODEL, files, { createdBy: 'chaos' });
    await store.put(keys.versionFile(MODEL, bad, 'ensemble.bin'), new Uint8Array([1, 2, 3]));
    await registry.docs.create(keys.alias(MODEL, 'broken'), aliasDocumentSchema, {
      alias: 'broken',
      version: bad,
      event: {
        kind: 'alias',
        eventId: timeOrderedId(),
        at: new Date().toISOString(),
        name: MODEL,
        alias: 'broken',
        from: null,
        to: bad,
        previousEventId: null,
        reason: 'fault injection',
        actor: 'chaos',
      },
    });
    expect(
      (
        await call(npmStart.url, 'PUT', '/model/traffic', {
          mode: 'shadow',
          champion: 'champion',
          challenger: 'broken',
        })
      ).status,
    ).toBe(200);
    await sleep(2500); // both hosts took the policy and tried the shadow
    process.kill(-s3.pid, 'SIGSTOP');
    const statuses = new Map<number, number>();
    let admin: Answer | undefined;
    let health: Answer | undefined;
    try {
      // Reads that need the store, started first: they can only end by timing out, which proves
      // the store stayed unreachable while every prediction below was answered.
      const adminCall = call(server.url, 'GET', '/model/history').then((r) => (admin = r));
      const healthCall = call(npmStart.url, 'GET', '/health', undefined, false).then((r) => (health = r));
      let sent = 0;
      await Promise.all(
        Array.from({ length: 4 }, async (_, loop) => {
          while (sent < 800) {
            const i = sent++;
            const r = await call(hosts()[(i + loop) % 2], 'POST', '/predict', record(`CUS_paused_${i % 500}`), false);
            statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          }
        }),
      );
      await Promise.all([adminCall, healthCall]);
      // Still paused: nothing above was answered by a store that came back.
      expect(readFileSync(`/proc/${s3.pid}/stat`, 'utf8').split(') ')[1][0]).toBe('T');
    } finally {
      process.kill(-s3.pid, 'SIGCONT');
    }
    // The store is back: the policy can be set again (once the server has worked off what waited).
    // Polled: on a loaded machine the resumed store works off what queued up while it was paused
    // before it answers the hosts in time again (it took over 30 s in one CI run).
    await until(
      'the policy set back',
      async () =>
        (await call(npmStart.url, 'PUT', '/model/traffic', { mode: 'single', alias: 'champion' })).status === 200
          ? true
          : undefined,
      120_000,
    );
    expect(Object.fromEntries(statuses)).toEqual({ 200: 800 });
    // What needs the store waits at most its timeout, then says so.
    expect(admin!.status).toBe(503);
    expect(admin!.json.error.message).toMatch(
      new RegExp(`^storage unavailable: timed out after ${STORE_TIMEOUT_SECONDS * 1000} ms`),
    );
    expect(health!.json).toMatchObject({ ready: true, storage: { reachable: false } });
  }, 180_000);
});

/** Fault injection: points an alias at a version without the registry's verification (as if it went bad after its promotion). */
async function pointAliasUnverified(alias: string, version: string): Promise<void> {
  await registry.docs.update(keys.alias(MODEL, alias), aliasDocumentSchema, (current) => ({
    write: {
      alias,
      version,
      event: {
        ...current!.value.event,
        eventId: timeOrderedId(),
        from: current!.value.version,
        to: version,
        previousEventId: current!.value.event.eventId,
        reason: 'fault injection',
      },
    },
    result: undefined,
  }));
}

describe('only verified versions serve', () => {
  it('refuses to promote a corrupted version, and a cold start whose alias points at one serves the last good version and says so', async () => {
    const good = (await registry.getAlias(MODEL, 'champion'))!.version;
    const { version: bad } = await registry.publish(MODEL, files, { createdBy: 'chaos' });
    const key = keys.versionFile(MODEL, bad, 'ensemble.bin');
    const { bytes } = (await store.get(key))!;
    bytes[bytes.length - 1] ^= 0xff;
    await store.put(key, bytes);
    const promote = await call(server.url, 'POST', '/model/promote', { alias: 'champion', version: bad });
    expect(promote.status).toBe(422);
    expect((await registry.getAlias(MODEL, 'champion'))!.version).toBe(good);
    // Fault injection: the alias points at it anyway (a version that went bad after its promotion).
    await pointAliasUnverified('champion', bad);
    const cold = await startServer(env, { ready: true });
    try {
      const health = await call(cold.url, 'GET', '/health', undefined, false);
      expect(health.status).toBe(200);
      expect(health.json).toMatchObject({
        status: 'degraded',
        ready: true,
        model: { version: good, pointer: bad, fallback: { wanted: bad, serving: good } },
      });
      expect(health.json.reasons.join(' ')).toMatch(/ensemble\.bin fails its sha256 check/);
      const r = await call(cold.url, 'POST', '/predict', record('CUS_cold'), false);
      expect(r.json.model.version).toBe(good);
    } finally {
      await cold.stop();
      await registry.moveAlias(MODEL, 'champion', good, { reason: 'repair after fault injection', actor: 'chaos' });
    }
  }, 90_000);
});

describe('jobs end', () => {
  const finished = (host: string, jobId: string, timeoutMs: number): Promise<Json> =>
    until(
      `job ${jobId} to end`,
      async () => {
        const r = await call(host, 'GET', `/model/retrain/${jobId}`);
        return ['succeeded', 'failed'].includes(r.json.status) ? r.json : undefined;
      },
      timeoutMs,
    );

  it('a killed job is marked failed once its heartbeat is older than the lock expiry, and frees the way for the next', async () => {
    const start = await call(server.url, 'POST', '/model/retrain', { cv: 5, classifiers: ['rf', 'xgb'] });
    expect(start.status, start.text).toBe(202);
    const jobId = start.json.jobId as string;
    await until(
      'the job to run',
      async () =>
        (await call(server.url, 'GET', `/model/retrain/${jobId}`)).json.status === 'running' ? true : undefined,
      20_000,
    );
    expect(killProcessesRunning(`--job ${jobId}`)).toBe(1);
    // Dead once its last heartbeat is older than the lock: the wait bounds a hang, it does not time the check.
    const dead = await finished(npmStart.url, jobId, (LOCK_SECONDS + 30) * 1000);
    expect(dead).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/the job is dead: its process stopped sending heartbeats/),
    });
    const next = await call(npmStart.url, 'POST', '/model/retrain', {
      cv: 2,
      classifiers: ['xgb'],
      samplers: ['none'],
    });
    expect(next.status, next.text).toBe(202);
    const done = await finished(npmStart.url, next.json.jobId, 90_000);
    expect(done.status, JSON.stringify(done)).toBe('succeeded');
  }, 150_000);

  it('a runner that is refused fails the job with the answer it got and frees the lock', async () => {
    // This host starts retrains as Kubernetes Jobs, and RBAC refuses its service account the create.
    const template = parseAllDocuments(readFileSync('k8s-fallback/base/retrain-job-template.yaml', 'utf8'))[0]!.toJS();
    const kubernetes = await startFakeKubernetesApi({
      namespace: 'credit-score',
      cronJobs: [template],
      forbid: ['create'],
    });
    const caller = await startServer({
      ...env,
      RETRAIN_RUNNER: 'kubernetes',
      KUBERNETES_API_URL: kubernetes.url,
      KUBERNETES_SERVICE_ACCOUNT_DIR: kubernetes.accountDir,
    });
    try {
      const r = await call(caller.url, 'POST', '/model/retrain', {});
      expect(r.status).toBe(503);
      expect(r.json.error.message).toMatch(
        /could not start the job: POST \/apis\/batch\/v1\/namespaces\/credit-score\/jobs answered 403: jobs.batch is forbidden/,
      );
      const jobs = await store.list('jobs/');
      const job = JSON.parse(new TextDecoder().decode((await store.get(jobs[jobs.length - 1]))!.bytes));
      expect(job).toMatchObject({ status: 'failed', error: expect.stringMatching(/answered 403/) });
      const next = await call(server.url, 'POST', '/model/retrain', {
        cv: 2,
        classifiers: ['xgb'],
        samplers: ['none'],
      });
      expect(next.status, next.text).toBe(202);
      const ended = await finished(server.url, next.json.jobId, 90_000);
      expect(ended.status, JSON.stringify(ended)).toBe('succeeded');
    } finally {
      await caller.stop();
      await kubernetes.close();
    }
  }, 150_000);

  it('housekeeping deletes versions that never got a manifest once old enough, and keeps young ones', async () => {
    const old = '20200101T000000000Z-0a0b0c';
    const young = timeOrderedId();
    for (const version of [old, young])
      await store.put(keys.versionFile(MODEL, version, 'ensemble.bin'), new Uint8Array([1, 2, 3]));
    const r = await call(npmStart.url, 'POST', '/model/housekeeping');
    expect(r.status).toBe(200);
    expect(r.json.removedVersions).toEqual([{ model: MODEL, version: old, files: 1 }]);
    expect(r.json.keptIncomplete).toContainEqual({ model: MODEL, version: young });
    expect(await registry.listIncompleteVersions(MODEL)).not.toContain(old);
  });
});

describe('stopping', () => {
  // Its old intermittent fault (every answer of one host lost) was the tsx command line SIGKILLing a
  // busy server 60 ms after the signal: test/launcher-signals.test.ts.
  it('both hosts write what they still buffer when told to stop (SIGTERM)', { timeout: 120_000 }, async () => {
    // A flush interval far beyond the test: only the shutdown can write these.
    // Shutdown's own budget well inside the stopper's grace: a loaded machine's store may need a retry.
    const quiet = { ...env, CAPTURE_FLUSH_SECONDS: '3600', SHUTDOWN_FLUSH_SECONDS: '15' };
    const [x, y] = await Promise.all([
      startNpmStart({ ...quiet, DATA_DIR: tempDir('chaos-stop') }),
      startServer(quiet, { ready: true }),
    ]);
    const since = Date.now();
    const ids: string[] = [];
    const hostOf = new Map<string, string>();
    for (const [name, host] of [
      ['npm start', x.url],
      ['node:http', y.url],
    ]) {
      for (let i = 0; i < 3; i++) {
        const id = (await call(host, 'POST', '/predict', record(`CUS_stop_${i}`), false)).json.requestId as string;
        ids.push(id);
        hostOf.set(id, name);
      }
    }
    await sleep(500);
    const before = await capturedRequestIds(since);
    expect(ids.filter((id) => before.has(id))).toEqual([]);
    await Promise.all([x.stop(), y.stop()]);
    const after = await capturedRequestIds(since);
    const missing = ids.filter((id) => !after.has(id));
    // On a failure, what the store holds (the fault is intermittent: the evidence is in this message).
    const held = missing.length ? (await store.list(keys.captureDay(MODEL, dayOf(since)))).join(', ') : '';
    expect(
      missing.map((id) => `${id} served by ${hostOf.get(id)}`),
      `sent ${ids.join(', ')}; stored batches: ${held}; hosts' output: ${x.output().slice(-1500)} ${y.output().slice(-1500)}`,
    ).toEqual([]);
  });
});

describe('npm start hosts every function in one process', () => {
  it('shows the predictions it served in /metrics', async () => {
    const metrics = (await call(npmStart.url, 'GET', '/metrics', undefined, false)).text;
    const served = [...metrics.matchAll(/^credit_score_predictions_total\{[^}]*\} (\d+)$/gm)].reduce(
      (n, m) => n + Number(m[1]),
      0,
    );
    expect(served).toBeGreaterThan(300);
  });
});
