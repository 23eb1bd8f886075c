/**
 * CloudWatch Embedded Metric Format: on Lambda nothing scrapes /metrics, so the same numbers go
 * out as one JSON line each on stdout, which CloudWatch Logs turns into metrics. Only on real
 * Lambda (not under serverless-offline, not in a container), where the line costs nothing else.
 */
import { onLambda } from '../util/runtime.ts';

export const EMF_NAMESPACE = 'mlops-credit-score';

export type EmfUnit = 'Count' | 'Milliseconds' | 'Seconds' | 'None' | 'Percent';

/** The EMF line for metrics sharing one set of dimensions. */
export function emfLine(dimensions: Record<string, string>, metrics: Record<string, { value: number; unit: EmfUnit }>, timestamp = Date.now()): string {
  return JSON.stringify({
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{ Namespace: EMF_NAMESPACE, Dimensions: [Object.keys(dimensions)], Metrics: Object.entries(metrics).map(([name, m]) => ({ Name: name, Unit: m.unit })) }],
    },
    ...dimensions,
    ...Object.fromEntries(Object.entries(metrics).map(([name, m]) => [name, m.value])),
  });
}

export function emitEmf(dimensions: Record<string, string>, metrics: Record<string, { value: number; unit: EmfUnit }>, write: (line: string) => void = (line) => process.stdout.write(line + '\n')): void {
  if (onLambda()) write(emfLine(dimensions, metrics));
}
