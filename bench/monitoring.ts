/**
 * Monitoring at a lender's volume: a simulated day of traffic written into the embedded S3 server
 * through the project's own writers, then what watches the model measured as it grows.
 *   npm run bench:monitoring [-- --rate 50 --hours 24 --containers 10 --labelled 0.1 --load-seconds 20 --predict-rate 100]
 *   npm run bench:monitoring -- --dir bench/out/day   (keeps the store), then later, on a quiet machine:
 *   npm run bench:monitoring -- --dir bench/out/day --measure-only   (the reads and predict p99 again, no writing)
 *
 * Traffic: `rate` answers a second over `hours`, spread over `containers` capture writers
 * (PredictionCapture, each with its own instance id, cutting a batch every 10 s of simulated time,
 * 20 % of answers with their features, as CAPTURE_FEATURES_RATE), a canary sending 10 % to the
 * challenger, and `labelled` of the answers labelled through the feedback writer (saveFeedback,
 * then counted in the writer's next summary). The schedules run on simulated time: the rollup
 * every minute (15-minute look-back) and every hour (48 hours), as the canary schedule and
 * housekeeping run them.
 *
 * At 10k, 100k, 1M answers and at the end, each read runs in a fresh process (its peak resident
 * memory is its own): the 24 h report, the 7-day report, the 24 h drift check, the canary
 * evaluation (a step begun an hour before the end), feedback for an answer and for an unknown id.
 * At the end, the node:http service on the same store is sent predictions in an open loop
 * (`predict-rate` a second, timed from when each was due), alone and while it answers report,
 * drift and canary requests back to back, for the p99 of predict.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadDataset } from '../lib/data/dataset.ts';
import { loadSpec } from '../lib/data/spec.ts';
import { baselineFingerprint } from '../lib/drift/baseline-fingerprint.ts';
import { readNamedWindow } from '../lib/monitoring/named-window.ts';
import { rollUpSummaries } from '../lib/monitoring/rollup.ts';
import { readWindowSummary } from '../lib/monitoring/summary-reader.ts';
import type { AcceptedLabel } from '../lib/monitoring/summary.ts';
import { ModelRegistry } from '../lib/registry/model-registry.ts';
import { saveFeedback } from '../lib/release/feedback.ts';
import { captureFeatures, PredictionCapture } from '../lib/release/prediction-capture.ts';
import { trafficPolicySchema } from '../lib/release/traffic-policy.ts';
import { Predictor } from '../lib/serving/predictor.ts';
import type { CapturedPrediction } from '../lib/state/schemas.ts';
import { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { trainModel } from '../lib/pipeline/pipeline.ts';
import { createProgressReporter } from '../lib/training/progress.ts';
import { instanceOrderedId } from '../lib/util/instance-ids.ts';
import { mapLimit } from '../lib/util/map-limit.ts';
import { Random } from '../lib/util/random.ts';
import { runLoad, runOpenLoad, type LoadResult } from './http-load.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '50' },
    hours: { type: 'string', default: '24' },
    containers: { type: 'string', default: '10' },
    labelled: { type: 'string', default: '0.1' },
    'load-seconds': { type: 'string', default: '20' },
    'predict-rate': { type: 'string', default: '100' },
    /** Keep the store (and what was written) in this directory... */
    dir: { type: 'string' },
    /** ...and measure it again without writing (a day takes most of an hour to write; its reads take minutes). */
    'measure-only': { type: 'boolean', default: false },
    /** Write a CPU profile of the service under predict load into this directory (where the serving thread's time goes). */
    'cpu-prof': { type: 'string' },
    /**
     * With --measure-only: time the canary step's window (the last hour) this many times in this
     * process, read by listing (summary-reader.ts) and by name (named-window.ts) in turn, warm,
     * with their store calls; then stop (no fresh-process reads, no predict load).
     */
    'canary-window-reads': { type: 'string', default: '0' },
    /**
     * Give the service a core of its own (taskset: the service on CPU 0; this process, its load
     * generator and the S3 server on CPU 1), as in production where the store and the clients are
     * other machines: what is left in the p99 ratio is the service's own monitoring work (its
     * worker thread, at the lowest priority, shares the service's core). Linux, two cores or more.
     */
    pin: { type: 'boolean', default: false },
    /** With --measure-only: only predict p99 alone and during the reads (no fresh-process reads, no rollup check). */
    'p99-only': { type: 'boolean', default: false },
    /** Node or V8 flags for the service alone, space-separated (e.g. "--single-threaded-gc"): what a flag does to the tail. */
    'service-node-options': { type: 'string', default: '' },
  },
});
const RATE = Number(values.rate);
const HOURS = Number(values.hours);
const CONTAINERS = Number(values.containers);
const LABELLED = Number(values.labelled);
const LOAD_SECONDS = Number(values['load-seconds']);
const PREDICT_RATE = Number(values['predict-rate']);
const MEASURE_ONLY = values['measure-only'];
if (MEASURE_ONLY && !values.dir) throw new Error('--measure-only needs the --dir of an earlier run');
const TICK_MS = 10_000;
const MODEL = 'credit-score';
const BUCKET = 'bench';
const KEY = 'bench-admin-key-0123456789';
const log = (m: string): boolean => process.stderr.write(`${m}\n`);

if (values.pin) execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' }); // every thread; children inherit it

// ---- the embedded S3 server in a process of its own, as `npm run s3` runs it
const dataDir = values.dir ?? `bench/out/monitoring-${process.pid}`;
mkdirSync(dataDir, { recursive: true });
const s3Port = 20_000 + (process.pid % 20_000);
// Pinned, the store shares the load generator's core at the lowest priority: a busy store must not
// delay the generator's sends, which are timed from when each was due (the store stands for
// another machine).
const s3Command = [process.execPath, '--import', 'tsx', 'scripts/s3-server.ts'];
const s3 = values.pin
  ? spawn('nice', ['-n', '19', ...s3Command], {
      env: { ...process.env, DATA_DIR: dataDir, S3_PORT: String(s3Port), MODEL_BUCKET: BUCKET },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
  : spawn(s3Command[0], s3Command.slice(1), {
      env: { ...process.env, DATA_DIR: dataDir, S3_PORT: String(s3Port), MODEL_BUCKET: BUCKET },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
// A read that fails throws out of this process: the S3 server must not outlive it (one did, holding a port).
process.on('exit', () => s3.kill('SIGTERM'));
const endpoint = await new Promise<string>((resolve, reject) => {
  s3.stdout!.once('data', (chunk: Buffer) => resolve((JSON.parse(chunk.toString()) as { endpoint: string }).endpoint));
  s3.once('exit', (code) => reject(new Error(`the S3 server exited with ${code}`)));
});
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const store = S3ObjectStore.fromConfig({
  bucket: BUCKET,
  region: 'us-east-1',
  endpoint,
  credentials,
  requestTimeoutMs: 30_000,
});
const registry = new ModelRegistry(store);

/** What a run wrote and measured, kept beside the store with --dir so --measure-only can measure it again. */
interface BenchRun {
  traffic: { hours: number; rate: number; containers: number; labelled: number };
  version: string;
  answers: number;
  labels: number;
  /** Simulated "now" of the reads: five minutes after the last answer. */
  end: number;
  writeSeconds: number;
  samples: { requestId: string; at: number }[];
  measured: { answers: number; note?: string; results: Record<string, ReadResult> }[];
}

const run: BenchRun = {
  traffic: { hours: HOURS, rate: RATE, containers: CONTAINERS, labelled: LABELLED },
  version: '',
  answers: 0,
  labels: 0,
  end: 0,
  writeSeconds: 0,
  samples: [],
  measured: [],
};
const statePath = join(dataDir, 'bench-run.json');
if (MEASURE_ONLY) {
  Object.assign(run, JSON.parse(readFileSync(statePath, 'utf8')) as BenchRun);
  if (Number(values['canary-window-reads']) > 0) {
    await rollUpSummaries(store, MODEL, run.end, { lookbackMs: 2 * 3_600_000 });
    await compareCanaryWindowReads(run.end, Number(values['canary-window-reads']));
    s3.kill('SIGTERM');
    process.exit(0);
  }
  if (values['p99-only']) {
    const load = await predictUnderReads();
    s3.kill('SIGTERM');
    console.log(p99Line(load));
    process.exit(0);
  }
  // A store written before rollup marks (lib/monitoring/rollup-mark.ts) gets one as the hourly
  // housekeeping run would leave it (all up to date: it only reads, then marks); later runs keep it.
  const marking = performance.now();
  await rollUpSummaries(store, MODEL, run.end, { lookbackMs: 25 * 3_600_000 });
  log(`rollup mark checked in ${((performance.now() - marking) / 1000).toFixed(0)} s`);
  run.measured.push({ answers: run.answers, note: 'measured again', results: await measureReads(run.end) });
} else {
  await writeTraffic();
  if (values.dir) writeFileSync(statePath, JSON.stringify(run));
}

/** A day of traffic through the project's own writers (the module comment), measured at the checkpoints and at the end. */
async function writeTraffic(): Promise<void> {
  // ---- a real model, registered as champion and challenger
  const spec = loadSpec('data/specs/credit-score.json');
  log('training a small model for the captures (boosting, 2 folds)');
  const trained = await trainModel({
    dataFile: 'data/credit_score_customers_raw.csv',
    spec,
    folds: 2,
    seed: 7,
    classifiers: ['xgb'],
    samplers: ['none'],
    progress: createProgressReporter(process.stderr, true),
  });
  const { version } = await registry.publish(MODEL, trained.files, { createdBy: 'bench' });
  run.version = version;
  for (const alias of ['champion', 'challenger'])
    await registry.moveAlias(MODEL, alias, version, { reason: 'bench', actor: 'bench' });
  const predictor = new Predictor(trained.bundle);
  const baselineRef = {
    spec: trained.bundle.spec,
    baseline: trained.bundle.baseline,
    fingerprint: baselineFingerprint(trained.bundle.baseline),
  };
  const rows = loadDataset('data/credit_score_customers_raw.csv', spec).rows;
  const predicted = rows.map((row) => predictor.predictClean(row).label);

  // Simulated time: 23 hours before now to an hour after, so the canary step (begun now) holds the last hour.
  const realStart = Date.now();
  const T0 = Math.floor((realStart - (HOURS - 1) * 3_600_000) / TICK_MS) * TICK_MS;
  const END = T0 + HOURS * 3_600_000;
  const canary = trafficPolicySchema.parse({
    mode: 'canary',
    champion: 'champion',
    challenger: 'challenger',
    steps: [10, 50, 100],
    stepMinutes: 24 * 60,
  });
  await registry.changeTraffic(MODEL, () => ({ policy: canary, reason: 'bench canary', actor: 'bench' }));

  const random = new Random(3);
  const writers = Array.from({ length: CONTAINERS }, (_, c) => {
    const clock = { now: T0 };
    const instance = `b0000000000${c.toString(16)}`.slice(-12);
    const capture = new PredictionCapture(
      store,
      MODEL,
      {
        flushRecords: 1_000_000,
        flushIntervalMs: TICK_MS,
        maxBuffered: 10_000_000,
        instance,
        baselineOf: (v) => (v === version ? baselineRef : null),
      },
      { onFailed: (err) => log(`capture write failed: ${err.message}`) },
      () => clock.now,
    );
    return { instance, clock, capture };
  });

  const checkpoints = [10_000, 100_000, 1_000_000].filter((n) => n < RATE * HOURS * 3600);
  let row = 0;
  const writeStarted = performance.now();

  for (let t = T0; t < END; t += TICK_MS) {
    await Promise.all(
      writers.map(async (w) => {
        const n = Math.round((RATE * TICK_MS) / 1000 / CONTAINERS);
        const records: CapturedPrediction[] = [];
        const given: { record: CapturedPrediction; actual: string }[] = [];
        for (let i = 0; i < n; i++) {
          const at = t + Math.floor(((i + random.nextFloat()) / n) * TICK_MS);
          const r = row++ % rows.length;
          const variant = random.nextFloat() < 0.1 ? 'challenger' : 'champion';
          const record: CapturedPrediction = {
            requestId: instanceOrderedId(w.instance, new Date(at)),
            index: 0,
            at,
            version,
            alias: variant,
            variant,
            predicted: predicted[r],
            ok: true,
            latencyMs: 0.3 + 2 * random.nextFloat() ** 4,
            ...(random.nextFloat() < 0.2 ? { features: captureFeatures(rows[r]) } : {}),
          };
          records.push(record);
          if (random.nextFloat() < LABELLED)
            given.push({
              record,
              actual: random.nextFloat() < 0.8 ? predicted[r] : spec.target.classes[Math.floor(random.nextFloat() * 3)],
            });
          if ((run.answers + i) % 5_000 === 0) run.samples.push({ requestId: record.requestId, at });
        }
        w.capture.add(records);
        w.clock.now = t + TICK_MS;
        await w.capture.flush();
        // The labels of this tick's answers, as POST /feedback stores and counts them.
        const accepted: AcceptedLabel[] = [];
        await mapLimit(given, 8, async ({ record, actual }) => {
          const saved = await saveFeedback(store, MODEL, record.at, {
            requestId: record.requestId,
            index: 0,
            actual,
            at: w.clock.now,
            answers: [{ variant: record.variant, version, predicted: record.predicted!, at: record.at }],
          });
          if (saved.created)
            accepted.push({ variant: record.variant, version, predicted: record.predicted!, actual, at: w.clock.now });
        });
        w.capture.addLabels(accepted);
        run.answers += n;
        run.labels += accepted.length;
      }),
    );
    const now = t + TICK_MS;
    if (now % 60_000 === 0) await rollUpSummaries(store, MODEL, now);
    if (now % 3_600_000 === 0) {
      await rollUpSummaries(store, MODEL, now, { lookbackMs: 48 * 3_600_000 });
      log(
        `${new Date(now).toISOString()}: ${run.answers.toLocaleString('en-US')} answers, ${run.labels.toLocaleString('en-US')} labels written (${((performance.now() - writeStarted) / 1000).toFixed(0)} s)`,
      );
    }
    if (checkpoints.length && run.answers >= checkpoints[0]) {
      checkpoints.shift();
      run.measured.push({ answers: run.answers, results: await measureReads(now) });
    }
  }
  for (const w of writers) await w.capture.close(30_000);
  await rollUpSummaries(store, MODEL, END + 5 * 60_000, { lookbackMs: 48 * 3_600_000 });
  run.end = END + 5 * 60_000;
  run.measured.push({ answers: run.answers, results: await measureReads(run.end) });
  run.writeSeconds = (performance.now() - writeStarted) / 1000;
}

// ---- predict p99 on the node:http service, alone and while it answers the monitoring reads
const load = await predictUnderReads();

s3.kill('SIGTERM');
if (!values.dir) rmSync(dataDir, { recursive: true, force: true });

const fmt = (r: ReadResult | undefined): string =>
  r ? `${r.ms.toFixed(0)} ms, ${r.reads} reads, ${r.rssMb.toFixed(0)} MB` : '—';
const { traffic } = run;
console.log(
  `\n${traffic.hours} h at ${traffic.rate} answers/s from ${traffic.containers} containers, ${(traffic.labelled * 100).toFixed(0)} % labelled: ${run.answers.toLocaleString('en-US')} answers, ${run.labels.toLocaleString('en-US')} labels, written in ${run.writeSeconds.toFixed(0)} s. Each read in a fresh process: wall time, storage calls, peak resident memory of that process (Node and tsx alone: about 90 MB).\n`,
);
console.log(
  '| answers | 24 h report | 7-day report | drift check, 24 h | canary evaluation (1 h step) | feedback, an answer | feedback, unknown id |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const m of run.measured)
  console.log(
    `| ${m.answers.toLocaleString('en-US')}${m.note ? ` (${m.note})` : ''} | ${fmt(m.results.report24h)} | ${fmt(m.results.report7d)} | ${fmt(m.results.drift24h)} | ${fmt(m.results.canary)} | ${fmt(m.results.feedback)} | ${fmt(m.results.unknown)} |`,
  );
console.log(`\n${p99Line(load)}`);
process.exit(0);

/** The canary step's window (begun an hour before `now`, mid-minute as a step is) read both ways in turn, `times` times each. */
async function compareCanaryWindowReads(now: number, times: number): Promise<void> {
  const since = now - 3_600_000 + 17_000;
  const calls = { get: 0, listPage: 0 };
  const counted = new Proxy(store, {
    get: (target, name, receiver) => {
      const value = Reflect.get(target, name, receiver) as unknown;
      if ((name === 'get' || name === 'listPage') && typeof value === 'function')
        return (...args: unknown[]) => (calls[name]++, (value as (...a: unknown[]) => unknown).apply(target, args));
      return value;
    },
  });
  const ways = { listing: readWindowSummary, named: readNamedWindow };
  const times_: Record<string, number[]> = { listing: [], named: [] };
  const seen: Record<string, string> = {};
  for (let i = 0; i <= times; i++) {
    for (const [way, read] of Object.entries(ways)) {
      calls.get = calls.listPage = 0;
      const started = performance.now();
      const { summary } = await read(counted, MODEL, since, now, { slices: 1, features: false });
      const ms = performance.now() - started;
      if (i === 0) continue; // the first of each: connections and JIT
      times_[way].push(ms);
      const answers = summary.slices.reduce((n, slice) => n + slice.groups.reduce((m, g) => m + g.answers, 0), 0);
      seen[way] = `${calls.get} GETs, ${calls.listPage} listings, ${answers} answers counted`;
    }
  }
  for (const [way, list] of Object.entries(times_)) {
    const sorted = [...list].sort((a, b) => a - b);
    console.log(
      `canary step window by ${way}: median ${sorted[sorted.length >> 1].toFixed(0)} ms (${sorted[0].toFixed(0)}-${sorted[sorted.length - 1].toFixed(0)} ms over ${sorted.length}), ${seen[way]}`,
    );
  }
}

interface ReadResult {
  ms: number;
  reads: number;
  rssMb: number;
}

/** Each read in a fresh process (bench/monitoring-read.ts): its time, its storage calls, its peak memory. */
async function measureReads(now: number): Promise<Record<string, ReadResult>> {
  const sample = run.samples[Math.floor(run.samples.length / 2)] ?? { requestId: '', at: now };
  const unknown = instanceOrderedId('b0ffffffffff', new Date(sample.at));
  const results: Record<string, ReadResult> = {};
  for (const what of ['report24h', 'report7d', 'drift24h', 'canary', 'feedback', 'unknown']) {
    const args = [
      what,
      endpoint,
      BUCKET,
      MODEL,
      String(now),
      what === 'unknown' ? unknown : sample.requestId,
      run.version,
    ];
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/monitoring-read.ts', ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    results[what] = JSON.parse(out.trim().split('\n').pop()!) as ReadResult;
  }
  log(
    `at ${run.answers.toLocaleString('en-US')} answers: ${Object.entries(results)
      .map(([k, r]) => `${k} ${r.ms.toFixed(0)} ms/${r.reads} reads/${r.rssMb.toFixed(0)} MB`)
      .join(', ')}`,
  );
  return results;
}

async function predictUnderReads(): Promise<{
  alone: LoadResult;
  during: LoadResult;
  reads: number;
  delay: { alone: LoopDelay; during: LoopDelay };
}> {
  const port = s3Port + 1;
  const env = {
    ...process.env,
    MODEL_BUCKET: BUCKET,
    S3_ENDPOINT: endpoint,
    S3_ACCESS_KEY_ID: 'S3RVER',
    S3_SECRET_ACCESS_KEY: 'S3RVER',
    ADMIN_API_KEYS: KEY,
    LOG_LEVEL: 'silent',
    PORT: String(port),
    HOST: '127.0.0.1',
  };
  const profile = values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']] : [];
  const flags = values['service-node-options'].split(' ').filter(Boolean);
  const command = [process.execPath, ...flags, ...profile, '--import', 'tsx', 'scripts/serve.ts'];
  const service: ChildProcess = values.pin
    ? spawn('taskset', ['-c', '0', ...command], { env, stdio: 'ignore' })
    : spawn(command[0], command.slice(1), { env, stdio: 'ignore' });
  const header = (await (await waitForService(port)).json()) as { sampleRequest: Record<string, unknown> };
  const body = JSON.stringify(header.sampleRequest);
  await runLoad({ port, path: '/predict', body, connections: 4, maxRequests: 2_000, maxSeconds: 10 }); // warm-up
  // Open loop at a rate the service answers with cores to spare: latency, not saturation.
  const load = (): Promise<LoadResult> =>
    runOpenLoad({ port, path: '/predict', body, ratePerSecond: PREDICT_RATE, seconds: LOAD_SECONDS });
  const admin = { 'x-api-key': KEY, 'content-type': 'application/json' };
  // The service's own event-loop delay over each run (prom-client resets its histogram at every
  // scrape): whether predictions waited on the serving thread, or on a core taken by something else.
  const loopDelay = async (): Promise<LoopDelay> => {
    const text = await (
      await fetch(`http://127.0.0.1:${port}/metrics`, { headers: admin, signal: AbortSignal.timeout(10_000) })
    ).text();
    const value = (name: string): number =>
      Number(
        new RegExp(`^credit_score_nodejs_eventloop_lag_${name}_seconds(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ??
          NaN,
      ) * 1000;
    return { p99: value('p99'), max: value('max') };
  };
  await loopDelay();
  const alone = await load();
  const aloneDelay = await loopDelay();
  let reads = 0;
  let stop = false;
  const reader = (async () => {
    for (let i = 0; !stop && i < 10_000; i++) {
      const [method, path, payload] = [
        ['GET', '/model/report?minutes=1440', undefined],
        ['POST', '/drift/check', '{}'],
        ['POST', '/model/canary/check', undefined],
      ][i % 3];
      await fetch(`http://127.0.0.1:${port}${path}`, {
        method,
        headers: admin,
        body: payload,
        signal: AbortSignal.timeout(60_000),
      }).then((r) => r.arrayBuffer());
      reads++;
    }
  })();
  const during = await load();
  const duringDelay = await loopDelay();
  stop = true;
  await reader;
  // Waited for: the profile is written as the service exits, and its last captures while the store still answers.
  const exited = new Promise((resolve) => service.once('exit', resolve));
  service.kill('SIGTERM');
  await exited;
  return { alone, during, reads, delay: { alone: aloneDelay, during: duringDelay } };
}

/** predict p99 alone and during the reads, as one line of the bench's output. */
function p99Line(load: Awaited<ReturnType<typeof predictUnderReads>>): string {
  return `POST /predict on the node:http service${values.pin ? ' (on a core of its own: --pin)' : ''} (one record, open loop at ${PREDICT_RATE}/s: ${load.alone.requests} and ${load.during.requests} requests): p99 ${load.alone.p99.toFixed(2)} ms alone, ${load.during.p99.toFixed(2)} ms while it answered ${load.reads} monitoring requests (24 h report, drift check, canary check) (ratio ${(load.during.p99 / load.alone.p99).toFixed(2)}); p50 ${load.alone.p50.toFixed(2)} / ${load.during.p50.toFixed(2)} ms. The service's event-loop delay: p99 ${load.delay.alone.p99.toFixed(1)} / ${load.delay.during.p99.toFixed(1)} ms, max ${load.delay.alone.max.toFixed(1)} / ${load.delay.during.max.toFixed(1)} ms (alone / during).`;
}

interface LoopDelay {
  p99: number;
  max: number;
}

async function waitForService(port: number): Promise<Response> {
  for (let i = 0; i < 600; i++) {
    const r = await fetch(`http://127.0.0.1:${port}/model/info`, { signal: AbortSignal.timeout(2_000) }).catch(
      () => null,
    );
    if (r?.ok) return r;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the service did not answer /model/info within 2 minutes');
}
