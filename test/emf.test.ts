import { afterEach, describe, expect, it } from 'vitest';
import { emfLine, emitEmf } from '../lib/observability/emf.ts';
import { onLambda } from '../lib/util/runtime.ts';

describe('CloudWatch Embedded Metric Format', () => {
  afterEach(() => {
    delete process.env.AWS_LAMBDA_FUNCTION_NAME;
    delete process.env.IS_OFFLINE;
  });

  it('writes one EMF line per call on Lambda only (not offline, not in a container)', () => {
    const lines: string[] = [];
    emitEmf({ Route: 'POST /predict' }, { Requests: { value: 1, unit: 'Count' } }, (l) => lines.push(l));
    expect(lines).toHaveLength(0);
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'mlops-credit-score-prod-predict';
    process.env.IS_OFFLINE = 'true';
    expect(onLambda()).toBe(false);
    delete process.env.IS_OFFLINE;
    emitEmf({ Route: 'POST /predict', Status: '200' }, { Requests: { value: 1, unit: 'Count' }, Latency: { value: 0.4, unit: 'Milliseconds' } }, (l) => lines.push(l));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toEqual(JSON.parse(emfLine({ Route: 'POST /predict', Status: '200' }, { Requests: { value: 1, unit: 'Count' }, Latency: { value: 0.4, unit: 'Milliseconds' } }, JSON.parse(lines[0])._aws.Timestamp)));
  });

  it('knows Lambda from one function: a deploy whose environment says IS_OFFLINE=false is Lambda, serverless-offline (IS_OFFLINE=true) and servers are not', () => {
    expect(onLambda({})).toBe(false);
    expect(onLambda({ AWS_LAMBDA_FUNCTION_NAME: 'f', IS_OFFLINE: 'true' })).toBe(false);
    expect(onLambda({ AWS_LAMBDA_FUNCTION_NAME: 'f', IS_OFFLINE: 'false' })).toBe(true);
    expect(onLambda({ AWS_LAMBDA_FUNCTION_NAME: 'f' })).toBe(true);
  });

  it('follows the EMF specification: namespace, dimension set, metric units, values at the root', () => {
    const line = JSON.parse(emfLine({ Model: 'credit-score', Class: 'Good' }, { Predictions: { value: 3, unit: 'Count' } }, 1700000000000));
    expect(line).toEqual({
      _aws: { Timestamp: 1700000000000, CloudWatchMetrics: [{ Namespace: 'mlops-credit-score', Dimensions: [['Model', 'Class']], Metrics: [{ Name: 'Predictions', Unit: 'Count' }] }] },
      Model: 'credit-score',
      Class: 'Good',
      Predictions: 3,
    });
  });
});
