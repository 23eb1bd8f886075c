/**
 * Releases on a loaded machine (issue 25, "Must show"): the node:http server (scripts/serve.ts)
 * over the embedded S3 server, two busy loops beside it (child processes spinning, killed at the
 * end), then
 *   (a) 20 concurrent POST /model/promote alternating between two verified versions, every
 *       third with `from` (a conditional move): each must answer 200 or 409, never 5xx;
 *   (b) 10 retrain jobs in a row through POST /model/retrain, the real path (a child process runs
 *       scripts/retrain-job.ts, trains on the shipped data, publishes the version): each must
 *       succeed.
 * Prints a table; exits 1 on any 5xx or failed job.
 *   npm run bench:release-load -- [--promotes 20] [--jobs 10] [--cv 2] [--classifiers xgb] [--samplers none] [--busy 2]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadSpec } from '../lib/data/spec.ts';
import { ModelRegistry } from '../lib/registry/model-registry.ts';
import { startEmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { trainModel } from '../lib/pipeline/pipeline.ts';
import { createProgressReporter } from '../lib/training/progress.ts';
import { freePort } from '../test/helpers.ts';

const { values } = parseArgs({
  options: {
    promotes: { type: 'string', default: '20' },
    jobs: { type: 'string', default: '10' },
    cv: { type: 'string', default: '2' },
    classifiers: { type: 'string', default: 'xgb' },
    samplers: { type: 'string', default: 'none' },
    busy: { type: 'string', default: '2' },
  },
});
const log = (m: string): boolean => process.stderr.write(`${m}\n`);
const MODEL = 'credit-score';
const KEY = 'bench-admin-key-0123456789abcdef';
/** How often a job's status is read while it runs. */
const POLL_MS = 2_000;

const s3 = await startEmbeddedS3({ directory: mkdtempSync(join(tmpdir(), 'bench-release-s3-')), buckets: ['bench'] });
const store = S3ObjectStore.fromConfig({
  bucket: 'bench',
  region: 'us-east-1',
  endpoint: s3.endpoint,
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  requestTimeoutMs: 60_000,
});
const registry = new ModelRegistry(store);

log('training the model the two versions share (xgb+none, 2 folds)');
const trained = await trainModel({
  dataFile: 'data/credit_score_customers_raw.csv',
  spec: loadSpec('data/specs/credit-score.json'),
  folds: 2,
  seed: 42,
  classifiers: ['xgb'],
  samplers: ['none'],
  progress: createProgressReporter(process.stderr, true),
});
const versions = [
  (await registry.publish(MODEL, trained.files, { createdBy: 'bench' })).version,
  (await registry.publish(MODEL, trained.files, { createdBy: 'bench' })).version,
];
await registry.moveAlias(MODEL, 'champion', versions[0], { reason: 'bench', actor: 'bench' });

const port = await freePort();
const env = {
  ...process.env,
  PORT: String(port),
  MODEL_BUCKET: 'bench',
  S3_ENDPOINT: s3.endpoint,
  S3_ACCESS_KEY_ID: 'S3RVER',
  S3_SECRET_ACCESS_KEY: 'S3RVER',
  ADMIN_API_KEYS: KEY,
  LOG_LEVEL: 'error',
};
const children: ChildProcess[] = [];
const server = spawn('node_modules/.bin/tsx', ['scripts/serve.ts'], {
  env,
  stdio: ['ignore', 'ignore', 'inherit'],
  detached: true,
});
children.push(server);
const base = `http://127.0.0.1:${port}`;

async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> | null }> {
  const r = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', 'x-api-key': KEY },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(120_000),
  });
  const text = await r.text();
  try {
    return { status: r.status, json: JSON.parse(text) as Record<string, unknown> };
  } catch {
    return { status: r.status, json: null };
  }
}

let failed = false;
try {
  for (;;) {
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode}`);
    const ready = await call('GET', '/health').catch(() => null);
    if (ready?.status === 200) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const busy = Number(values.busy);
  for (let i = 0; i < busy; i++)
    children.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore', detached: true }));
  log(`server on ${base}; ${busy} busy loops beside it`);

  // (a) Concurrent promotes: alternate the two versions; every third names `from`, the version it expects to replace.
  const promotes = Number(values.promotes);
  const started = performance.now();
  const answers = await Promise.all(
    Array.from({ length: promotes }, (_, i) => {
      const [to, other] = i % 2 === 0 ? [versions[1], versions[0]] : [versions[0], versions[1]];
      const body = {
        alias: 'champion',
        version: to,
        reason: `bench promote ${i}`,
        ...(i % 3 === 0 ? { from: other } : {}),
      };
      const t = performance.now();
      return call('POST', '/model/promote', body).then(
        (r) => ({ status: r.status, ms: performance.now() - t, error: r.status >= 500 ? JSON.stringify(r.json) : '' }),
        (err: unknown) => ({ status: 0, ms: performance.now() - t, error: (err as Error).message }),
      );
    }),
  );
  const promoteSeconds = (performance.now() - started) / 1000;
  const byStatus = new Map<number, number>();
  for (const a of answers) byStatus.set(a.status, (byStatus.get(a.status) ?? 0) + 1);
  for (const a of answers.filter((x) => x.status !== 200 && x.status !== 409))
    log(`promote answered ${a.status}: ${a.error}`);
  const promoteOk = answers.every((a) => a.status === 200 || a.status === 409);
  const slowest = Math.max(...answers.map((a) => a.ms));

  // (b) Retrain jobs in a row, each to its end.
  const jobs: { id: string; status: string; seconds: number; version?: string; error?: string }[] = [];
  const request = {
    cv: Number(values.cv),
    classifiers: values.classifiers.split(','),
    samplers: values.samplers.split(','),
    promote: false,
    jobs: 1,
  };
  for (let i = 0; i < Number(values.jobs); i++) {
    const t = performance.now();
    const start = await call('POST', '/model/retrain', request);
    if (start.status !== 202) {
      jobs.push({ id: '-', status: `start answered ${start.status}`, seconds: 0, error: JSON.stringify(start.json) });
      continue;
    }
    const id = String(start.json!.jobId);
    let job: Record<string, unknown> | null = null;
    for (;;) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      const read = await call('GET', `/model/retrain/${id}`).catch(() => null);
      if (read?.status === 200 && (read.json!.status === 'succeeded' || read.json!.status === 'failed')) {
        job = read.json;
        break;
      }
    }
    const result = job!.result as { version?: string } | undefined;
    jobs.push({
      id,
      status: String(job!.status),
      seconds: (performance.now() - t) / 1000,
      ...(result?.version ? { version: result.version } : {}),
      ...(job!.error ? { error: String(job!.error) } : {}),
    });
    log(
      `job ${i + 1}: ${id} ${String(job!.status)} in ${((performance.now() - t) / 1000).toFixed(1)} s${job!.error ? `: ${String(job!.error)}` : ''}`,
    );
  }
  const succeeded = jobs.filter((j) => j.status === 'succeeded').length;
  const incomplete = await registry.listIncompleteVersions(MODEL);

  console.log(
    `\n${busy} busy loops beside the node:http server and the embedded S3 server; ${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')} (1 / 5 / 15 min) at the end.\n`,
  );
  console.log('| step | asked | outcome | time |');
  console.log('| --- | --- | --- | --- |');
  console.log(
    `| (a) concurrent POST /model/promote | ${promotes} | ${[...byStatus]
      .sort((x, y) => x[0] - y[0])
      .map(([s, n]) => `${n} × ${s || 'no answer'}`)
      .join(', ')} | all answered in ${promoteSeconds.toFixed(1)} s, slowest ${(slowest / 1000).toFixed(2)} s |`,
  );
  console.log(
    `| (b) retrain jobs in a row (cv ${request.cv}, ${request.classifiers.join('+')} × ${request.samplers.join('+')}) | ${jobs.length} | ${succeeded} succeeded, ${jobs.length - succeeded} failed; versions without a manifest afterwards: ${incomplete.length} | ${jobs.map((j) => j.seconds.toFixed(0)).join(', ')} s each |`,
  );
  for (const j of jobs.filter((x) => x.status !== 'succeeded'))
    console.log(`\njob ${j.id}: ${j.status}: ${j.error ?? ''}`);
  failed = !promoteOk || succeeded !== jobs.length;
} finally {
  for (const child of children) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await s3.close();
}
process.exit(failed ? 1 : 0);
