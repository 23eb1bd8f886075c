/**
 * The promotion policy through the admin API (functions/promotion-policy*.ts, promote.ts,
 * traffic.ts) over the embedded S3 server: stored with a revision, refusing a promote, a canary
 * start and a blue-green switch with each failed gate named, moved by force with a reason that
 * the history keeps, and never in a rollback's way. The versions are a real trained model.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../lib/registry/model-registry.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { trainSmallModel } from './helpers.ts';
import { startInProcessApi, type InProcessApi } from './in-process-api.ts';
import { startTestS3, TEST_BUCKET } from './s3.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies
type Json = any;

describe('the promotion policy through the admin API', () => {
  const KEY = 'policy-admin-key-0123456789';
  /** A named viewer: may read the policy, not change it. */
  const VIEWER_KEY = 'policy-viewer-key-0123456789';
  const MODEL = 'credit-score';
  let s3: EmbeddedS3;
  let registry: ModelRegistry;
  let api: InProcessApi;
  /** Two versions of the small model; the champion starts at the first. */
  let v1: string;
  let v2: string;
  /** The second version's numbers, as its metrics.json has them. */
  let auc: number;
  let ece: number;

  async function call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; json: Json; headers: Headers }> {
    const r = await fetch(api.url + path, {
      method,
      headers: { 'content-type': 'application/json', 'x-api-key': KEY, ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    return { status: r.status, json: await r.json(), headers: r.headers };
  }
  const fields = (r: { json: Json }): string[] => r.json.error.details.map((d: { field: string }) => d.field);
  const versionOf = async (alias: string): Promise<string | undefined> =>
    (await registry.getAlias(MODEL, alias))?.version;
  /** As the policy quotes numbers: six significant digits. */
  const shown = (x: number): string => String(Number(x.toPrecision(6)));
  // One approval: this file is about the gates; four eyes (approvals >= 2) is test/four-eyes-api.test.ts's.
  /** The gates the strict policy below fails for either version of the small model (no sensitive column, no calibration). */
  const STRICT = {
    minAuc: 0.999,
    maxCalibrationError: 0.0001,
    maxDemographicParityGap: 0.2,
    requiredCardFields: ['calibration', 'data'],
    approvals: 1,
  };
  const STRICT_FAILED = ['minAuc', 'maxCalibrationError', 'maxDemographicParityGap', 'requiredCardFields.calibration'];

  beforeAll(async () => {
    const started = await startTestS3();
    s3 = started.s3;
    registry = new ModelRegistry(started.store);
    const small = await trainSmallModel();
    v1 = (await registry.publish(MODEL, small.files, { createdBy: 'test' })).version;
    v2 = (await registry.publish(MODEL, small.files, { createdBy: 'test' })).version;
    const metrics = JSON.parse(
      new TextDecoder().decode((await registry.versionObject(MODEL, v2, 'metrics.json'))!.bytes),
    );
    auc = metrics.ranking.roc_auc;
    ece = metrics.calibration.ece;
    await registry.moveAlias(MODEL, 'champion', v1, { reason: 'first', actor: 'test' });
    api = await startInProcessApi({
      MODEL_BUCKET: TEST_BUCKET,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      ADMIN_API_KEYS: `${KEY},vera:viewer:${VIEWER_KEY}`,
      ALIAS_REFRESH_SECONDS: '0.3',
      LOG_LEVEL: 'silent',
    });
  }, 300_000);
  afterAll(async () => {
    await api?.close();
    await s3?.close();
  });

  it('answers no policy at revision 0 (no gate, one approval), then stores one with If-Match and reads it back at revision 1', async () => {
    const none = await call('GET', '/model/policy');
    expect(none.status).toBe(200);
    expect(none.json).toMatchObject({ model: MODEL, policy: { approvals: 1 }, revision: 0, since: null });
    expect(none.headers.get('etag')).toBe('"0"');
    const put = await call(
      'PUT',
      '/model/policy',
      { ...STRICT, reason: 'credit committee of December' },
      { 'if-match': '"0"' },
    );
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ policy: STRICT, revision: 1 });
    expect(put.headers.get('etag')).toBe('"1"');
    const read = await call('GET', '/model/policy');
    expect(read.json).toMatchObject({ policy: STRICT, revision: 1, since: put.json.since });
    expect(read.headers.get('etag')).toBe('"1"');
    // The change is in the history, with who and why.
    const events = (await call('GET', '/model/history')).json.events;
    expect(events.at(-1)).toMatchObject({
      kind: 'policy',
      eventId: put.json.eventId,
      revision: 1,
      from: null,
      to: STRICT,
      reason: 'credit committee of December',
      actor: expect.stringMatching(/\(approver, legacy api key\)$/),
    });
  });

  it('lets a viewer read the policy but not change it (403)', async () => {
    const asViewer = { 'x-api-key': VIEWER_KEY };
    expect((await call('GET', '/model/policy', undefined, asViewer)).json).toMatchObject({
      policy: STRICT,
      revision: 1,
    });
    const r = await call('PUT', '/model/policy', { minAuc: 0.5 }, asViewer);
    expect(r.status).toBe(403);
    expect((await call('GET', '/model/policy')).json.revision).toBe(1);
  });

  it('refuses a change made on a revision that moved on (409), and a malformed If-Match (400)', async () => {
    const stale = await call('PUT', '/model/policy', { minAuc: 0.5 }, { 'if-match': '"0"' });
    expect(stale.status).toBe(409);
    expect(stale.json.error.message).toMatch(/at revision 1, not 0/);
    expect((await call('PUT', '/model/policy', { minAuc: 0.5 }, { 'if-match': 'yesterday' })).status).toBe(400);
    expect((await call('GET', '/model/policy')).json).toMatchObject({ policy: STRICT, revision: 1 });
  });

  it('refuses a bad policy with 422 naming each bad field, and keeps the one stored', async () => {
    const r = await call('PUT', '/model/policy', {
      minAuc: 1.5,
      approvals: 0,
      requiredCardFields: ['nowhere'],
      minGini: 0.4,
    });
    expect(r.status).toBe(422);
    expect(fields(r).sort()).toEqual(['(body)', 'approvals', 'minAuc', 'requiredCardFields.0']);
    expect(r.json.error.details.find((d: { field: string }) => d.field === '(body)').message).toBe(
      'unknown field(s): minGini',
    );
    expect((await call('GET', '/model/policy')).json.revision).toBe(1);
  });

  it('refuses a promote that fails the policy with 409 policy_refused, each failed gate named with the number and the limit, and moves nothing', async () => {
    const before = (await registry.history(MODEL)).length;
    const r = await call('POST', '/model/promote', { alias: 'champion', version: v2 });
    expect(r.status).toBe(409);
    expect(r.json.error.code).toBe('policy_refused');
    expect(fields(r)).toEqual(STRICT_FAILED);
    const message = (field: string): string =>
      r.json.error.details.find((d: { field: string }) => d.field === field).message;
    expect(message('minAuc')).toBe(`ROC AUC ${shown(auc)} is below the minimum 0.999`);
    expect(message('maxCalibrationError')).toBe(`calibration error (ECE) ${shown(ece)} is above the maximum 0.0001`);
    expect(message('maxDemographicParityGap')).toMatch(/is missing \(no fairness report/);
    expect(message('requiredCardFields.calibration')).toBe(
      "the model card's calibration is empty (null); the policy requires it",
    );
    expect(r.json.error.message).toMatch(/fails the promotion policy \(revision 1\)/);
    // A dry run answers the same verdict, and moves nothing either.
    const dry = await call('POST', '/model/promote', { alias: 'champion', version: v2, dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.json).toMatchObject({
      dryRun: true,
      from: v1,
      to: v2,
      differences: [],
      policy: { revision: 1, failed: r.json.error.details },
    });
    expect(await versionOf('champion')).toBe(v1);
    expect((await registry.history(MODEL)).length).toBe(before);
  });

  it('moves it with force and a reason (400 without one), and the history keeps the failed gates', async () => {
    expect((await call('POST', '/model/promote', { alias: 'champion', version: v2, force: true })).status).toBe(400);
    const r = await call('POST', '/model/promote', {
      alias: 'champion',
      version: v2,
      force: true,
      reason: 'the committee accepts it until the fairness data arrives',
    });
    expect(r.status).toBe(200);
    expect(await versionOf('champion')).toBe(v2);
    const event = (await call('GET', '/model/history?alias=champion')).json.events.at(-1);
    expect(event).toMatchObject({
      eventId: r.json.event.eventId,
      from: v1,
      to: v2,
      reason: 'the committee accepts it until the fairness data arrives',
      details: { policy: { revision: 1, forced: true } },
    });
    expect(event.details.policy.failed.map((f: { field: string }) => f.field)).toEqual(STRICT_FAILED);
    expect(event.details.contract).toBeUndefined();
  });

  it('never gates a rollback: it goes back to a version that fails the policy too', async () => {
    const r = await call('POST', '/model/rollback', { alias: 'champion' });
    expect(r.status).toBe(200);
    expect(r.json.event).toMatchObject({ from: v2, to: v1 });
    expect(r.json.event.details.policy).toBeUndefined();
    expect(await versionOf('champion')).toBe(v1);
  });

  it('refuses a canary on a challenger that fails the policy (409, fields named after the alias) until forced, and records the gates', async () => {
    await registry.moveAlias(MODEL, 'challenger', v2, {
      reason: 'candidate (the registry alone gates nothing)',
      actor: 'test',
    });
    const revision = (await registry.getTraffic(MODEL))?.revision ?? null;
    const canary = { mode: 'canary', champion: 'champion', challenger: 'challenger' };
    const r = await call('PUT', '/model/traffic', canary);
    expect(r.status).toBe(409);
    expect(r.json.error.code).toBe('policy_refused');
    expect(fields(r)).toEqual(STRICT_FAILED.map((f) => `challenger.${f}`));
    expect(r.json.error.details[0].message).toBe(
      `challenger (${v2}): ROC AUC ${shown(auc)} is below the minimum 0.999`,
    );
    expect((await registry.getTraffic(MODEL))?.revision ?? null).toBe(revision);
    const forced = await call('PUT', '/model/traffic?force=true', canary, {
      'x-change-reason': 'a 5% canary to learn its real numbers',
    });
    expect(forced.status).toBe(200);
    const doc = (await registry.getTraffic(MODEL))!;
    expect(doc.event.details).toMatchObject({ policy: { revision: 1, forced: true } });
    // Leaving the canary (back to one alias) is not gated.
    expect((await call('PUT', '/model/traffic', { mode: 'single', alias: 'champion' })).status).toBe(200);
  });

  it('refuses a blue-green switch to a version that fails the policy, but not setting blue-green with the serving alias active', async () => {
    const policy = { mode: 'bluegreen', blue: 'champion', green: 'challenger', active: 'blue' };
    expect((await call('PUT', '/model/traffic', policy)).status).toBe(200);
    const r = await call('PUT', '/model/traffic', { ...policy, active: 'green' });
    expect(r.status).toBe(409);
    expect(r.json.error.code).toBe('policy_refused');
    expect(fields(r)).toEqual(STRICT_FAILED.map((f) => `challenger.${f}`));
    expect((await registry.getTraffic(MODEL))!.policy).toMatchObject({ active: 'blue' });
  });

  it('lets a version that passes every gate move without a mark', async () => {
    const put = await call(
      'PUT',
      '/model/policy',
      { minAuc: 0.5, maxCalibrationError: 0.5, requiredCardFields: ['data'], reason: 'looser' },
      { 'if-match': '"1"' },
    );
    expect(put.json.revision).toBe(2);
    const r = await call('POST', '/model/promote', { alias: 'champion', version: v2 });
    expect(r.status).toBe(200);
    expect(r.json.event.details).toBeUndefined();
    expect(
      (
        await call('PUT', '/model/traffic', {
          mode: 'bluegreen',
          blue: 'champion',
          green: 'challenger',
          active: 'green',
        })
      ).status,
    ).toBe(200);
  });
});
