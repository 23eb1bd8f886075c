/**
 * The predict function invoked in-process with a Lambda-shaped event, as Lambda calls it: on
 * "Lambda" (AWS_LAMBDA_FUNCTION_NAME set) a 300-row batch writes its Predictions as at most one
 * EMF document per class and variant, not one line per row; the request's Requests and Latency
 * once. Off Lambda the same invocation writes none.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as canaryScheduler } from '../functions/canary-scheduler.ts';
import { handler as driftScheduler } from '../functions/drift-scheduler.ts';
import { handler as housekeepingScheduler } from '../functions/housekeeping-scheduler.ts';
import { handler } from '../functions/predict.ts';
import { handler as retrainWorker } from '../functions/retrain-worker.ts';
import { resetService } from '../functions/runtime/service.ts';
import type { HttpEvent, LambdaContext } from '../lib/http/api-types.ts';
import { emitEmf } from '../lib/observability/emf.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { captureEmf, type EmfDocument } from './emf-capture.ts';
import { startServingS3 } from './s3.ts';

const ROWS = 300;
const records = (
  parse(readFileSync('data/credit_score_customers_raw.csv', 'utf8'), { columns: true, to: ROWS }) as Record<
    string,
    string
  >[]
).map(({ Credit_Score: _label, ...features }) => features);
let s3: EmbeddedS3;

beforeAll(async () => {
  const serving = await startServingS3();
  s3 = serving.s3;
  Object.assign(process.env, serving.env);
}, 120_000);

afterAll(async () => {
  delete process.env.AWS_LAMBDA_FUNCTION_NAME;
  resetService();
  await s3?.close();
});

async function invokePredict(): Promise<{ status: number; classes: string[]; emf: EmfDocument[] }> {
  resetService();
  const emf = captureEmf();
  try {
    const body = JSON.stringify({ instances: records });
    const now = Date.now();
    const event: HttpEvent = {
      version: '2.0',
      routeKey: 'POST /predict',
      rawPath: '/predict',
      rawQueryString: '',
      headers: { 'content-type': 'application/json' },
      requestContext: {
        accountId: '123456789012',
        apiId: 'api',
        domainName: 'api.example',
        domainPrefix: 'api',
        http: { method: 'POST', path: '/predict', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
        requestId: 'emf-1',
        routeKey: 'POST /predict',
        stage: '$default',
        time: new Date(now).toISOString(),
        timeEpoch: now,
      },
      body,
      isBase64Encoded: false,
    };
    const result = await handler(event, {
      awsRequestId: 'emf-invocation',
      getRemainingTimeInMillis: () => 60_000,
    } as LambdaContext);
    const predictions =
      result.statusCode === 200
        ? (JSON.parse(result.body) as { predictions: { prediction: string }[] }).predictions
        : [];
    return { status: result.statusCode, classes: predictions.map((p) => p.prediction), emf: emf.documents() };
  } finally {
    emf.stop();
  }
}

describe('EMF per invocation on Lambda', () => {
  it('off Lambda a 300-row predict writes no EMF document', async () => {
    delete process.env.AWS_LAMBDA_FUNCTION_NAME;
    const { status, classes, emf } = await invokePredict();
    expect(status).toBe(200);
    expect(classes).toHaveLength(ROWS);
    expect(emf).toEqual([]);
  }, 120_000);

  it('on Lambda a 300-row predict writes Predictions summing to 300 in one document per class seen, and Requests/Latency once', async () => {
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'mlops-credit-score-test-predict';
    const { status, classes, emf } = await invokePredict();
    expect(status).toBe(200);
    const seen = new Set(classes);
    // The rows get more than one class, so a document per row would show as more documents than classes.
    expect(seen.size).toBeGreaterThan(1);
    const predictionDocs = emf.filter((d) => 'Predictions' in d);
    // One variant (the champion): at most classes x variants documents, one per class answered.
    expect(predictionDocs).toHaveLength(seen.size);
    expect(predictionDocs.reduce((sum, d) => sum + (d.Predictions as number), 0)).toBe(ROWS);
    for (const doc of predictionDocs) {
      expect(doc._aws.CloudWatchMetrics).toEqual([
        {
          Namespace: 'mlops-credit-score',
          Dimensions: [['Model', 'Version', 'Variant', 'Class']],
          Metrics: [{ Name: 'Predictions', Unit: 'Count' }],
        },
      ]);
      expect(doc.Predictions).toBe(classes.filter((c) => c === doc.Class).length);
    }
    const requestDocs = emf.filter((d) => 'Requests' in d);
    expect(requestDocs).toHaveLength(1);
    expect(requestDocs[0]).toMatchObject({
      Route: 'POST /predict',
      Status: '200',
      Requests: 1,
      Latency: expect.any(Number),
    });
    expect(requestDocs[0]._aws.CloudWatchMetrics[0].Dimensions).toEqual([['Route', 'Status']]);
  }, 120_000);

  it('every schedule and the retrain worker write what their invocation recorded when they end, also when they throw', async () => {
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'mlops-credit-score-test-schedule';
    resetService();
    const entries: [string, () => Promise<unknown>][] = [
      ['canary-scheduler', () => canaryScheduler()],
      ['drift-scheduler', () => driftScheduler()],
      ['housekeeping-scheduler', () => housekeepingScheduler()],
      // Refused at once (no job id): the throw still flushes.
      ['retrain-worker', () => retrainWorker({})],
    ];
    for (const [name, invoke] of entries) {
      const emf = captureEmf();
      try {
        // A metric recorded during the invocation (as a model load would be), before the handler runs.
        emitEmf({ Entry: name }, { Marker: { value: 1, unit: 'Count' } });
        await invoke().catch(() => undefined);
        expect(
          emf.documents().filter((d) => d.Entry === name),
          name,
        ).toHaveLength(1);
      } finally {
        emf.stop();
      }
    }
  }, 120_000);
});
