/**
 * Observability over real HTTP (node:http adapter) against the embedded S3 server, on the real
 * credit data: ECS access logs without personal data, captures without personal data, and a
 * drift check that triggers a retrain end to end (shifted data -> report -> job -> new version).
 */
import type { Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter, listen } from '../functions/adapter/node-http.ts';
import { resetService } from '../functions/runtime/service.ts';
import { ModelRegistry } from '../lib/registry/model-registry.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import type { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { subsetCsv, tempDir, trainSmallModel } from './helpers.ts';
import { expandKeys, filebeatProblems, mappingProblems, readLines, readTemplate } from './log-shipping-rules.ts';
import { startTestS3, TEST_BUCKET } from './s3.ts';

const KEY = 'observe-admin-key-0123456789';
const raw = readFileSync('data/credit_score_customers_raw.csv', 'utf8');
const records = parse(raw, { columns: true }) as Record<string, string>[];
const header = Object.keys(records[0]);
let s3: EmbeddedS3;
let store: S3ObjectStore;
let registry: ModelRegistry;
let server: Server;
let url: string;
let logFile: string;
let champion: string;

function toCsv(rows: Record<string, string>[]): string {
  const cell = (v: string): string => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [header.join(','), ...rows.map((r) => header.map((h) => cell(r[h])).join(','))].join('\n') + '\n';
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies
async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const r = await fetch(url + path, {
    method,
    headers: { 'content-type': 'application/json', 'x-api-key': KEY },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: r.status, json: await r.json() };
}

beforeAll(async () => {
  ({ s3, store } = await startTestS3());
  registry = new ModelRegistry(store);
  champion = (await registry.publish('credit-score', (await trainSmallModel()).files, { createdBy: 'test' })).version;
  await registry.moveAlias('credit-score', 'champion', champion, { reason: 'first', actor: 'test' });
  const dir = tempDir('observe');
  logFile = join(dir, 'service.log');
  Object.assign(process.env, {
    MODEL_BUCKET: TEST_BUCKET,
    S3_ENDPOINT: s3.endpoint,
    S3_ACCESS_KEY_ID: 'S3RVER',
    S3_SECRET_ACCESS_KEY: 'S3RVER',
    ADMIN_API_KEYS: KEY,
    ALIAS_REFRESH_SECONDS: '0.3',
    LOG_LEVEL: 'info',
    LOG_FILE: logFile,
    CAPTURE_FLUSH_RECORDS: '20',
    // A slow run's timer may cut a partial batch; the rest then waits for the next tick, which the test's bounded wait covers.
    CAPTURE_FLUSH_SECONDS: '1',
    CAPTURE_FEATURES_RATE: '1',
    DRIFT_POLICY: 'retrain',
    DRIFT_MIN_SAMPLES: '100',
    RETRAIN_RUNNER: 'child-process',
    DEFAULT_TRAINING_DATA: subsetCsv('data/credit_score_customers_raw.csv', 700, join(dir, 'retrain.csv')),
  });
  resetService();
  server = createAdapter();
  url = await listen(server, { port: 0 });
});

afterAll(async () => {
  resetService(); // stops the service's background refresh and capture timers
  await new Promise((r) => server.close(r));
  await s3.close();
});

describe('logs and captures on the real data', () => {
  it('write ECS access lines and captures, and neither carries a name or an SSN', async () => {
    const sent = records.slice(1000, 1120);
    for (const record of sent) expect((await call('POST', '/predict', record)).status).toBe(200);
    expect((await call('POST', '/predict', { ...sent[0], Age: 'old-XYZZY-7' })).status).toBe(422);
    const lines = readFileSync(logFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const access = lines.filter((l) => l['log.logger'] === 'access' && l['url.path'] === '/predict');
    expect(access.length).toBe(121);
    for (const line of access) {
      for (const field of [
        '@timestamp',
        'log.level',
        'ecs.version',
        'service.name',
        'http.request.id',
        'http.request.method',
        'http.response.status_code',
        'event.duration',
        'route',
      ])
        expect(line).toHaveProperty([field]);
    }
    expect(
      access
        .filter((l) => l['http.response.status_code'] === 200)
        .every((l) => l['model.version'] === champion && l['model.variant'] === 'default'),
    ).toBe(true);
    // Batches of 20 are written in the background as they fill: wait (bounded) for the last.
    let captured = '';
    for (let i = 0; i < 50 && captured.split('\n').filter(Boolean).length < 120; i++) {
      if (i) await new Promise((r) => setTimeout(r, 100));
      const batches = (await store.list('captures/credit-score/')).filter((k) => k.endsWith('.ndjson'));
      captured = (
        await Promise.all(batches.map(async (k) => new TextDecoder().decode((await store.get(k))!.bytes)))
      ).join('\n');
    }
    expect(captured.split('\n').filter(Boolean).length).toBe(120);
    const summaryKeys = (await store.list('captures/credit-score/summaries/')).filter((k) => k.endsWith('.json'));
    expect(summaryKeys.length).toBeGreaterThan(0);
    const summaries = (
      await Promise.all(summaryKeys.map(async (k) => new TextDecoder().decode((await store.get(k))!.bytes)))
    ).join('\n');
    const logs = readFileSync(logFile, 'utf8');
    // A rejected value is named by its field in the log, never quoted.
    expect(logs).not.toContain('XYZZY');
    expect(lines.find((l) => l['http.response.status_code'] === 422)).toMatchObject({
      'error.code': 'invalid_request',
      'error.fields': ['Age'],
    });
    for (const record of sent) {
      for (const value of [record.Name, record.SSN, record.Customer_ID]) {
        if (value.length < 4) continue;
        expect(logs.includes(value), `log contains ${value}`).toBe(false);
        expect(captured.includes(value), `capture contains ${value}`).toBe(false);
        expect(summaries.includes(value), `capture summary contains ${value}`).toBe(false);
      }
    }
  });
});

describe('drift detection that retrains', () => {
  it('finds no drift in fresh data of the same source, checking CSV text and the captured window', async () => {
    const same = await call('POST', '/drift/check', { csv: toCsv(records.slice(3000, 3600)) });
    expect(same.status).toBe(200);
    expect(same.json).toMatchObject({ verdict: 'stable', drifted: 0, action: 'none', source: { kind: 'upload' } });
    const window = await call('POST', '/drift/check', {});
    expect(window.json.source.kind).toBe('captures');
    expect(window.json.rows).toBe(120);
  });

  it('runs shifted data -> drift report -> retrain job -> new registered version, once per cooldown', async () => {
    const money = [
      'Annual_Income',
      'Monthly_Inhand_Salary',
      'Outstanding_Debt',
      'Total_EMI_per_month',
      'Amount_invested_monthly',
      'Monthly_Balance',
      'Credit_Utilization_Ratio',
      'Changed_Credit_Limit',
      'Delay_from_due_date',
    ];
    const shifted = records.slice(4000, 4600).map((r) => ({
      ...r,
      ...Object.fromEntries(money.map((c) => [c, String(Number(r[c].replace(/_/g, '')) * 1.6 + 40)])),
      Occupation: 'Lawyer',
      Payment_of_Min_Amount: 'Yes',
    }));
    await store.put('data/shifted.csv', new TextEncoder().encode(toCsv(shifted)));
    const report = await call('POST', '/drift/check?apply=true', { dataKey: 'data/shifted.csv' });
    expect(report.json).toMatchObject({
      verdict: 'drift',
      policy: 'retrain',
      action: 'retrain-started',
      version: champion,
    });
    expect(
      report.json.columns
        .filter((c: { status: string }) => c.status === 'drift')
        .map((c: { column: string }) => c.column),
    ).toEqual(expect.arrayContaining(['Annual_Income', 'Occupation']));
    const deadline = Date.now() + 120_000;
    let job;
    do {
      await new Promise((r) => setTimeout(r, 250));
      job = (await call('GET', `/model/retrain/${report.json.jobId}`)).json;
    } while (!['succeeded', 'failed'].includes(job.status) && Date.now() < deadline);
    expect(job.status).toBe('succeeded');
    expect(job.requestedBy).toBe('drift-policy');
    expect(await registry.listVersions('credit-score')).toContain(job.result.version);
    const again = await call('POST', '/drift/check?apply=true', { dataKey: 'data/shifted.csv' });
    expect(again.json.action).toBe('retrain-cooldown');
    const latest = await call('GET', '/drift/latest');
    expect(latest.json.id).toBe(again.json.id);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/credit_score_drift_verdict\{model="credit-score"[^}]*\} 2/);
    expect(metrics).toMatch(/credit_score_drift_score\{model="credit-score",feature="Annual_Income",measure="psi"/);
  });

  it('refuses a CSV with missing columns with a message naming them', async () => {
    const r = await call('POST', '/drift/check', { csv: 'Age,Occupation\n30,Lawyer\n' });
    expect(r.status).toBe(422);
    expect(r.json.error.message).toMatch(/missing column\(s\): Annual_Income/);
  });
});

describe('the log lines of all of it', () => {
  // Requests, model loads, drift checks and the retrain job's own lines: each one as Filebeat and
  // the index template (observability/) take it (test/log-shipping-rules.ts).
  it("meet Filebeat's parser rules and the log template's mappings, every field mapped with a type that takes it", () => {
    const mappings = readTemplate('observability/elk/credit-score-index-template.json').template.mappings;
    const lines = readLines(logFile);
    expect(new Set(lines.map((l) => l['log.logger']))).toEqual(new Set(['access', 'model', 'drift', 'retrain']));
    for (const line of lines) {
      const problems = filebeatProblems(line);
      expect(
        problems.length ? problems : mappingProblems(expandKeys(line).doc, mappings),
        JSON.stringify(line),
      ).toEqual([]);
    }
  });
});
