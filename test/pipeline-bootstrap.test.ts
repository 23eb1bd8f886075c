/**
 * scripts/pipeline/bootstrap-stack.ts against the real handlers: the node:http server on an
 * empty bucket of the embedded S3 server (a new stack; both in processes of their own, as in test/chaos.test.ts), so `GET /model/info` answers 503 and the smoke check
 * would fail, then the script's retrain through the admin API (child-process runner, a small
 * search on 600 shipped rows), and the same script on the now-serving stack.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapStack } from '../scripts/pipeline/bootstrap-stack.ts';
import { freePort, runScript, subsetCsv, tempDir } from './helpers.ts';
import { startS3Process, startServer, type Started } from './processes.ts';

const BUCKET = 'pipeline-bootstrap';
const KEY = 'pipeline-bootstrap-admin-key-0123456789abcdef';
// A small search, so the test trains in seconds; the pipeline sends none (the default candidate search).
const REQUEST = { cv: 2, classifiers: ['xgb'], samplers: ['none'] };

describe('bootstrap of a stack with an empty registry', () => {
  let s3: Started;
  let server: Started;

  beforeAll(async () => {
    s3 = await startS3Process(tempDir('pipeline-bootstrap-s3'), await freePort(), BUCKET);
    server = await startServer({
      MODEL_BUCKET: BUCKET,
      S3_ENDPOINT: s3.url,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      ADMIN_API_KEYS: KEY,
      ALIAS_REFRESH_SECONDS: '0.5',
      LOG_LEVEL: 'warn',
      DEFAULT_TRAINING_DATA: subsetCsv(
        'data/credit_score_customers_raw.csv',
        600,
        join(tempDir('pipeline-bootstrap'), 'first.csv'),
      ),
    });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await s3?.stop();
  });

  it('refuses to start without the admin key', async () => {
    const run = await runScript('pipeline/bootstrap-stack', ['--url', server.url], 60_000, { ADMIN_API_KEY: '' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^usage: ADMIN_API_KEY=/);
  });

  it('fails naming the answer when the admin key is wrong, and trains nothing', async () => {
    await expect(
      bootstrapStack({ url: server.url, adminKey: 'wrong-key', request: REQUEST, timeoutMs: 60_000, intervalMs: 200 }),
    ).rejects.toThrow(/POST \/model\/retrain answered 40[13]/);
    expect((await fetch(`${server.url}/model/info`)).status).toBe(503);
  });

  it('trains and promotes the first model on an empty stack, after which the smoke check passes', async () => {
    expect((await fetch(`${server.url}/model/info`)).status).toBe(503);
    const run = await runScript(
      'pipeline/bootstrap-stack',
      ['--url', server.url, '--request', JSON.stringify(REQUEST), '--interval', '0.5', '--timeout', '600'],
      600_000,
      { ADMIN_API_KEY: KEY },
    );
    expect(run.code, run.stderr).toBe(0);
    const outcome = JSON.parse(run.stdout) as { bootstrap: string; version: string; jobId: string };
    expect(outcome).toEqual({ bootstrap: 'trained', version: expect.any(String), jobId: expect.any(String) });
    const info = (await (await fetch(`${server.url}/model/info`)).json()) as {
      model: { version: string; alias: string };
    };
    expect(info.model).toMatchObject({ version: outcome.version, alias: 'champion' });
    const smoke = await runScript('smoke', ['--url', server.url]);
    expect(smoke.stdout).toContain('all checks passed');
    expect(smoke.code).toBe(0);
  }, 600_000);

  it('leaves a stack that serves a model alone', async () => {
    const before = (await (await fetch(`${server.url}/model/info`)).json()) as { model: { version: string } };
    const outcome = await bootstrapStack({
      url: server.url,
      adminKey: KEY,
      request: REQUEST,
      timeoutMs: 60_000,
      intervalMs: 200,
    });
    expect(outcome).toEqual({ bootstrap: 'present', version: before.model.version });
  });

  it('smoke-checks through a router that routes by Host, as Kourier does on minikube, only when given --host', async () => {
    const HOST = 'credit-score-api.credit-score.knative.example';
    const target = new URL(server.url);
    const router: Server = createServer((req, res) => {
      if (req.headers.host !== HOST) {
        res.writeHead(404).end(); // Envoy's answer for an unknown virtual host
        return;
      }
      const upstream = request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => router.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(router.address() as AddressInfo).port}`;
      const without = await runScript('smoke', ['--url', url]);
      expect(without.code).toBe(1);
      expect(without.stdout).toContain('FAIL GET /health is ready');
      const withHost = await runScript('smoke', ['--url', url, '--host', HOST]);
      expect(withHost.stdout).toContain('all checks passed');
      expect(withHost.code).toBe(0);
    } finally {
      router.close();
    }
  });
});
