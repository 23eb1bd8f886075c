/**
 * npm run register, train --register and predict --model registry:REF against the embedded S3
 * server; the model's name from the spec; how the CLI finds (or refuses) a running npm start.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeArtifactDirectory } from '../lib/artifact/artifact-directory.ts';
import { ModelRegistry } from '../lib/registry/model-registry.ts';
import { startEmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { writeStartPorts } from '../scripts/cli/start-ports.ts';
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
  env = {
    S3_ENDPOINT: s3.s3.endpoint,
    MODEL_BUCKET: TEST_BUCKET,
    S3_ACCESS_KEY_ID: 'S3RVER',
    S3_SECRET_ACCESS_KEY: 'S3RVER',
  };
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
    expect(await registry.registration('credit-score', version)).toMatchObject({
      source: modelDir,
      reason: 'trained elsewhere',
      createdBy: expect.stringMatching(/^cli \(/),
    });

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
    const local = {
      DATA_DIR: join(dir, 'start-data'),
      S3_PORT: String(await freePort()),
      MODEL_BUCKET: 'mlops-credit-score-models',
    };
    const registered = await runScript('register', ['--model', modelDir], 60_000, local);
    expect(registered.code).toBe(0);
    expect(registered.stdout).toMatch(/in the embedded store in .*start-data\/s3/);
    const version = /registered credit-score (\S+) from/.exec(registered.stdout)![1];
    const scored = await runScript('predict', ['--model', `registry:${version}`, '--data', rows], 60_000, local);
    expect(scored.code).toBe(0);
    expect(scored.stdout.trim().split('\n')).toHaveLength(31);
  });

  it("train --register uploads the artifact it wrote under its spec's name; register takes the name from the artifact's spec, --name overrides it", async () => {
    const data = subsetCsv('data/credit_score_customers_raw.csv', 400, join(dir, 'train.csv'));
    const spec = join(dir, 'own-spec.json');
    writeFileSync(
      spec,
      JSON.stringify({ ...JSON.parse(readFileSync('data/specs/credit-score.json', 'utf8')), name: 'own-model' }),
    );
    const out = join(dir, 'trained');
    const trained = await runScript(
      'train',
      [
        '--data',
        data,
        '--spec',
        spec,
        '--cv',
        '2',
        '--classifiers',
        'xgb',
        '--samplers',
        'none',
        '--out',
        out,
        '--quiet',
        '--register',
      ],
      120_000,
      env,
    );
    expect(trained.code).toBe(0);
    const version = /registered own-model (\S+) in /.exec(trained.stdout)![1];
    const stored = await s3.store.get(`models/own-model/versions/${version}/manifest.json`);
    expect(new TextDecoder().decode(stored!.bytes)).toBe(readFileSync(join(out, 'manifest.json'), 'utf8'));

    const again = await runScript('register', ['--model', out], 60_000, env);
    expect(again.stdout).toMatch(/^registered own-model \S+ from /);
    expect(await registry.listVersions('own-model')).toHaveLength(2);
    const renamed = await runScript('register', ['--model', out, '--name', 'other-model'], 60_000, env);
    expect(renamed.stdout).toMatch(/^registered other-model \S+ from /);
    expect(await registry.listVersions('other-model')).toHaveLength(1);

    const bad = await runScript('register', ['--model', out, '--name', 'my model'], 60_000, env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--name must be a letter or digit, .*got "my model"/);
    const nameWithoutRegister = await runScript('train', ['--data', data, '--spec', spec, '--name', 'x'], 60_000, env);
    expect(nameWithoutRegister.code).toBe(2);
    expect(nameWithoutRegister.stderr).toMatch(
      /--name names the model --register files the artifact under: add --register/,
    );
  });
});

describe("the CLI and a running npm start's ports file", () => {
  const bucket = 'own-bucket';
  let owner: Awaited<ReturnType<typeof startEmbeddedS3>>;
  let ownerDir: string;

  beforeAll(async () => {
    // npm start's embedded store on a moved port, over its data directory, as it runs it (scripts/start.ts).
    ownerDir = join(dir, 'owner-data');
    owner = await startEmbeddedS3({ directory: join(ownerDir, 's3'), buckets: [bucket] });
    writeStartPorts(ownerDir, {
      pid: process.pid,
      s3Port: owner.port,
      httpPort: 1,
      lambdaPort: 2,
      bucket,
      model: 'credit-score',
    });
  });

  afterAll(() => owner?.close());

  it('register and upload reach the store on the ports the file names (and its bucket), not the default port', async () => {
    const env = { DATA_DIR: ownerDir, S3_PORT: String(await freePort()) };
    const registered = await runScript('register', ['--model', modelDir], 60_000, env);
    expect(registered.code).toBe(0);
    expect(registered.stdout).toContain(`in npm start's store on 127.0.0.1:${owner.port} (bucket ${bucket})`);
    const store = S3ObjectStore.fromConfig({
      bucket,
      region: 'us-east-1',
      endpoint: owner.endpoint,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    const version = /registered credit-score (\S+) from/.exec(registered.stdout)![1];
    expect(await new ModelRegistry(store).listVersions('credit-score')).toEqual([version]);
    const uploaded = await runScript('upload', [rows, '--key', 'data/owner.csv'], 60_000, env);
    expect(uploaded.code).toBe(0);
    expect(new TextDecoder().decode((await store.get('data/owner.csv'))!.bytes)).toBe(readFileSync(rows, 'utf8'));
  });

  it('ignore a ports file whose pid is gone: the command opens the data directory itself', async () => {
    const staleDir = join(dir, 'stale-data');
    mkdirSync(staleDir);
    // The stale file names a store that answers: only the dead pid says not to use it.
    writeStartPorts(staleDir, {
      pid: await exitedPid(),
      s3Port: owner.port,
      httpPort: 1,
      lambdaPort: 2,
      bucket,
      model: 'credit-score',
    });
    const registered = await runScript('register', ['--model', modelDir], 60_000, {
      DATA_DIR: staleDir,
      S3_PORT: String(await freePort()),
    });
    expect(registered.code).toBe(0);
    expect(registered.stdout).toContain(
      `in the embedded store in ${join(staleDir, 's3')} (bucket mlops-credit-score-models)`,
    );
  });

  it('refuse to write behind a live npm start whose store does not answer, and start no store over its data', async () => {
    const hungDir = join(dir, 'hung-data');
    mkdirSync(hungDir);
    // A store that accepts connections and never answers: npm start paused, or stuck.
    const hung = createServer(() => {});
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    try {
      writeStartPorts(hungDir, {
        pid: process.pid,
        s3Port: (hung.address() as AddressInfo).port,
        httpPort: 1,
        lambdaPort: 2,
        bucket,
        model: 'credit-score',
      });
      for (const [command, args] of [
        ['register', ['--model', modelDir]],
        ['upload', [rows]],
      ] as const) {
        const refused = await runScript(command, [...args], 60_000, {
          DATA_DIR: hungDir,
          S3_PORT: String(await freePort()),
        });
        expect(refused.code, command).toBe(1);
        expect(refused.stderr, command).toMatch(
          new RegExp(
            `^error: npm start \\(pid ${process.pid}, .*ports\\.json\\) owns .*hung-data/s3, but its store on http://127\\.0\\.0\\.1:\\d+ does not answer: not writing behind it`,
          ),
        );
      }
      expect(existsSync(join(hungDir, 's3'))).toBe(false);
    } finally {
      hung.closeAllConnections();
      hung.close();
    }
  });
});

/** The pid of a process that has exited (its number is free again). */
function exitedPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', '']);
    child.once('error', reject);
    child.once('exit', () => resolve(child.pid!));
  });
}
