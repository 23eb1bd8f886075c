import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emitEmf, flushEmf, flushingEmf } from '../lib/observability/emf.ts';
import { onLambda } from '../lib/util/runtime.ts';
import { captureEmf, type EmfCapture } from './emf-capture.ts';

describe('CloudWatch Embedded Metric Format (Powertools Metrics, aggregated per invocation)', () => {
  let emf: EmfCapture;
  beforeEach(() => {
    emf = captureEmf();
  });
  afterEach(() => {
    flushEmf();
    emf.stop();
    delete process.env.AWS_LAMBDA_FUNCTION_NAME;
    delete process.env.IS_OFFLINE;
  });

  it('writes nothing off Lambda or under serverless-offline, even when flushed', () => {
    emitEmf({ Route: 'POST /predict' }, { Requests: { value: 1, unit: 'Count' } });
    flushEmf();
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'mlops-credit-score-prod-predict';
    process.env.IS_OFFLINE = 'true';
    emitEmf({ Route: 'POST /predict' }, { Requests: { value: 1, unit: 'Count' } });
    flushEmf();
    expect(emf.documents()).toEqual([]);
  });

  it('on Lambda writes nothing until the flush, then one document per dimension set with counts summed and other values kept', () => {
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'mlops-credit-score-prod-predict';
    for (let i = 0; i < 5; i++)
      emitEmf({ Model: 'credit-score', Class: i < 3 ? 'Good' : 'Poor' }, { Predictions: { value: 1, unit: 'Count' } });
    emitEmf(
      { Route: 'POST /predict', Status: '200' },
      { Requests: { value: 1, unit: 'Count' }, Latency: { value: 0.4, unit: 'Milliseconds' } },
    );
    emitEmf(
      { Route: 'POST /predict', Status: '200' },
      { Requests: { value: 1, unit: 'Count' }, Latency: { value: 0.6, unit: 'Milliseconds' } },
    );
    expect(emf.documents()).toEqual([]);
    flushEmf();
    const docs = emf.documents();
    expect(docs).toHaveLength(3);
    expect(docs.map((d) => [d.Class ?? d.Route, d.Predictions ?? d.Requests])).toEqual([
      ['Good', 3],
      ['Poor', 2],
      ['POST /predict', 2],
    ]);
    expect(docs[2].Latency).toEqual([0.4, 0.6]);
    // A second flush has nothing left to write.
    flushEmf();
    expect(emf.documents()).toHaveLength(3);
  });

  it('follows the EMF specification: namespace, our dimension set only (no Powertools "service"), metric units, values at the root', () => {
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'f';
    emitEmf({ Model: 'credit-score', Class: 'Good' }, { Predictions: { value: 3, unit: 'Count' } });
    flushEmf();
    const [doc] = emf.documents();
    expect(doc).toEqual({
      _aws: {
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [
          {
            Namespace: 'mlops-credit-score',
            Dimensions: [['Model', 'Class']],
            Metrics: [{ Name: 'Predictions', Unit: 'Count' }],
          },
        ],
      },
      Model: 'credit-score',
      Class: 'Good',
      Predictions: 3,
    });
  });

  it('a flush that cannot write one dimension set reports it, writes the others and does not throw', () => {
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'f';
    // An empty metric name: Powertools refuses it (RangeError) when the set is written.
    emitEmf({ Model: 'bad' }, { '': { value: 1, unit: 'Count' } });
    emitEmf({ Model: 'good' }, { Predictions: { value: 1, unit: 'Count' } });
    const failures: Error[] = [];
    expect(() => flushEmf((err) => failures.push(err))).not.toThrow();
    expect(failures.map((e) => e.name)).toEqual(['RangeError']);
    expect(emf.documents().map((d) => d.Model)).toEqual(['good']);
  });

  it('flushingEmf writes what the handler recorded when it returns and when it throws', async () => {
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'f';
    const ok = flushingEmf(async (n: number) => {
      emitEmf({ Task: 'ok' }, { Runs: { value: n, unit: 'Count' } });
      return n;
    });
    const failing = flushingEmf(async () => {
      emitEmf({ Task: 'failing' }, { Runs: { value: 1, unit: 'Count' } });
      throw new Error('boom');
    });
    expect(await ok(2)).toBe(2);
    await expect(failing()).rejects.toThrow('boom');
    expect(emf.documents().map((d) => [d.Task, d.Runs])).toEqual([
      ['ok', 2],
      ['failing', 1],
    ]);
  });

  it('writes early once 100 values are pending, so an invocation that never flushes holds a bounded buffer', () => {
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'f';
    for (let i = 0; i < 99; i++) emitEmf({ Route: 'GET /health' }, { Latency: { value: i, unit: 'Milliseconds' } });
    expect(emf.documents()).toEqual([]);
    emitEmf({ Route: 'GET /health' }, { Latency: { value: 99, unit: 'Milliseconds' } });
    expect(emf.documents()).toHaveLength(1);
    expect(emf.documents()[0].Latency).toHaveLength(100);
  });

  it('knows Lambda from one function: a deploy whose environment says IS_OFFLINE=false is Lambda, serverless-offline (IS_OFFLINE=true) and servers are not', () => {
    expect(onLambda({})).toBe(false);
    expect(onLambda({ AWS_LAMBDA_FUNCTION_NAME: 'f', IS_OFFLINE: 'true' })).toBe(false);
    expect(onLambda({ AWS_LAMBDA_FUNCTION_NAME: 'f', IS_OFFLINE: 'false' })).toBe(true);
    expect(onLambda({ AWS_LAMBDA_FUNCTION_NAME: 'f' })).toBe(true);
  });
});
