/**
 * Serving speed: cold start and per-request latency/throughput of the same handlers hosted
 * three ways, against the embedded S3 server holding a real model.
 *   npm run bench:serving [-- --model bench/out/quality/credit-model] [--requests 3000] [--seconds 10]
 * Hosts: the handler called directly (no HTTP), the node:http adapter (scripts/serve.ts, the
 * Knative server), serverless-offline with --useInProcess. Load: keep-alive HTTP from this
 * process at 1 and 10 concurrent connections, bounded by a request count and a time limit.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { readArtifactDirectory } from '../lib/artifact/artifact-directory.ts';
import { bundleToFiles, treeEnsemble } from '../lib/artifact/model-bundle.ts';
import { ModelRegistry } from '../lib/registry/model-registry.ts';
import { startEmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { SERVERLESS_BIN, SERVERLESS_ENV } from '../scripts/serverless-env.ts';
import { runLoad, summarize, waitForAnswer, type LoadResult } from './http-load.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'bench/out/quality/credit-model' },
    requests: { type: 'string', default: '3000' },
    seconds: { type: 'string', default: '10' },
  },
});
const maxRequests = Number(values.requests);
const maxSeconds = Number(values.seconds);
const log = (m: string): boolean => process.stderr.write(`${m}\n`);

// ---- a registry with the real model, on the embedded S3 server
const s3 = await startEmbeddedS3({ directory: `bench/out/serving-s3-${process.pid}`, buckets: ['bench'] });
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const registry = new ModelRegistry(
  S3ObjectStore.fromConfig({ bucket: 'bench', region: 'us-east-1', endpoint: s3.endpoint, credentials }),
);
const { bundle } = await readArtifactDirectory(values.model);
const ensemble = treeEnsemble(bundle, "the serving bench's model title");
const { version } = await registry.publish('credit-score', bundleToFiles(bundle), { createdBy: 'bench' });
await registry.moveAlias('credit-score', 'champion', version, { reason: 'bench', actor: 'bench' });
const env = {
  ...process.env,
  ...SERVERLESS_ENV,
  MODEL_BUCKET: 'bench',
  S3_ENDPOINT: s3.endpoint,
  S3_ACCESS_KEY_ID: 'S3RVER',
  S3_SECRET_ACCESS_KEY: 'S3RVER',
  ADMIN_API_KEYS: 'bench-admin-key-0123456789',
  LOG_LEVEL: 'silent',
};
const csv = readFileSync('data/credit_score_customers_raw.csv', 'utf8').split('\n');
const header = csv[0].split(',');
const body = JSON.stringify(Object.fromEntries(header.map((h, i) => [h, splitCsvLine(csv[5])[i]])));

function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  return [...cells, cell];
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function loadHttp(port: number, connections: number): Promise<LoadResult> {
  await runLoad({ port, path: '/predict', body, connections: 1, maxRequests: 200, maxSeconds: 30 }); // warm-up
  const result = await runLoad({ port, path: '/predict', body, connections, maxRequests, maxSeconds });
  if (result.errors || result.timeouts)
    throw new Error(`${result.errors} errors, ${result.timeouts} timeouts under load`);
  return result;
}

/** Process start to the first prediction answered. */
async function waitFor(port: number, child: ChildProcess, started: number): Promise<number> {
  await waitForAnswer(port, '/predict', body, () => child.exitCode === null, 120_000);
  return performance.now() - started;
}

const results: { host: string; cold: number | null; one: LoadResult; ten: LoadResult }[] = [];

// ---- the handler called directly, in this process
{
  Object.assign(process.env, env);
  const { handler } = await import('../functions/predict.ts');
  const { getService } = await import('../functions/runtime/service.ts');
  const event = (): Parameters<typeof handler>[0] => ({
    version: '2.0',
    routeKey: 'POST /predict',
    rawPath: '/predict',
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    requestContext: { http: { method: 'POST', path: '/predict' }, requestId: 'bench' } as never,
    body,
    isBase64Encoded: false,
  });
  const context = { getRemainingTimeInMillis: () => 30_000 } as never;
  const t0 = performance.now();
  await handler(event(), context);
  const cold = performance.now() - t0;
  const loadMs = (await getService()).models.primary.router.provider('champion').peek()!.loadMs;
  log(`direct: first call ${cold.toFixed(1)} ms (model read from S3 and verified in ${loadMs.toFixed(1)} ms)`);
  const run = async (concurrency: number): Promise<LoadResult> => {
    for (let i = 0; i < 500; i++) await handler(event(), context);
    const latencies: number[] = [];
    const started = performance.now();
    let sent = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (sent < maxRequests * 3 && performance.now() - started < maxSeconds * 1000) {
          sent++;
          const s = performance.now();
          await handler(event(), context);
          latencies.push(performance.now() - s);
        }
      }),
    );
    return summarize(latencies, (performance.now() - started) / 1000);
  };
  results.push({ host: 'handler, called directly', cold: null, one: await run(1), ten: await run(10) });
  results[0].cold = loadMs;
}

// ---- node:http adapter (scripts/serve.ts), a process of its own
{
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/serve.ts'], {
    env: { ...env, PORT: String(port) },
    stdio: 'ignore',
  });
  const cold = await waitFor(port, child, started);
  log(`node:http adapter: process start to first prediction ${cold.toFixed(0)} ms`);
  results.push({
    host: 'node:http adapter (Knative server)',
    cold,
    one: await loadHttp(port, 1),
    ten: await loadHttp(port, 10),
  });
  child.kill('SIGTERM');
}

// ---- serverless-offline, in-process
{
  execFileSync('node_modules/.bin/tsx', ['scripts/build.ts'], { stdio: 'ignore' });
  const [port, lambdaPort] = [await freePort(), await freePort()];
  const started = performance.now();
  const child = spawn(
    SERVERLESS_BIN,
    [
      'offline',
      'start',
      '--stage',
      'local',
      '--useInProcess',
      '--httpPort',
      String(port),
      '--lambdaPort',
      String(lambdaPort),
    ],
    { env, stdio: 'ignore' },
  );
  const cold = await waitFor(port, child, started);
  log(`serverless-offline --useInProcess: process start to first prediction ${cold.toFixed(0)} ms`);
  results.push({
    host: 'serverless-offline --useInProcess',
    cold,
    one: await loadHttp(port, 1),
    ten: await loadHttp(port, 10),
  });
  child.kill('SIGTERM');
}

await s3.close();
const ms = (v: number): string => (v < 1 ? `${(v * 1000).toFixed(0)} µs` : `${v.toFixed(2)} ms`);
console.log(
  `\nModel ${bundle.classifier}+${bundle.sampler} (${ensemble.nodeCount.toLocaleString('en-US')} nodes), POST /predict with one raw record; up to ${maxRequests} requests or ${maxSeconds} s per cell.\n`,
);
console.log(
  '| host | cold start | p50, 1 conn | p99, 1 conn | req/s, 1 conn | p50, 10 conn | p99, 10 conn | req/s, 10 conn |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of results) {
  const cold =
    r.cold === null ? '—' : r.host.startsWith('handler') ? `model load ${ms(r.cold)}` : `${ms(r.cold)} to first answer`;
  console.log(
    `| ${r.host} | ${cold} | ${ms(r.one.p50)} | ${ms(r.one.p99)} | ${Math.round(r.one.perSecond)} | ${ms(r.ten.p50)} | ${ms(r.ten.p99)} | ${Math.round(r.ten.perSecond)} |`,
  );
}
process.exit(0);
