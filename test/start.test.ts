/**
 * `npm start` as a user runs it: embedded S3, the first model trained when the registry is
 * empty, serverless-offline answering predictions; a restart keeps the registry and does not
 * train again. (A small first training here: START_* settings; the default trains the full
 * search on the shipped data.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, subsetCsv, tempDir } from './helpers.ts';

interface Started {
  child: ChildProcess;
  output: () => string;
  url: string;
}

async function start(dataDir: string, csv: string): Promise<Started> {
  const [s3Port, httpPort, lambdaPort] = [await freePort(), await freePort(), await freePort()];
  const child = spawn('node_modules/.bin/tsx', ['scripts/start.ts'], {
    env: { ...process.env, DATA_DIR: dataDir, S3_PORT: String(s3Port), HTTP_PORT: String(httpPort), LAMBDA_PORT: String(lambdaPort), START_DATA: csv, START_CV: '2', START_CLASSIFIERS: 'xgb', START_SAMPLERS: 'none', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 150_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`npm start exited:\n${output}`);
    try {
      if ((await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) })).status === 200) return { child, output: () => output, url };
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  stop({ child, output: () => output, url });
  throw new Error(`npm start was not ready within 150 s:\n${output}`);
}

function stop(started: Started): Promise<void> {
  return new Promise((resolve) => {
    started.child.once('exit', () => resolve());
    process.kill(-started.child.pid!, 'SIGTERM');
    setTimeout(() => {
      try {
        process.kill(-started.child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }, 10_000).unref();
  });
}

describe('npm start', () => {
  it('trains the first model, serves it, and keeps the registry across restarts', async () => {
    const dataDir = tempDir('start');
    const csv = subsetCsv('data/credit_score_customers_raw.csv', 600, join(dataDir, 'start.csv'));
    const first = await start(dataDir, csv);
    try {
      expect(first.output()).toMatch(/the registry is empty: training the default model/);
      const header = (await import('node:fs')).readFileSync('data/credit_score_customers_raw.csv', 'utf8').split('\n')[0].split(',');
      const r = await fetch(`${first.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(Object.fromEntries(header.map((h) => [h, null]))) });
      expect(r.status).toBe(200);
      expect(((await r.json()) as { model: { alias: string } }).model.alias).toBe('champion');
    } finally {
      await stop(first);
    }
    const second = await start(dataDir, csv);
    try {
      expect(second.output()).not.toMatch(/the registry is empty/);
    } finally {
      await stop(second);
    }
  }, 360_000);
});
