/** npm run register, train --register and predict --model registry:REF against the embedded S3 server. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeArtifactDirectory } from '../lib/artifact/artifact-directory.ts';
import { ModelRegistry } from '../lib/registry/model-registry.ts';
import { freePort, runScript, subsetCsv, tempDir, trainSmallModel } from './helpers.ts';
import { startTestS3, TEST_BUCKET } from './s3.ts';

const dir = tempDir('registry-cli');
const rows = subsetCsv('data/credit_score_customers_raw.csv', 30, join(dir, 'rows.csv'));
const modelDir = join(dir, 'model');
let s3: Awaited<ReturnType<typeof startTestS3>>;
let registry: ModelRegistry;
let env: Record<string, string>;

beforeAll(async () => {
  s3 = await startTestS3();
  registry = new ModelRegistry(s3.store);
  env = { S3_ENDPOINT: s3.s3.endpoint, MODEL_BUCKET: TEST_BUCKET, S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER' };
  await writeArtifactDirectory(modelDir, (await trainSmallModel()).files);
}, 120_000);

afterAll(() => s3?.s3.close());

describe('the registry from the command line', () => {
  it('registers an artifact as a new verified version without moving an alias, then scores with registry:VERSION and registry:ALIAS', async () => {
    const registered = await runScript('register', ['--model', modelDir, '--reason', 'trained elsewhere'], 60_000, env);
    expect(registered.stderr).toBe('');
    expect(registered.code).toBe(0);
    const version = /registered credit-score (\S+) from/.exec(registered.stdout)![1];
    expect(await registry.listVersions('credit-score')).toEqual([version]);
    expect(await registry.listAliases('credit-score')).toEqual([]);
    expect(await registry.registration('credit-score', version)).toMatchObject({ source: modelDir, reason: 'trained elsewhere', createdBy: expect.stringMatching(/^cli \(/) });

    const local = await runScript('predict', ['--model', modelDir, '--data', rows], 60_000, env);
    const byVersion = await runScript('predict', ['--model', `registry:${version}`, '--data', rows], 60_000, env);
    expect(byVersion.code).toBe(0);
    expect(byVersion.stdout).toBe(local.stdout);
    expect(byVersion.stdout.trim().split('\n')).toHaveLength(31);

    await registry.moveAlias('credit-score', 'champion', version, { reason: 'test', actor: 'test' });
    const byAlias = await runScript('predict', ['--model', 'registry:champion', '--data', rows], 60_000, env);
    expect(byAlias.stdout).toBe(local.stdout);

    const absent = await runScript('predict', ['--model', 'registry:nightly', '--data', rows], 60_000, env);
    expect(absent.code).toBe(1);
    expect(absent.stderr).toMatch(/^error: model credit-score has no complete version nightly\n$/);
  });

  it('refuses to register a directory that is not an artifact, uploading nothing', async () => {
    const before = await registry.listVersions('credit-score');
    const notModel = await runScript('register', ['--model', dir], 60_000, env);
    expect(notModel.code).toBe(2);
    expect(notModel.stderr).toMatch(/not a model artifact \(no manifest\.json\)/);
    const usage = await runScript('register', [], 60_000, env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--model DIR is required/);
    expect(await registry.listVersions('credit-score')).toEqual(before);
  });

  it("uses npm start's data directory when no store is running or named: register, then score from it", async () => {
    const local = { DATA_DIR: join(dir, 'start-data'), S3_PORT: String(await freePort()), MODEL_BUCKET: 'mlops-credit-score-models' };
    const registered = await runScript('register', ['--model', modelDir], 60_000, local);
    expect(registered.code).toBe(0);
    expect(registered.stdout).toMatch(/in the embedded store in .*start-data\/s3/);
    const version = /registered credit-score (\S+) from/.exec(registered.stdout)![1];
    const scored = await runScript('predict', ['--model', `registry:${version}`, '--data', rows], 60_000, local);
    expect(scored.code).toBe(0);
    expect(scored.stdout.trim().split('\n')).toHaveLength(31);
  });

  it('train --register uploads the artifact it wrote', async () => {
    const data = subsetCsv('data/credit_score_customers_raw.csv', 400, join(dir, 'train.csv'));
    const out = join(dir, 'trained');
    const trained = await runScript('train', ['--data', data, '--cv', '2', '--classifiers', 'xgb', '--samplers', 'none', '--out', out, '--quiet', '--register'], 120_000, env);
    expect(trained.code).toBe(0);
    const version = /registered credit-score (\S+) in /.exec(trained.stdout)![1];
    const stored = await s3.store.get(`models/credit-score/versions/${version}/manifest.json`);
    expect(new TextDecoder().decode(stored!.bytes)).toBe(readFileSync(join(out, 'manifest.json'), 'utf8'));
  });
});
