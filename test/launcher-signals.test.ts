/**
 * A stopped server writes what it buffers even when it is busy at the signal. The long-running
 * commands (package.json's serve, start, s3, retrain-job) run node with the tsx loader in-process:
 * the tsx command line instead runs the script in a child and, on SIGTERM or SIGINT, relays the
 * signal, waits 30 ms for the child to acknowledge it, relays it again, waits 30 ms more and then
 * SIGKILLs the child (tsx 4's relaySignals). A server whose event loop is busy for 60 ms when the
 * signal comes (a few batch predictions) was killed in the middle of its shutdown flush and lost
 * every answer it held: the chaos suite's intermittent "not written at shutdown".
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../lib/registry/model-registry.ts';
import { readCaptures } from '../lib/release/prediction-capture.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import type { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { freePort, trainSmallModel } from './helpers.ts';
import { stopper } from './processes.ts';
import { startHangingProxy } from './hanging-proxy.ts';
import { startTestS3, TEST_BUCKET } from './s3.ts';

const MODEL = 'credit-score';
const header = readFileSync('data/credit_score_customers_raw.csv', 'utf8').split('\n')[0].split(',');
const record = (customer: string): Record<string, string | null> => ({
  ...Object.fromEntries(header.map((h) => [h, null])),
  Customer_ID: customer,
});
const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;

let s3: EmbeddedS3;
let store: S3ObjectStore;

beforeAll(async () => {
  ({ s3, store } = await startTestS3());
  const registry = new ModelRegistry(store);
  const { version } = await registry.publish(MODEL, (await trainSmallModel()).files, { createdBy: 'test' });
  await registry.moveAlias(MODEL, 'champion', version, { reason: 'setup', actor: 'test' });
}, 120_000);

afterAll(async () => {
  await s3?.close();
});

const serveEnv = (port: number, endpoint: string): NodeJS.ProcessEnv => ({
  ...process.env,
  PATH: `${process.cwd()}/node_modules/.bin:${process.env.PATH}`,
  PORT: String(port),
  MODEL_BUCKET: TEST_BUCKET,
  S3_ENDPOINT: endpoint,
  S3_ACCESS_KEY_ID: 'S3RVER',
  S3_SECRET_ACCESS_KEY: 'S3RVER',
  ADMIN_API_KEYS: 'launcher-admin-key-0123456789',
  CAPTURE_FLUSH_SECONDS: '3600',
  CAPTURE_FLUSH_RECORDS: '100000',
  LOG_LEVEL: 'info',
});

async function healthy(url: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const status = await fetch(`${url}/health`, { signal: AbortSignal.timeout(3_000) })
      .then((r) => r.status)
      .catch(() => 0);
    if (status === 200) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} never healthy`);
}

describe('long-running commands', () => {
  it('run node with the tsx loader in-process, not under the tsx command line', () => {
    for (const name of ['start', 'serve', 's3', 'retrain-job'])
      expect(scripts[name], name).toMatch(/^node --import tsx scripts\/[\w-]+\.ts$/);
  });

  it(
    "`npm run serve`'s command, told to stop while busy with batch predictions, still writes the answers it buffered",
    { timeout: 120_000 },
    async () => {
      const port = await freePort();
      const env = { ...serveEnv(port, s3.endpoint), SHUTDOWN_FLUSH_SECONDS: '15' };
      const child = spawn('sh', ['-c', scripts.serve], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let output = '';
      child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      const url = `http://127.0.0.1:${port}`;
      await healthy(url);
      const since = Date.now();
      const post = (body: unknown): Promise<Response> =>
        fetch(`${url}/predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(60_000),
        });
      const ids: string[] = [];
      for (let i = 0; i < 3; i++)
        ids.push(((await (await post(record(`CUS_held_${i}`))).json()) as { requestId: string }).requestId);
      // Eight batches of 1,000 rows in flight: the server's event loop is busy for far more than 60 ms.
      const batches = Array.from({ length: 8 }, (_, b) =>
        post({ instances: Array.from({ length: 1000 }, (_, i) => record(`CUS_batch_${b}_${i}`)) }).catch(() => null),
      );
      await new Promise((r) => setTimeout(r, 50));
      // SIGTERM to the whole group, as a terminal's Ctrl-C or a container stop reaches every process; then
      // every process of the group is waited for (a shutdown may still be writing after the leader left).
      await stopper(child)();
      await Promise.all(batches);
      const stored = new Set((await readCaptures(store, MODEL, since)).records.map((r) => r.requestId));
      expect(
        ids.filter((id) => !stored.has(id)),
        output.slice(-3000),
      ).toEqual([]);
    },
  );

  it(
    "`npm run serve`'s command, told twice to stop while its store hangs, ends its stop and names the answers it lost",
    { timeout: 120_000 },
    async () => {
      const proxy = await startHangingProxy(s3.endpoint);
      const port = await freePort();
      // exec: the server itself is the child, so its own exit status is seen (not a shell's).
      const child = spawn('sh', ['-c', `exec ${scripts.serve}`], {
        env: { ...serveEnv(port, proxy.url), SHUTDOWN_FLUSH_SECONDS: '3' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
        child.once('exit', (code, signal) => resolve({ code, signal })),
      );
      try {
        const url = `http://127.0.0.1:${port}`;
        await healthy(url);
        for (let i = 0; i < 3; i++) {
          const answer = await fetch(`${url}/predict`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(record(`CUS_lost_${i}`)),
            signal: AbortSignal.timeout(30_000),
          });
          expect(answer.status).toBe(200);
        }
        proxy.hang();
        child.kill('SIGINT');
        // The stop is under way once its write of the three answers is stuck in the store.
        for (let i = 0; i < 300 && !proxy.swallowed.some((line) => /^PUT \S*captures\//.test(line)); i++)
          await new Promise((r) => setTimeout(r, 100));
        expect(
          proxy.swallowed.filter((line) => line.startsWith('PUT ')),
          output.slice(-2000),
        ).not.toEqual([]);
        // The same signal again meanwhile, as a second Ctrl-C or npm relaying the one it got.
        child.kill('SIGINT');
        expect(await exited, output.slice(-2000)).toEqual({ code: 0, signal: null });
        expect(output).toMatch(/shutdown: 3 captured answers and labels of credit-score not written within 3 s: lost/);
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await proxy.close();
      }
    },
  );
});
