/**
 * A 1,000-row POST /predict batch: the handler's time against the predictor's own on the same rows,
 * and where the difference goes (issue 29: "a 1,000-row batch within 2x of the predictor's own
 * time"). In one process, alternated, warm, medians of `--rounds`, wall time and this process's CPU
 * time (steadier than wall time on a shared machine):
 *   node --import tsx bench/predict-batch.ts [--model bench/out/quality/credit-model] [--rows 1000] [--rounds 30]
 * Phases: JSON.parse of the body; validation and cleaning (parsePredictRequest); the predictor on
 * the cleaned rows, row by row (predictClean) and as one batch (predictCleanBatch, what the handler
 * calls); the whole handler (routing, metrics,
 * capture, the answer's JSON) called directly, as Lambda calls it; the same over node:http.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { parseArgs } from 'node:util';
import { readArtifactDirectory } from '../lib/artifact/artifact-directory.ts';
import { bundleToFiles } from '../lib/artifact/model-bundle.ts';
import { ModelRegistry } from '../lib/registry/model-registry.ts';
import { parsePredictRequest } from '../lib/serving/predict-request.ts';
import { Predictor } from '../lib/serving/predictor.ts';
import { startEmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { SERVERLESS_ENV } from '../scripts/serverless-env.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'bench/out/quality/credit-model' },
    rows: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '30' },
  },
});
const ROWS = Number(values.rows);
const ROUNDS = Number(values.rounds);
const log = (m: string): boolean => process.stderr.write(`${m}\n`);

const s3 = await startEmbeddedS3({ directory: `bench/out/predict-batch-s3-${process.pid}`, buckets: ['bench'] });
const registry = new ModelRegistry(
  S3ObjectStore.fromConfig({
    bucket: 'bench',
    region: 'us-east-1',
    endpoint: s3.endpoint,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  }),
);
const { bundle } = await readArtifactDirectory(values.model);
const { version } = await registry.publish('credit-score', bundleToFiles(bundle), { createdBy: 'bench' });
await registry.moveAlias('credit-score', 'champion', version, { reason: 'bench', actor: 'bench' });

// The records as a client sends them: the CSV's rows (strings, dirty as they come), the target left out.
const table = parse(readFileSync('data/credit_score_customers_raw.csv', 'utf8'), { columns: true }) as Record<
  string,
  string
>[];
const target = bundle.spec.target.column;
const instances = Array.from({ length: ROWS }, (_, i) => {
  const { [target]: _label, ...record } = table[i % table.length];
  return record;
});
const body = JSON.stringify({ instances });
log(`${ROWS} rows, body ${(body.length / 1024).toFixed(0)} KiB`);

Object.assign(process.env, {
  ...SERVERLESS_ENV,
  MODEL_BUCKET: 'bench',
  S3_ENDPOINT: s3.endpoint,
  S3_ACCESS_KEY_ID: 'S3RVER',
  S3_SECRET_ACCESS_KEY: 'S3RVER',
  ADMIN_API_KEYS: 'bench-admin-key-0123456789',
  LOG_LEVEL: 'silent',
  MAX_INSTANCES: String(Math.max(ROWS, 1000)),
});
const { handler } = await import('../functions/predict.ts');
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
const first = await handler(event(), context);
if (first.statusCode !== 200)
  throw new Error(`the handler answered ${first.statusCode}: ${String(first.body).slice(0, 300)}`);

const predictor = new Predictor(bundle);
const parsed = parsePredictRequest(JSON.parse(body), bundle.spec, ROWS);
const phases: Record<string, () => unknown> = {
  'JSON.parse of the body': () => JSON.parse(body),
  'validation and cleaning (parsePredictRequest)': () => parsePredictRequest(JSON.parse(body), bundle.spec, ROWS),
  'the predictor on the cleaned rows': () => parsed.rows.map((row) => predictor.predictClean(row)),
  'the predictor on the cleaned rows, one batch': () => predictor.predictCleanBatch(parsed.rows),
};
const times: Record<string, { wall: number[]; cpu: number[] }> = Object.fromEntries(
  [...Object.keys(phases), 'the handler, called directly'].map((k) => [k, { wall: [], cpu: [] }]),
);
const timed = async (name: string, record: boolean, run: () => unknown): Promise<void> => {
  const [wall, cpu] = [performance.now(), process.cpuUsage()];
  await run();
  const used = process.cpuUsage(cpu);
  if (!record) return;
  times[name].wall.push(performance.now() - wall);
  times[name].cpu.push((used.user + used.system) / 1000);
};
for (let round = 0; round <= ROUNDS; round++) {
  for (const [name, run] of Object.entries(phases)) await timed(name, round > 0, run);
  await timed('the handler, called directly', round > 0, () => handler(event(), context));
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const of = (name: string, what: 'wall' | 'cpu'): number => median(times[name][what]);
const BATCH = 'the predictor on the cleaned rows, one batch';
const own = (what: 'wall' | 'cpu'): number =>
  of(BATCH, what) + of('validation and cleaning (parsePredictRequest)', what);
console.log(
  `| ${ROWS}-row batch, median of ${ROUNDS} | wall ms | CPU ms | rows/s (wall) | CPU x (cleaning + batch predictor) | CPU x batch predictor alone |`,
);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const name of Object.keys(times)) {
  const [wall, cpu] = [of(name, 'wall'), of(name, 'cpu')];
  console.log(
    `| ${name} | ${wall.toFixed(2)} | ${cpu.toFixed(2)} | ${Math.round((ROWS / wall) * 1000).toLocaleString('en-US')} | ${(cpu / own('cpu')).toFixed(2)} | ${(cpu / of(BATCH, 'cpu')).toFixed(2)} |`,
  );
}
await s3.close();
process.exit(0);
