/**
 * npm run smoke -- --url URL [--host NAME]: the deployment check (Jenkins' Verify stage, the
 * playbook's last step). Health, model info, one prediction from the shipped data, and an error
 * case; exits 1 naming what failed. --host sends that Host header to URL: on minikube the api is
 * reached through Kourier's node port, which routes by the Knative Service's host name (fetch
 * cannot set Host, so requests go through node:http).
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse/sync';

const { values } = parseArgs({
  options: { url: { type: 'string' }, host: { type: 'string' }, timeout: { type: 'string', default: '30' } },
});
if (!values.url) {
  process.stderr.write('usage: npm run smoke -- --url https://... [--host NAME]\n');
  process.exit(2);
}
const base = values.url.replace(/\/$/, '');
const timeout = Number(values.timeout) * 1000;
const record = (
  parse(readFileSync('data/credit_score_customers_raw.csv', 'utf8'), { columns: true, to: 1 }) as Record<
    string,
    string
  >[]
)[0];
const failures: string[] = [];

async function check(name: string, run: () => Promise<string | null>): Promise<void> {
  try {
    const problem = await run();
    process.stdout.write(`${problem ? 'FAIL' : 'ok  '} ${name}${problem ? `: ${problem}` : ''}\n`);
    if (problem) failures.push(name);
  } catch (err) {
    process.stdout.write(`FAIL ${name}: ${(err as Error).message}\n`);
    failures.push(name);
  }
}

interface Answer {
  status: number;
  json(): Promise<unknown>;
}

/** One request to base + path (with the --host header, if given), its body read whole. */
function get(
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  const url = new URL(base + path);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const headers = { ...init.headers, ...(values.host ? { host: values.host } : {}) };
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: init.method ?? 'GET',
        headers,
        timeout,
        ...(values.host && url.protocol === 'https:' ? { servername: values.host } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, json: async () => JSON.parse(text) as unknown });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeout / 1000} s`)));
    req.on('error', reject);
    req.end(init.body);
  });
}

await check('GET /health is ready', async () => {
  const r = await get('/health');
  const body = (await r.json()) as { ready?: boolean };
  return r.status === 200 && body.ready ? null : `HTTP ${r.status}`;
});
await check('GET /model/info names a version', async () => {
  const r = await get('/model/info');
  const body = (await r.json()) as { model?: { version?: string } };
  return r.status === 200 && body.model?.version ? null : `HTTP ${r.status}`;
});
await check('POST /predict answers a class and probabilities', async () => {
  const r = await get('/predict', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(record),
  });
  const body = (await r.json()) as { prediction?: string; probabilities?: Record<string, number> };
  const sum = Object.values(body.probabilities ?? {}).reduce((s, v) => s + v, 0);
  return r.status === 200 && body.prediction && Math.abs(sum - 1) < 1e-6
    ? null
    : `HTTP ${r.status}, ${JSON.stringify(body).slice(0, 200)}`;
});
await check('POST /predict with malformed JSON answers 400', async () => {
  const r = await get('/predict', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"Age":' });
  return r.status === 400 ? null : `HTTP ${r.status}`;
});
process.stdout.write(failures.length ? `${failures.length} check(s) failed\n` : 'all checks passed\n');
process.exitCode = failures.length ? 1 : 0;
