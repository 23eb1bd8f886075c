/**
 * The API's edges a user meets first, over real HTTP (node:http adapter) against the embedded
 * S3 server: feedback for answers that were never given, or past a batch's end; a retrain with
 * no body; a drift check given two sources; the drift report's summary.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getService, resetService } from '../functions/runtime/service.ts';
import { driftReportResponseSchema } from '../lib/drift/drift-summary.ts';
import { readFeedback } from '../lib/release/feedback.ts';
import { readCsvFile } from '../lib/data/dataset.ts';
import { retrainRequestSchema } from '../lib/retrain/retrain-request.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import type { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { freePort, tempDir } from './helpers.ts';
import { startInProcessApi, type InProcessApi } from './in-process-api.ts';
import { startServingS3 } from './s3.ts';

const KEY = 'edges-admin-key-0123456789abcdef';
let s3: EmbeddedS3;
let store: S3ObjectStore;
let api: InProcessApi;
let url: string;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
type Json = any;

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Json }> {
  const r = await fetch(url + path, {
    method,
    headers: { 'content-type': 'application/json', 'x-api-key': KEY, ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: r.status, json: await r.json() };
}

/** A service account directory (token, namespace) for a Kubernetes API server that is not there. */
function serviceAccountDir(): string {
  const dir = tempDir('api-edges-sa');
  writeFileSync(join(dir, 'token'), 'token');
  writeFileSync(join(dir, 'namespace'), 'credit-score');
  return dir;
}

beforeAll(async () => {
  const serving = await startServingS3();
  ({ s3, store } = serving);
  api = await startInProcessApi({
    ...serving.env,
    ADMIN_API_KEYS: KEY,
    // Captures stay in the buffer until the test flushes them.
    CAPTURE_FLUSH_SECONDS: '3600',
    // A retrain runner that refuses every start: the job is recorded (with its request) and failed at once.
    RETRAIN_RUNNER: 'kubernetes',
    KUBERNETES_API_URL: `http://127.0.0.1:${await freePort()}`,
    KUBERNETES_SERVICE_ACCOUNT_DIR: serviceAccountDir(),
  });
  url = api.url;
}, 120_000);

afterAll(async () => {
  await api?.close();
  await s3?.close();
});

describe('POST /feedback', () => {
  let requestId: string;

  beforeAll(async () => {
    const sample = (await call('GET', '/model/info')).json.sampleRequest;
    const predicted = await call('POST', '/predict', { instances: [sample, sample, sample] });
    expect(predicted.status).toBe(200);
    requestId = predicted.json.requestId;
  });

  it('takes feedback for an answer still in the capture buffer, and refuses an unknown request (404) or an index past its instances (422)', async () => {
    expect(await store.list('captures/')).toEqual([]);
    expect((await getService()).models.primary.capture.status().pending).toBe(3);
    expect((await call('POST', '/feedback', { requestId, index: 2, actual: 'Poor' })).status).toBe(202);
    const past = await call('POST', '/feedback', { requestId, index: 3, actual: 'Poor' });
    expect(past.status).toBe(422);
    expect(past.json.error.message).toBe(
      `index 3 is beyond request ${requestId}, which had 3 instances (index 0 to 2)`,
    );
    expect(past.json.error.details).toEqual([{ field: 'index', message: 'at most 2' }]);
    const unknown = await call('POST', '/feedback', { requestId: 'no-such-request-0001', actual: 'Good' });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.message).toMatch(
      /^no prediction with requestId no-such-request-0001 among the answers captured in the last 7 days/,
    );
  });

  it('keeps the first label of an answer: the same class again is a harmless retry, another class a 409', async () => {
    const retry = await call('POST', '/feedback', { requestId, index: 2, actual: 'Poor' });
    expect(retry.status).toBe(202);
    expect(retry.json.duplicate).toBe(true);
    const other = await call('POST', '/feedback', { requestId, index: 2, actual: 'Good' });
    expect(other.status).toBe(409);
    expect(other.json.error.message).toMatch(new RegExp(`^answer 2 of request ${requestId} was labelled Poor at `));
    // Counted once: one label waits for the summary, not two.
    expect((await getService()).models.primary.capture.status().pending).toBe(3 + 1);
  });

  it('finds the answer in storage once written, from a container that never held it', async () => {
    await (await getService()).models.primary.capture.flush();
    // One batch, and its summary.
    expect(
      (await store.list('captures/')).map((k) => (k.includes('/summaries/') ? 'summary' : 'batch')).sort(),
    ).toEqual(['batch', 'summary']);
    resetService(); // a fresh container: an empty capture buffer
    expect((await call('POST', '/feedback', { requestId, actual: 'Good' })).status).toBe(202);
    // The label, held for the container's next summary; no answer was captured by it.
    expect((await getService()).models.primary.capture.status().pending).toBe(1);
    expect((await call('POST', '/feedback', { requestId, index: 7, actual: 'Good' })).status).toBe(422);
    expect((await call('POST', '/feedback', { requestId: 'no-such-request-0002', actual: 'Good' })).status).toBe(404);
    const stored = await readFeedback(store, 'credit-score', Date.now() - 60_000);
    expect(Object.fromEntries([...stored].map(([key, record]) => [key, record.actual]))).toEqual({
      [`${requestId}#2`]: 'Poor',
      [`${requestId}#0`]: 'Good',
    });
    // Each label carries the answer it is for, so reports count it without reading the captures.
    expect(stored.get(`${requestId}#0`)!.answers).toEqual([
      expect.objectContaining({ variant: 'default', predicted: expect.any(String) }),
    ]);
  });
});

describe('POST /model/retrain with no body', () => {
  it('takes no body, an empty one or a blank one as {} (every field has a default), and malformed JSON is still 400', async () => {
    const defaults = JSON.parse(JSON.stringify(retrainRequestSchema.parse({})));
    for (const [what, body] of [
      ['no body', undefined],
      ['an empty body', ''],
      ['a blank body', ' \n\t'],
    ] as const) {
      const r = await call('POST', '/model/retrain', body);
      // The runner refuses to start it (503): by then the request was accepted and recorded.
      expect(r.status, what).toBe(503);
      const latest = (await call('GET', '/model/retrain?limit=1')).json.jobs[0];
      expect(latest.request, what).toEqual(defaults);
      expect(latest.status, what).toBe('failed');
    }
    const jobs = (await call('GET', '/model/retrain')).json.jobs.length;
    expect(jobs).toBe(3);
    const malformed = await call('POST', '/model/retrain', '{"cv": 2');
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.message).toMatch(/not valid JSON/);
    expect((await call('GET', '/model/retrain')).json.jobs).toHaveLength(jobs);
    // A route whose body has required fields still says an empty body is empty.
    expect((await call('POST', '/model/promote', '')).status).toBe(400);
  });
});

describe('POST /drift/check', () => {
  const lines = readFileSync('data/credit_score_customers_raw.csv', 'utf8').split('\n');
  const { header, records } = readCsvFile('data/credit_score_customers_raw.csv');
  const quote = (cell: string): string => (/[",]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);

  it('refuses dataKey and csv together, naming both (422), rather than choosing one', async () => {
    const r = await call('POST', '/drift/check', { dataKey: 'data/x.csv', csv: lines.slice(0, 300).join('\n') });
    expect(r.status).toBe(422);
    expect(r.json.error.details.map((d: Json) => d.field)).toEqual(['dataKey', 'csv']);
    expect(r.json.error.message).toMatch(
      /^invalid drift check request: dataKey: sent with csv: send one of dataKey and csv.*; csv: sent with dataKey/,
    );
  });

  it('answers a report that starts with its summary: verdict, drifted columns by effect, counts; the details after, as documented', async () => {
    // Rows the model never saw, incomes and balances scaled: a shift in a few numeric columns.
    const scale: Record<string, number> = { Annual_Income: 3, Monthly_Inhand_Salary: 1.6, Monthly_Balance: 2.2 };
    const shifted = records.slice(2000, 2400).map((record) => {
      const cells = [...record];
      header.forEach((column, i) => {
        const value = Number.parseFloat(cells[i].replace(/_/g, ''));
        if (scale[column] && Number.isFinite(value)) cells[i] = String(value * scale[column]);
      });
      return cells.map(quote).join(',');
    });
    const r = await call('POST', '/drift/check', { csv: [header.map(quote).join(','), ...shifted].join('\n') });
    expect(r.status).toBe(200);
    expect(Object.keys(r.json)[0]).toBe('summary');
    const report = driftReportResponseSchema.strict().parse(r.json);
    const { summary } = report;
    expect(summary.verdict).toBe(report.verdict);
    expect(summary.counts).toEqual({
      columns: report.columns.length,
      evaluated: report.evaluated,
      drifted: report.drifted,
      rows: 400,
    });
    const drifted = report.columns.filter((c) => c.status === 'drift');
    expect(summary.drifted.map((d) => d.column).sort()).toEqual(drifted.map((c) => c.column).sort());
    expect(summary.drifted.length).toBeGreaterThanOrEqual(2);
    const effects = summary.drifted.map((d) => d.effect ?? 0);
    expect(effects).toEqual([...effects].sort((a, b) => b - a));
    expect(summary.drifted.map((d) => d.column)).toContain('Annual_Income');
    // GET /drift/latest answers the same report, summary first.
    const latest = await call('GET', '/drift/latest');
    expect(Object.keys(latest.json)[0]).toBe('summary');
    expect(latest.json.summary).toEqual(summary);
  });
});
