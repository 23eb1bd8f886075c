/**
 * What the public functions may do on AWS, against what they really do: every public route of
 * serverless.yml is called through the real handlers, every S3 request they make is recorded
 * on its way to the embedded S3 server, and each one is checked against PublicFunctionsRole's
 * policy as serverless.yml declares it (`serverless print`). The role must allow all of them
 * (else the route fails on AWS) and refuse reading captures/, feedback/ and the rest.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../functions/routes.ts';
import { shutdownService } from '../functions/runtime/service.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { SERVERLESS_BIN, SERVERLESS_ENV } from '../scripts/serverless-env.ts';
import { startInProcessApi, type InProcessApi } from './in-process-api.ts';
import { startServingS3 } from './s3.ts';
import { allows, type S3Request, type Statement } from './iam-policy.ts';

const BUCKET = 'mlops-credit-score-prod-models';

/** A pass-through to the S3 server that notes each request as the IAM action S3 authorises it as. */
function recordingProxy(target: string, seen: S3Request[]): Promise<{ server: Server; endpoint: string }> {
  const to = new URL(target);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const [, , ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    const method = req.method ?? 'GET';
    // Path-style requests (the service's client forces path style): /bucket[/key][?query].
    if (!key)
      seen.push({
        action: 's3:ListBucket',
        key: '',
        prefix: url.searchParams.get('prefix') ?? undefined,
        what: `${method} ${req.url}`,
      });
    else if (method === 'GET' || method === 'HEAD')
      seen.push({ action: 's3:GetObject', key, what: `${method} ${req.url}` });
    else if (method === 'PUT') seen.push({ action: 's3:PutObject', key, what: `${method} ${req.url}` });
    else if (method === 'DELETE') seen.push({ action: 's3:DeleteObject', key, what: `${method} ${req.url}` });
    else seen.push({ action: `unmapped:${method}`, key, what: `${method} ${req.url}` });
    const forward = httpRequest(
      { host: to.hostname, port: to.port, method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}` }),
    ),
  );
}

let s3: EmbeddedS3;
let proxy: Server;
let api: InProcessApi;
let version: string;
let statements: Statement[];
let publicFiles: string[];
const seen: S3Request[] = [];

beforeAll(async () => {
  const env = {
    ...process.env,
    ...SERVERLESS_ENV,
    AWS_ACCESS_KEY_ID: 'offline-print',
    AWS_SECRET_ACCESS_KEY: 'offline-print',
  };
  const printed: string = await new Promise((done, fail) =>
    execFile(
      SERVERLESS_BIN,
      ['print', '--stage', 'prod', '--format', 'json'],
      { env, timeout: 120_000, maxBuffer: 1 << 24 },
      (err, stdout, stderr) => (err ? fail(new Error(`${err.message}\n${stderr}`)) : done(stdout)),
    ),
  );
  const config = JSON.parse(printed.slice(printed.indexOf('{')));
  statements = config.resources.Resources.PublicFunctionsRole.Properties.Policies[0].PolicyDocument.Statement;
  const functions = Object.values(config.functions) as { role: string; handler: string }[];
  publicFiles = functions
    .filter((f) => f.role === 'PublicFunctionsRole')
    .map((f) => f.handler.replace(/^.*\/([^/]+)\.handler$/, '$1'));
  const started = await startServingS3();
  s3 = started.s3;
  version = started.version;
  const recording = await recordingProxy(started.env.S3_ENDPOINT, seen);
  proxy = recording.server;
  api = await startInProcessApi({ ...started.env, S3_ENDPOINT: recording.endpoint, METRICS_PUBLIC: 'true' });
}, 150_000);

afterAll(async () => {
  await api?.close();
  await new Promise((resolve) => proxy?.close(resolve));
  await s3?.close();
});

/** The first data row of the shipped CSV, as a record (string values, empty as null). */
function sampleRecord(): Record<string, string | null> {
  const [header, row] = readFileSync('data/credit_score_customers_raw.csv', 'utf8').split('\n');
  const values = row.split(',');
  return Object.fromEntries(header.split(',').map((h, i) => [h, values[i] === '' ? null : values[i]]));
}

describe('PublicFunctionsRole against the S3 requests of the public routes', () => {
  it('allows every request the public routes make, and they make some of each kind', async () => {
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${api.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const record = sampleRecord();
    const metadata = (await (await call('GET', '/v2/models/credit-score')).json()) as {
      inputs: { name: string; datatype: string }[];
    };
    const inputs = metadata.inputs.map((i) => ({
      name: i.name,
      shape: [1],
      datatype: i.datatype,
      data: [i.datatype === 'BYTES' ? record[i.name] : Number(record[i.name])],
    }));
    const paths: Record<string, string> = { '{version}': version, '{name}': 'credit-score', '{file}': 'app.js' };
    const publicRoutes = ROUTES.filter((r) => publicFiles.includes(r.file));
    expect(publicRoutes.length).toBeGreaterThan(10);
    for (const route of publicRoutes) {
      const path = route.path.replace(/\{[a-z]+\}/gi, (p) => paths[p]);
      const body = route.path === '/predict' ? record : route.path.endsWith('/infer') ? { inputs } : undefined;
      const answer = await call(route.method, path, body);
      await answer.arrayBuffer();
      expect(answer.status, `${route.method} ${route.path}`).toBeLessThan(500);
    }
    expect((await call('GET', '/no-such-route')).status).toBe(404);
    // Captured answers are written when the buffer is flushed.
    await shutdownService(10_000);

    const refused = seen.filter((r) => !allows(statements, BUCKET, r));
    expect(refused.map((r) => r.what)).toEqual([]);
    const kinds = new Set(seen.map((r) => `${r.action} ${(r.key || r.prefix || '').split('/')[0]}`));
    for (const kind of ['s3:GetObject models', 's3:PutObject captures', 's3:ListBucket models'])
      expect(kinds, kind).toContain(kind);
    // No listing of the whole bucket (the health probe lists under models/, not HeadBucket).
    expect(seen.filter((r) => r.action === 's3:ListBucket' && !r.prefix).map((r) => r.what)).toEqual([]);
  }, 120_000);

  it('refuses reading or listing captures, feedback and the other operator data', () => {
    for (const prefix of ['captures', 'feedback', 'summaries', 'drift', 'jobs', 'locks', 'data']) {
      expect(
        allows(statements, BUCKET, { action: 's3:GetObject', key: `${prefix}/credit-score/2026-12-07/x.json` }),
        prefix,
      ).toBe(false);
      expect(
        allows(statements, BUCKET, { action: 's3:ListBucket', key: '', prefix: `${prefix}/credit-score/` }),
        prefix,
      ).toBe(false);
    }
    expect(
      allows(statements, BUCKET, { action: 's3:PutObject', key: 'feedback/credit-score/2026-12-07/r.0.json' }),
    ).toBe(false);
    expect(allows(statements, BUCKET, { action: 's3:ListBucket', key: '' }), 'a listing of the whole bucket').toBe(
      false,
    );
    expect(
      allows(statements, BUCKET, { action: 's3:GetObject', key: 'models/credit-score/aliases/champion.json' }),
    ).toBe(true);
  });
});
