/**
 * npm start: the whole service on a laptop, nothing else to install or start.
 *   1. builds the handlers (dist/offline: self-contained, serverless-offline ignores layers)
 *   2. starts the embedded S3 server on 127.0.0.1 (data kept in .data/s3 across restarts), or
 *      uses the S3-compatible store at S3_ENDPOINT when that is set (MinIO, another process)
 *   3. if the registry has no champion yet for the spec's model (START_SPEC's "name"), trains a
 *      first model on START_DATA in seconds (the default candidate), registers it under that
 *      name and points "champion" at it; once serving, it starts the full
 *      candidate search as a retrain job that promotes its model only if it scores better,
 *      and prints its progress
 *   4. runs serverless-offline: the functions on http://127.0.0.1:3000 in one process (one model
 *      in memory, one metrics registry), the Lambda API on 3002 (the retrain function invokes
 *      its worker through it, asynchronously, as on AWS); SIGTERM/SIGINT stop it cleanly,
 *      buffered captures written first
 * While it runs, DATA_DIR/ports.json says where (cli/start-ports.ts): the CLI's register and
 * upload find its store there, and a second npm start over the same DATA_DIR refuses to start.
 * Environment: DATA_DIR (.data), S3_PORT (4569), HTTP_PORT (3000), LAMBDA_PORT (3002),
 * MODEL_BUCKET, ADMIN_API_KEYS (else a key is generated once into .data/admin-api-key), the
 * data START_DATA (the shipped CSV) and its spec START_SPEC (the shipped one; its "name" is the
 * model served), and for the full search START_CV (5), START_CLASSIFIERS and
 * START_SAMPLERS (all), or START_FULL_SEARCH=false to skip it; its progress is printed every
 * START_PROGRESS_SECONDS (10).
 * In a terminal the service logs one short line per request (LOG_FORMAT, lib/config/config.ts),
 * this script's own lines stand out, and serverless-offline's route box is left out
 * (start-output.ts); elsewhere, or with LOG_FORMAT=json, the service's JSON lines as ever.
 */
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAdminKeys, splitAdminKeys } from '../lib/auth/api-keys.ts';
import { mayActAs } from '../lib/auth/principal.ts';
import { loadSpec } from '../lib/data/spec.ts';
import { ModelRegistry } from '../lib/registry/model-registry.ts';
import { startEmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { bootstrapChampion } from '../lib/retrain/bootstrap-champion.ts';
import { createProgressReporter } from '../lib/training/progress.ts';
import { SAMPLER_NAMES } from '../lib/sampling/sampler.ts';
import { CLASSIFIER_NAMES } from '../lib/training/candidates.ts';
import { parseList } from './cli/args.ts';
import { followFullSearch } from './cli/follow-full-search.ts';
import { SERVERLESS_BIN, SERVERLESS_ENV } from './serverless-env.ts';
import { acceptCommandLine } from './cli/command.ts';
import { START } from './cli/commands/start.ts';
import { DEFAULT_DATA, DEFAULT_SPEC } from './cli/defaults.ts';
import { liveStartPorts, removeStartPorts, startPortsFile, writeStartPorts } from './cli/start-ports.ts';
import { forwardWithoutRouteBox, startLine } from './start-output.ts';
import { onStopSignals } from './stop-signals.ts';
import { resolveLogFormat, type LogFormat } from '../lib/observability/human-log.ts';

if (!acceptCommandLine(START, process.argv.slice(2))) process.exit();

const dataDir = process.env.DATA_DIR ?? '.data';
const httpPort = process.env.HTTP_PORT ?? '3000';
const lambdaPort = process.env.LAMBDA_PORT ?? '3002';
const startData = process.env.START_DATA ?? DEFAULT_DATA;
const startSpec = process.env.START_SPEC ?? DEFAULT_SPEC;
const bucket = process.env.MODEL_BUCKET ?? 'mlops-credit-score-models';
const say = (line: string): boolean => process.stderr.write(startLine(line, process.stderr.isTTY === true));
// The functions write to a pipe (the route box is filtered out of it), so they are told whether
// this process's stdout is a terminal; a value that is not a format goes on, for the service to refuse.
const logFormat = process.env.LOG_FORMAT ?? 'auto';
const functionsLogFormat = ['auto', 'json', 'text'].includes(logFormat)
  ? resolveLogFormat(logFormat as LogFormat, process.stdout.isTTY === true)
  : logFormat;
// The spec is read before anything starts: a bad one fails in a second, naming the field.
const modelName = loadSpec(startSpec).name;

mkdirSync(dataDir, { recursive: true });
const running = liveStartPorts(dataDir);
if (running && running.pid !== process.pid) {
  say(
    `npm start (pid ${running.pid}) already serves ${dataDir} on http://127.0.0.1:${running.httpPort}: stop it first, or give this one another DATA_DIR (${startPortsFile(dataDir)})`,
  );
  process.exit(1);
}
say('building the handlers');
execFileSync('node_modules/.bin/tsx', ['scripts/build.ts'], { stdio: ['ignore', 'ignore', 'inherit'] });
// Training here and in retrain jobs runs its workers from the build, not through tsx.
process.env.WORKERS_DIR ??= resolve('dist/workers');

const external = process.env.S3_ENDPOINT;
const s3 = external
  ? { endpoint: external, close: async () => {} }
  : await startEmbeddedS3({
      directory: join(dataDir, 's3'),
      port: Number(process.env.S3_PORT ?? 4569),
      buckets: [bucket],
    });
say(
  external
    ? `S3 at ${external} (bucket ${bucket})`
    : `embedded S3 on ${s3.endpoint} (bucket ${bucket}, data in ${join(dataDir, 's3')})`,
);
writeStartPorts(dataDir, {
  pid: process.pid,
  s3Port: external ? null : Number(new URL(s3.endpoint).port),
  ...(external ? { s3Endpoint: external } : {}),
  httpPort: Number(httpPort),
  lambdaPort: Number(lambdaPort),
  bucket,
  model: modelName,
});
// On every way out but SIGKILL (a clean stop, a failed first training); a file left behind names a dead pid and is ignored.
process.once('exit', () => removeStartPorts(dataDir, process.pid));
const credentials = {
  accessKeyId: process.env.S3_ACCESS_KEY_ID ?? 'S3RVER',
  secretAccessKey: process.env.S3_SECRET_ACCESS_KEY ?? 'S3RVER',
};
const registry = new ModelRegistry(
  S3ObjectStore.fromConfig({
    bucket,
    region: 'us-east-1',
    endpoint: s3.endpoint,
    credentials,
    requestTimeoutMs: 60_000,
  }),
);

// An empty registry gets a first model in seconds (the default candidate, 2-fold scores) to
// serve at once; the full candidate search then runs as a retrain job (below).
let fullSearch = false;
if (!(await registry.getAlias(modelName, 'champion')) && (await registry.listVersions(modelName)).length === 0) {
  say(
    `the registry is empty: training a first model on ${startData} to serve now (boosting, no resampling); the full candidate search follows as a retrain job`,
  );
}
const bootstrap = await bootstrapChampion(registry, {
  name: modelName,
  dataFile: startData,
  specFile: startSpec,
  actor: 'npm start',
  progress: createProgressReporter(process.stderr),
});
if (bootstrap.action === 'trained') {
  say(
    `registered ${modelName} ${bootstrap.version}: ${bootstrap.title}, macro F1 ${bootstrap.f1Macro!.toFixed(4)} (2-fold)`,
  );
  fullSearch = process.env.START_FULL_SEARCH !== 'false';
}

const keyFile = join(dataDir, 'admin-api-key');
if (!process.env.ADMIN_API_KEYS && !existsSync(keyFile))
  writeFileSync(keyFile, randomBytes(24).toString('hex') + '\n', { mode: 0o600 });
const adminKeys = process.env.ADMIN_API_KEYS ?? readFileSync(keyFile, 'utf8').trim();

const offline = spawn(
  SERVERLESS_BIN,
  ['offline', 'start', '--stage', 'local', '--httpPort', httpPort, '--lambdaPort', lambdaPort],
  {
    stdio: ['inherit', 'pipe', 'inherit'],
    env: {
      ...process.env,
      ...SERVERLESS_ENV,
      // serverless-offline's three lines per request cost CPU and bury the service's own logs;
      // SLS_LOG_LEVEL=notice brings them back.
      SLS_LOG_LEVEL: process.env.SLS_LOG_LEVEL ?? 'warning',
      LOG_FORMAT: functionsLogFormat,
      MODEL_BUCKET: bucket,
      // The service serves, and retrain jobs train, the spec's model. MODEL_NAME goes through the
      // functions' environment (scripts/serverless/environment.cjs); the spec file through this
      // process's, which serverless-offline's in-process runner keeps under the functions' own.
      MODEL_NAME: modelName,
      DEFAULT_SPEC_FILE: resolve(startSpec),
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY_ID: credentials.accessKeyId,
      S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      ADMIN_API_KEYS: adminKeys,
      // Retrain jobs train on the same data as the first model.
      DEFAULT_TRAINING_DATA: process.env.DEFAULT_TRAINING_DATA ?? startData,
      LAMBDA_ENDPOINT: `http://127.0.0.1:${lambdaPort}`,
      // The Lambda client that starts retrain jobs signs its requests; serverless-offline accepts any keys.
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
    },
  },
);
forwardWithoutRouteBox(offline.stdout!, process.stdout);
say(
  `serving on http://127.0.0.1:${httpPort} (admin API key in ${process.env.ADMIN_API_KEYS ? 'ADMIN_API_KEYS' : keyFile})`,
);
say(`try: curl -s http://127.0.0.1:${httpPort}/model/info | head -c 400`);
if (fullSearch) {
  // Through the product's own path: a retrain job that registers its model and promotes it
  // only if it scores better than the first one, both in the history.
  void followFullSearch({
    url: `http://127.0.0.1:${httpPort}`,
    pollMs: Number(process.env.START_PROGRESS_SECONDS ?? 10) * 1000,
    // A key that may start a retrain: a named operator's or approver's, or a legacy plain key.
    adminKey:
      parseAdminKeys(splitAdminKeys(adminKeys)).find((entry) => mayActAs(entry.principal, 'operator'))?.key ?? '',
    request: {
      cv: Number(process.env.START_CV ?? 5),
      ...(process.env.START_CLASSIFIERS
        ? { classifiers: parseList(process.env.START_CLASSIFIERS, CLASSIFIER_NAMES, 'START_CLASSIFIERS') }
        : {}),
      ...(process.env.START_SAMPLERS
        ? { samplers: parseList(process.env.START_SAMPLERS, SAMPLER_NAMES, 'START_SAMPLERS') }
        : {}),
      promote: 'if-better',
    },
    say,
    isRunning: () => offline.exitCode === null,
  });
}

// serverless-offline writes what it buffers when told to stop (offline-shutdown.cjs), then exits.
// The ports file goes first: a server told to stop is no longer one the CLI should write through
// (and the store's close may outlast the stopper's patience, which ends in a SIGKILL).
onStopSignals(
  () => {
    say('stopping: writing what the service still buffers');
    removeStartPorts(dataDir, process.pid);
    offline.kill('SIGTERM');
  },
  () => say('already stopping'),
);
offline.once('exit', async (code) => {
  await s3.close();
  say(code ? `stopped (serverless-offline exited with ${code})` : 'stopped');
  process.exit(code ?? 0);
});
