/**
 * One monitoring read for bench/monitoring.ts, in a process of its own so that its peak resident
 * memory is the read's: prints {"ms", "reads", "rssMb"} as its last line.
 *   tsx bench/monitoring-read.ts WHAT ENDPOINT BUCKET MODEL NOW_MS REQUEST_ID VERSION
 * WHAT: report24h, report7d, drift24h, canary, feedback, unknown.
 */
import { checkDriftCounts } from '../lib/drift/drift-check.ts';
import { baselineFingerprint } from '../lib/drift/baseline-fingerprint.ts';
import { inProcessReads } from '../lib/monitoring/monitoring-reads.ts';
import { readWindowSummary } from '../lib/monitoring/summary-reader.ts';
import { featureCountsOn } from '../lib/monitoring/summary.ts';
import { ModelRegistry } from '../lib/registry/model-registry.ts';
import { runCanaryCheck } from '../lib/release/canary-check.ts';
import { storedAnswers } from '../lib/release/captured-request.ts';
import type { ObjectStore } from '../lib/storage/object-store.ts';
import { S3ObjectStore } from '../lib/storage/s3-object-store.ts';

const [what, endpoint, bucket, model, nowArg, requestId, version] = process.argv.slice(2);
const now = Number(nowArg);
const inner = S3ObjectStore.fromConfig({
  bucket,
  region: 'us-east-1',
  endpoint,
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  requestTimeoutMs: 60_000,
});
let reads = 0;
/** Every storage call counted: what a read costs, whatever the store's speed. */
const store = new Proxy(inner, {
  get(target, property, receiver) {
    const value = Reflect.get(target, property, receiver) as unknown;
    if (typeof value !== 'function') return value;
    return (...args: unknown[]) => {
      if (['get', 'list', 'listPage', 'listChildren', 'exists'].includes(String(property))) reads++;
      return (value as (...a: unknown[]) => unknown).apply(target, args);
    };
  },
}) as ObjectStore;
const registry = new ModelRegistry(store);
const DAY = 86_400_000;

// The model is read before the clock starts: a serving container holds it already.
const model0 = what === 'drift24h' ? await registry.loadVersion(model, version) : null;
reads = 0;
const started = performance.now();
if (what === 'report24h' || what === 'report7d') {
  const report = await inProcessReads(store).report(model, now - (what === 'report24h' ? DAY : 7 * DAY), now, [
    'champion',
    'challenger',
  ]);
  if (!report.variants.length) throw new Error('the report found no traffic');
} else if (what === 'drift24h') {
  const { summary } = await readWindowSummary(store, model, now - DAY, now);
  const { baseline } = model0!.bundle;
  const report = checkDriftCounts(baseline, featureCountsOn(summary, baseline, baselineFingerprint(baseline)).counts);
  if (report.rows === 0) throw new Error('the drift check found no rows');
} else if (what === 'canary') {
  const result = await runCanaryCheck(registry, inProcessReads(store), model, now);
  // The step began when the bench started (simulated traffic reaches it in its last hour).
  if (!result.stats?.length && (result.decision?.numbers.minutesOnStep ?? 0) > 1)
    throw new Error(`the canary check judged nothing: ${JSON.stringify(result)}`);
} else if (what === 'feedback' || what === 'unknown') {
  const { answers } = await storedAnswers(store, model, requestId, 10_000, now);
  if ((answers !== null) !== (what === 'feedback'))
    throw new Error(`feedback lookup of ${requestId}: ${answers ? 'found' : 'not found'}`);
} else throw new Error(`unknown read ${what}`);
const ms = performance.now() - started;
console.log(JSON.stringify({ ms, reads, rssMb: process.resourceUsage().maxRSS / 1024 }));
process.exit(0);
