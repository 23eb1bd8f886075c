/**
 * CloudWatch Embedded Metric Format through Powertools for AWS Lambda's Metrics: on Lambda
 * nothing scrapes /metrics, so the same numbers go out as EMF documents on stdout, which
 * CloudWatch Logs turns into metrics. Only on real Lambda (not under serverless-offline, not in
 * a container): elsewhere nothing is kept or written.
 *
 * Aggregated per invocation: `emitEmf` only records; `flushEmf` writes once at the end, one
 * document per distinct dimension set, called by `flushingEmf`, which wraps every Lambda entry
 * (HTTP handlers in functions/runtime/http-handler.ts, the schedules and the retrain worker).
 * A Powertools Metrics instance has one dimension set and keeps every value of a metric (an
 * array, flushed at 100 values), so counts are summed here first: a 300-row batch is one
 * Predictions document per Model/Version/Variant/Class seen, not 300 lines.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { onLambda } from '../util/runtime.ts';

export const EMF_NAMESPACE = 'mlops-credit-score';

export type EmfUnit = 'Count' | 'Milliseconds' | 'Seconds' | 'None' | 'Percent';

export type EmfMetrics = Record<string, { value: number; unit: EmfUnit }>;

interface PendingSet {
  dimensions: Record<string, string>;
  /** Count metrics hold one running sum; the others every value seen (EMF takes an array). */
  metrics: Map<string, { unit: EmfUnit; values: number[] }>;
}

/**
 * A bound on what an invocation that never flushes can hold (a background model refresh after
 * the response, a path without the wrapper): past it the buffer is written early. 100 is
 * Powertools' own cap on values per metric and on metrics per document.
 */
const MAX_PENDING_VALUES = 100;

const pending = new Map<string, PendingSet>();
let pendingValues = 0;

/** Records metrics sharing one dimension set, to be written at the invocation's end (on Lambda only). */
export function emitEmf(dimensions: Record<string, string>, metrics: EmfMetrics): void {
  if (!onLambda()) return;
  const key = JSON.stringify(Object.entries(dimensions));
  let set = pending.get(key);
  if (!set) pending.set(key, (set = { dimensions: { ...dimensions }, metrics: new Map() }));
  for (const [name, { value, unit }] of Object.entries(metrics)) {
    const stored = set.metrics.get(name);
    if (!stored) {
      set.metrics.set(name, { unit, values: [value] });
      pendingValues++;
    } else if (unit === 'Count') stored.values[0] += value;
    else {
      stored.values.push(value);
      pendingValues++;
    }
  }
  if (pendingValues >= MAX_PENDING_VALUES) flushEmf();
}

/**
 * Writes what this invocation recorded, one EMF document per dimension set, and empties the
 * buffer. Never throws: a metric that cannot be written must not fail the request it describes.
 */
export function flushEmf(
  onFailure: (err: Error) => void = (err) => process.stderr.write(`EMF flush failed: ${err.message}\n`),
): void {
  const sets = [...pending.values()];
  pending.clear();
  pendingValues = 0;
  for (const set of sets) {
    try {
      const metrics = new Metrics({ namespace: EMF_NAMESPACE });
      // Powertools adds a "service" dimension by default; the dashboards and alarms use ours only.
      metrics.clearDefaultDimensions();
      metrics.setDefaultDimensions(set.dimensions);
      for (const [name, { unit, values }] of set.metrics)
        for (const value of values) metrics.addMetric(name, unit, value);
      // Powertools has already written a metric that reached 100 values; only what is left goes now.
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    } catch (err) {
      onFailure(err as Error);
    }
  }
}

/**
 * The handler, flushing what it recorded when it returns or throws. Around the whole middy chain
 * rather than as one of its middlewares: a middleware's `after` is skipped when an earlier one
 * answers early, a wrapper's `finally` is not.
 */
export function flushingEmf<A extends unknown[], R>(handler: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await handler(...args);
    } finally {
      flushEmf();
    }
  };
}
