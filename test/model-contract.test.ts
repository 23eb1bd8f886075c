/**
 * A model's contract (lib/registry/model-contract.ts): computed once per version, stored beside
 * its manifest, and compared by every move that points an alias or a traffic route at a version.
 * The incompatible version is a real model (test/incompatible-model.ts); the moves go through
 * the real handlers over real HTTP (node:http adapter, test/in-process-api.ts) against the embedded S3 server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../lib/registry/model-registry.ts';
import { CONTRACT_FILE, diffContracts, type ModelContract } from '../lib/registry/model-contract.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import type { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { keys } from '../lib/state/layout.ts';
import { CountingStore } from './counting-store.ts';
import { trainSmallModel } from './helpers.ts';
import { startInProcessApi, type InProcessApi } from './in-process-api.ts';
import { INCOMPATIBLE_FIELDS, trainIncompatibleModel } from './incompatible-model.ts';
import { startTestS3, TEST_BUCKET } from './s3.ts';

describe('diffContracts', () => {
  const base: ModelContract = {
    name: 'credit-score',
    target: 'Credit_Score',
    classes: ['Good', 'Standard', 'Poor'],
    columns: [
      { column: 'Age', type: 'numeric' },
      { column: 'Credit_Mix', type: 'categorical', ordered: true, categories: ['Bad', 'Standard', 'Good'] },
      { column: 'Type_of_Loan', type: 'multi-label', labels: ['Auto Loan', 'Home Loan'] },
    ],
  };

  it('finds nothing between equal contracts', () => {
    expect(
      diffContracts({ label: 'champion', contract: base }, { label: 'v2', contract: structuredClone(base) }),
    ).toEqual([]);
  });

  it('names each field that differs with both values, the base first', () => {
    const other: ModelContract = {
      name: 'german-credit',
      target: 'risk',
      classes: ['Good', 'Poor', 'Standard'],
      columns: [
        { column: 'Age', type: 'duration' },
        { column: 'Credit_Mix', type: 'categorical', ordered: true, categories: ['Good', 'Standard', 'Bad'] },
        { column: 'Type_of_Loan', type: 'multi-label', labels: ['Auto Loan'] },
        { column: 'Savings', type: 'numeric' },
      ],
    };
    expect(diffContracts({ label: 'champion', contract: base }, { label: 'v2', contract: other })).toEqual([
      { field: 'name', message: 'champion has credit-score, v2 has german-credit' },
      { field: 'target', message: 'champion has Credit_Score, v2 has risk' },
      { field: 'classes', message: 'champion has [Good, Standard, Poor], v2 has [Good, Poor, Standard]' },
      { field: 'columns.Age.type', message: 'champion has numeric, v2 has duration' },
      {
        field: 'columns.Credit_Mix.categories',
        message: 'champion has ordered levels [Bad, Standard, Good], v2 has ordered levels [Good, Standard, Bad]',
      },
      {
        field: 'columns.Type_of_Loan.labels',
        message: 'champion has labels [Auto Loan, Home Loan], v2 has labels [Auto Loan]',
      },
      { field: 'columns.Savings', message: 'v2 takes Savings (numeric), champion does not' },
    ]);
  });

  it('tells ordered levels from unordered categories with the same values', () => {
    const unordered: ModelContract = {
      ...base,
      columns: [
        base.columns[0],
        { column: 'Credit_Mix', type: 'categorical', ordered: false, categories: ['Bad', 'Good', 'Standard'] },
        base.columns[2],
      ],
    };
    expect(diffContracts({ label: 'a', contract: base }, { label: 'b', contract: unordered })).toEqual([
      {
        field: 'columns.Credit_Mix.categories',
        message: 'a has ordered levels [Bad, Standard, Good], b has categories [Bad, Good, Standard]',
      },
    ]);
  });
});

describe('contracts in the registry and through the admin API', () => {
  const KEY = 'contract-admin-key-0123456789';
  const MODEL = 'credit-score';
  let s3: EmbeddedS3;
  let store: S3ObjectStore;
  let registry: ModelRegistry;
  let api: InProcessApi;
  let url: string;
  /** Two versions of the small model (same contract) and one incompatible version. */
  let same: [string, string];
  let other: string;

  async function call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies
  ): Promise<{ status: number; json: any }> {
    const r = await fetch(url + path, {
      method,
      headers: { 'content-type': 'application/json', 'x-api-key': KEY, ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    return { status: r.status, json: await r.json() };
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies
  const fields = (r: { json: any }): string[] => r.json.error.details.map((d: { field: string }) => d.field);
  const versionOf = async (alias: string): Promise<string | undefined> =>
    (await registry.getAlias(MODEL, alias))?.version;
  const historyLength = async (): Promise<number> => (await registry.history(MODEL)).length;

  beforeAll(async () => {
    const started = await startTestS3();
    s3 = started.s3;
    store = started.store;
    registry = new ModelRegistry(store);
    const [small, incompatible] = await Promise.all([trainSmallModel(), trainIncompatibleModel()]);
    same = [
      (await registry.publish(MODEL, small.files, { createdBy: 'test' })).version,
      (await registry.publish(MODEL, small.files, { createdBy: 'test' })).version,
    ];
    other = (await registry.publish(MODEL, incompatible.files, { createdBy: 'test' })).version;
    await registry.moveAlias(MODEL, 'champion', same[0], { reason: 'first', actor: 'test' });
    // An alias that starts at the incompatible version: nothing to compare with yet.
    await registry.moveAlias(MODEL, 'goodbad', other, { reason: 'the binary model', actor: 'test' });
    api = await startInProcessApi({
      MODEL_BUCKET: TEST_BUCKET,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      ADMIN_API_KEYS: KEY,
      ALIAS_REFRESH_SECONDS: '0.3',
      LOG_LEVEL: 'silent',
    });
    url = api.url;
  }, 300_000);
  afterAll(async () => {
    await api?.close();
    await s3?.close();
  });

  it("stores each version's contract beside its manifest, and derives the same one for a version stored without it", async () => {
    const stored = JSON.parse(
      new TextDecoder().decode((await store.get(keys.versionFile(MODEL, same[0], CONTRACT_FILE)))!.bytes),
    );
    expect(stored).toMatchObject({
      name: 'credit-score',
      target: 'Credit_Score',
      classes: ['Good', 'Standard', 'Poor'],
    });
    expect(stored.columns).toContainEqual({ column: 'Credit_History_Age', type: 'duration' });
    expect(stored.columns).toContainEqual({
      column: 'Credit_Mix',
      type: 'categorical',
      ordered: true,
      categories: ['Bad', 'Standard', 'Good'],
    });
    // A version registered before contracts were stored: the same contract from its spec and preprocessor.
    const legacy = (await registry.publish('legacy-contract', (await trainSmallModel()).files, { createdBy: 'test' }))
      .version;
    await store.delete(keys.versionFile('legacy-contract', legacy, CONTRACT_FILE));
    expect(await new ModelRegistry(store).versionContract('legacy-contract', legacy)).toEqual(stored);
    expect((await new ModelRegistry(store).verifyVersion('legacy-contract', legacy)).contract).toEqual(stored);
  });

  it("shows a version's contract in its record (GET /model/versions/{version})", async () => {
    const r = await call('GET', `/model/versions/${other}`);
    expect(r.status).toBe(200);
    expect(r.json.contract).toMatchObject({ name: 'credit-score', target: 'Credit_Score', classes: ['good', 'bad'] });
    expect(r.json.contract.columns).toContainEqual({
      column: 'Num_of_Loan',
      type: 'categorical',
      ordered: false,
      categories: expect.any(Array),
    });
  });

  it('refuses to verify a version whose stored contract says something else than its files', async () => {
    const { version } = await registry.publish('forged-contract', (await trainIncompatibleModel()).files, {
      createdBy: 'test',
    });
    await store.put(
      keys.versionFile('forged-contract', version, CONTRACT_FILE),
      (await store.get(keys.versionFile(MODEL, same[0], CONTRACT_FILE)))!.bytes,
    );
    await expect(new ModelRegistry(store).verifyVersion('forged-contract', version)).rejects.toThrow(
      /contract\.json does not match the version's spec and preprocessor/,
    );
  });

  it('promotes a version with the same contract (200)', async () => {
    const r = await call('POST', '/model/promote', { alias: 'champion', version: same[1] });
    expect(r.status).toBe(200);
    expect(r.json.event).toMatchObject({ from: same[0], to: same[1] });
    expect(r.json.event.details).toBeUndefined();
  });

  it('refuses an incompatible promote with 409 contract_mismatch naming each difference, and moves nothing', async () => {
    const before = await historyLength();
    const r = await call('POST', '/model/promote', { alias: 'champion', version: other, reason: 'looks better' });
    expect(r.status).toBe(409);
    expect(r.json.error.code).toBe('contract_mismatch');
    expect(fields(r)).toEqual(INCOMPATIBLE_FIELDS);
    const message = (field: string): string =>
      r.json.error.details.find((d: { field: string }) => d.field === field).message;
    expect(message('classes')).toBe(`champion has [Good, Standard, Poor], ${other} has [good, bad]`);
    expect(message('columns.Monthly_Balance')).toBe(`champion takes Monthly_Balance (numeric), ${other} does not`);
    expect(message('columns.Num_of_Loan.type')).toBe(`champion has numeric, ${other} has categorical`);
    expect(message('columns.Payment_of_Min_Amount.categories')).toBe(
      `champion has categories [NM, No, Yes], ${other} has categories [No, Yes]`,
    );
    expect(await versionOf('champion')).toBe(same[1]);
    expect(await historyLength()).toBe(before);
  });

  it('answers a dry run with the differences and moves nothing', async () => {
    const before = await historyLength();
    const r = await call('POST', '/model/promote', { alias: 'champion', version: other, dryRun: true });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ dryRun: true, from: same[1], to: other });
    expect(r.json.differences.map((d: { field: string }) => d.field)).toEqual(INCOMPATIBLE_FIELDS);
    const compatible = await call('POST', '/model/promote', { alias: 'champion', version: same[0], dryRun: true });
    expect(compatible.json).toMatchObject({ dryRun: true, from: same[1], to: same[0], differences: [] });
    expect(await versionOf('champion')).toBe(same[1]);
    expect(await historyLength()).toBe(before);
  });

  it('refuses force without a reason (400), a blank reason included', async () => {
    for (const body of [{ force: true }, { force: true, reason: '  ' }]) {
      const r = await call('POST', '/model/promote', { alias: 'champion', version: other, ...body });
      expect(r.status).toBe(400);
      expect(r.json.error.message).toMatch(/force needs a reason/);
    }
    expect((await call('POST', '/model/rollback', { alias: 'champion', version: other, force: true })).status).toBe(
      400,
    );
    expect(await versionOf('champion')).toBe(same[1]);
  });

  it('refuses a single, canary, A/B, shadow or blue-green policy with an incompatible alias (409), naming the alias in each field', async () => {
    const revision = (await registry.getTraffic(MODEL))?.revision ?? null;
    expect(revision).toBeNull(); // no policy yet: the service serves its MODEL_ALIAS, champion, and the first policy is compared with it
    const policies = [
      { mode: 'single', alias: 'goodbad' },
      { mode: 'canary', champion: 'champion', challenger: 'goodbad' },
      {
        mode: 'ab',
        variants: [
          { name: 'a', alias: 'champion', weight: 50 },
          { name: 'b', alias: 'goodbad', weight: 50 },
        ],
      },
      { mode: 'shadow', champion: 'champion', challenger: 'goodbad' },
      { mode: 'bluegreen', blue: 'champion', green: 'goodbad', active: 'blue' },
    ];
    for (const policy of policies) {
      const r = await call('PUT', '/model/traffic', policy);
      expect(r.status, policy.mode).toBe(409);
      expect(r.json.error.code).toBe('contract_mismatch');
      expect(fields(r)).toEqual(INCOMPATIBLE_FIELDS.map((f) => `goodbad.${f}`));
      expect(r.json.error.details[0].message).toBe(
        `champion (${same[1]}) has [Good, Standard, Poor], goodbad (${other}) has [good, bad]`,
      );
    }
    expect((await registry.getTraffic(MODEL))?.revision ?? null).toBe(revision);
    // A compatible challenger is no problem.
    await registry.moveAlias(MODEL, 'challenger', same[0], { reason: 'candidate', actor: 'test' });
    expect(
      (await call('PUT', '/model/traffic', { mode: 'canary', champion: 'champion', challenger: 'challenger' })).status,
    ).toBe(200);
    expect((await call('PUT', '/model/traffic', { mode: 'single', alias: 'champion' })).status).toBe(200);
  });

  it('sets an incompatible traffic policy with ?force=true and a reason, recording the differences', async () => {
    expect(
      (await call('PUT', '/model/traffic?force=true', { mode: 'shadow', champion: 'champion', challenger: 'goodbad' }))
        .status,
    ).toBe(400);
    const r = await call(
      'PUT',
      '/model/traffic?force=true',
      { mode: 'shadow', champion: 'champion', challenger: 'goodbad' },
      { 'x-change-reason': 'compare the binary model in the shadows' },
    );
    expect(r.status).toBe(200);
    const event = (await registry.getTraffic(MODEL))!.event;
    expect(event).toMatchObject({
      eventId: r.json.eventId,
      reason: 'compare the binary model in the shadows',
      details: { contract: { forced: true } },
    });
    expect((event.details!.contract as { differences: { field: string }[] }).differences.map((d) => d.field)).toEqual(
      INCOMPATIBLE_FIELDS.map((f) => `goodbad.${f}`),
    );
    expect((await call('PUT', '/model/traffic', { mode: 'single', alias: 'champion' })).status).toBe(200);
  });

  it('moves an incompatible version with force and a reason, and the history records both the forced move and the differences', async () => {
    const r = await call('POST', '/model/promote', {
      alias: 'champion',
      version: other,
      force: true,
      reason: 'the binary model replaces the three-class one',
    });
    expect(r.status).toBe(200);
    expect(await versionOf('champion')).toBe(other);
    const [event] = (await call('GET', '/model/history?alias=champion')).json.events.slice(-1);
    expect(event).toMatchObject({
      eventId: r.json.event.eventId,
      from: same[1],
      to: other,
      reason: 'the binary model replaces the three-class one',
      details: { contract: { forced: true } },
    });
    expect(event.details.contract.differences.map((d: { field: string }) => d.field)).toEqual(INCOMPATIBLE_FIELDS);
    expect(event.details.contract.differences[0].message).toBe(
      `champion has [Good, Standard, Poor], ${other} has [good, bad]`,
    );
  });

  it('refuses a rollback to an incompatible version, with a version and without one (409), until forced', async () => {
    // champion: same[0] -> same[1] -> other (forced). Stepping back goes to same[1]: another contract.
    const back = await call('POST', '/model/rollback', { alias: 'champion' });
    expect(back.status).toBe(409);
    expect(back.json.error.code).toBe('contract_mismatch');
    expect(back.json.error.details[0]).toEqual({
      field: 'classes',
      message: `champion has [good, bad], ${same[1]} has [Good, Standard, Poor]`,
    });
    const named = await call('POST', '/model/rollback', { alias: 'champion', version: same[0] });
    expect(named.status).toBe(409);
    expect(fields(named)).toHaveLength(INCOMPATIBLE_FIELDS.length);
    expect(await versionOf('champion')).toBe(other);
    const forced = await call('POST', '/model/rollback', {
      alias: 'champion',
      force: true,
      reason: 'clients get 422: back to the three-class model',
    });
    expect(forced.status).toBe(200);
    expect(forced.json.event).toMatchObject({ from: other, to: same[1], details: { contract: { forced: true } } });
    // The rollback of a compatible alias is not affected.
    expect((await call('POST', '/model/rollback', { alias: 'champion' })).json.event).toMatchObject({
      from: same[1],
      to: same[0],
    });
  });

  it('refuses to promote a version of the same contract at an alias that holds another (the check compares with the current version, whichever it is)', async () => {
    const r = await call('POST', '/model/promote', { alias: 'goodbad', version: same[0] });
    expect(r.status).toBe(409);
    expect(r.json.error.details[0].message).toBe(`goodbad has [good, bad], ${same[0]} has [Good, Standard, Poor]`);
    expect(await versionOf('goodbad')).toBe(other);
  });

  it('compares contracts of verified versions from memory: a dry run reads the alias and one manifest per version, no file of either', async () => {
    const counting = new CountingStore(store);
    const remembering = new ModelRegistry(counting);
    await remembering.checkVersion(MODEL, same[0]);
    await remembering.checkVersion(MODEL, other);
    counting.reset();
    const comparison = await remembering.compareWithAlias(MODEL, 'goodbad', same[0]);
    expect(comparison.differences.map((d) => d.field)).toEqual([
      'classes',
      'columns.Payment_of_Min_Amount.categories',
      'columns.Num_of_Loan.type',
      'columns.Monthly_Balance',
    ]);
    expect(counting.count('get')).toBe(3); // alias document, two manifests
  });
});
