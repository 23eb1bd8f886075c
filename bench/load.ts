/**
 * Load on the servers users run, each a process of its own on one bucket: `npm start`
 * (serverless-offline with every function in one process) and the node:http server (the
 * Knative container's). 16 keep-alive connections post one raw record to /predict for 20 s;
 * errors, timeouts (10 s) and latency are counted from the client, memory (RSS of the server's
 * whole process group) is sampled every second and shown at each quarter of the run.
 *   npm run bench:load [-- --model bench/out/quality/credit-model] [--connections 16] [--seconds 20]
 * Without the model directory it trains a small boosting model on the shipped data first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readArtifactDirectory } from '../lib/artifact/artifact-directory.ts';
import { bundleToFiles, treeEnsemble } from '../lib/artifact/model-bundle.ts';
import { loadSpec } from '../lib/data/spec.ts';
import { ModelRegistry } from '../lib/registry/model-registry.ts';
import { startEmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { trainModel } from '../lib/pipeline/pipeline.ts';
import { createProgressReporter } from '../lib/training/progress.ts';
import { runLoad, waitForAnswer, type LoadResult } from './http-load.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'bench/out/quality/credit-model' },
    connections: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '20' },
  },
});
const connections = Number(values.connections);
const seconds = Number(values.seconds);
const log = (m: string): boolean => process.stderr.write(`${m}\n`);

const s3 = await startEmbeddedS3({ directory: mkdtempSync(join(tmpdir(), 'bench-load-s3-')), buckets: ['bench'] });
const registry = new ModelRegistry(
  S3ObjectStore.fromConfig({
    bucket: 'bench',
    region: 'us-east-1',
    endpoint: s3.endpoint,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestTimeoutMs: 60_000,
  }),
);
let files: Map<string, Uint8Array>;
let modelTitle: string;
if (existsSync(values.model)) {
  const { bundle } = await readArtifactDirectory(values.model);
  const ensemble = treeEnsemble(bundle, "the load bench's model title");
  files = bundleToFiles(bundle);
  modelTitle = `${bundle.classifier}+${bundle.sampler}, ${ensemble.nodeCount.toLocaleString('en-US')} nodes (${values.model})`;
} else {
  log(`${values.model} not found: training a small model on the shipped data`);
  const result = await trainModel({
    dataFile: 'data/credit_score_customers_raw.csv',
    spec: loadSpec('data/specs/credit-score.json'),
    folds: 2,
    seed: 42,
    classifiers: ['xgb'],
    samplers: ['none'],
    progress: createProgressReporter(process.stderr, true),
  });
  files = result.files;
  modelTitle = 'xgb+none trained for this run';
}
const { version } = await registry.publish('credit-score', files, { createdBy: 'bench' });
await registry.moveAlias('credit-score', 'champion', version, { reason: 'bench', actor: 'bench' });

const env = {
  ...process.env,
  MODEL_BUCKET: 'bench',
  S3_ENDPOINT: s3.endpoint,
  S3_ACCESS_KEY_ID: 'S3RVER',
  S3_SECRET_ACCESS_KEY: 'S3RVER',
  ADMIN_API_KEYS: 'bench-admin-key-0123456789',
  LOG_LEVEL: 'error',
};
const csv = readFileSync('data/credit_score_customers_raw.csv', 'utf8').split('\n');
const header = csv[0].split(',');
const cells = csv[5].match(/("[^"]*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, '').replace(/^"|"$/g, ''));
const body = JSON.stringify(Object.fromEntries(header.map((h, i) => [h, cells[i]])));

/** RSS in MB of every process in the group led by `pid` (npm start is tsx + serverless-offline). */
function groupRssMb(pid: number): number {
  let kb = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgrp !== pid) continue;
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // the process ended meanwhile
    }
  }
  return kb / 1024;
}

interface Row {
  host: string;
  load: LoadResult;
  rss: { start: number; quarters: number[] };
}
const rows: Row[] = [];

async function measure(host: string, script: string, port: number, extra: Record<string, string>): Promise<void> {
  const child: ChildProcess = spawn('node_modules/.bin/tsx', [script], {
    env: { ...env, ...extra },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  try {
    const cold = await waitForAnswer(port, '/predict', body, () => child.exitCode === null);
    log(`${host}: first answer ${cold.toFixed(0)} ms after start`);
    await runLoad({ port, path: '/predict', body, connections, maxRequests: 5000, maxSeconds: 5 }); // warm-up
    const start = groupRssMb(child.pid!);
    const samples: number[] = [];
    const load = await runLoad({
      port,
      path: '/predict',
      body,
      connections,
      maxRequests: 10_000_000,
      maxSeconds: seconds,
      timeoutMs: 10_000,
      onSecond: () => samples.push(groupRssMb(child.pid!)),
    });
    const end = groupRssMb(child.pid!);
    samples.push(end);
    const quarters = [0.25, 0.5, 0.75, 1].map(
      (q) => samples[Math.min(samples.length - 1, Math.ceil(q * samples.length) - 1)],
    );
    rows.push({ host, load, rss: { start, quarters } });
    log(
      `${host}: ${load.requests} answers, ${load.errors} errors, ${load.timeouts} timeouts, p99 ${load.p99.toFixed(2)} ms`,
    );
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
  }
}

const free = async (): Promise<number> => {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
};
const npmStartPort = await free();
await measure('`npm start` (serverless-offline, one process)', 'scripts/start.ts', npmStartPort, {
  HTTP_PORT: String(npmStartPort),
  LAMBDA_PORT: String(await free()),
  DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-load-start-')),
});
const serverPort = await free();
await measure('node:http server (scripts/serve.ts)', 'scripts/serve.ts', serverPort, { PORT: String(serverPort) });
await s3.close();

const ms = (v: number): string => (v < 1 ? `${(v * 1000).toFixed(0)} µs` : `${v.toFixed(2)} ms`);
console.log(
  `\nPOST /predict, one raw record; model ${modelTitle}; ${connections} keep-alive connections for ${seconds} s from the same machine.\n`,
);
console.log(
  '| host | answers | errors | timeouts | req/s | p50 | p99 | p99.9 | max | RSS (MB) at start, 1/4, 1/2, 3/4, end of the run |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  const l = r.load;
  console.log(
    `| ${r.host} | ${l.requests.toLocaleString('en-US')} | ${l.errors} | ${l.timeouts} | ${Math.round(l.perSecond).toLocaleString('en-US')} | ${ms(l.p50)} | ${ms(l.p99)} | ${ms(l.p999)} | ${ms(l.max)} | ${[r.rss.start, ...r.rss.quarters].map((v) => v.toFixed(0)).join(', ')} |`,
  );
}
process.exit(0);
