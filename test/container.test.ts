/**
 * The container's entry point without Docker (no engine runs here): the self-contained server
 * bundle of the image on plain node, checked by `npm run smoke`; and the Dockerfile's shape.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { freePort } from './helpers.ts';
import { startServingS3 } from './s3.ts';

let s3: EmbeddedS3;
let server: ChildProcess;
let url: string;

/** Runs the smoke command without blocking this process (the S3 server the service uses lives here). */
function smoke(args: string[]): Promise<{ status: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile('node_modules/.bin/tsx', ['scripts/smoke.ts', ...args], { timeout: 60_000 }, (err, stdout) =>
      resolve({ status: err ? Number(err.code ?? 1) : 0, stdout }),
    );
  });
}

beforeAll(async () => {
  execFileSync('node_modules/.bin/tsx', ['scripts/build.ts'], { stdio: 'ignore' });
  const started = await startServingS3();
  s3 = started.s3;
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  server = spawn(process.execPath, ['dist/server/serve.mjs'], {
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      HOST: '127.0.0.1',
      ...started.env,
      RETRAIN_JOB_SCRIPT: 'dist/server/retrain-job.mjs',
    },
    stdio: 'ignore',
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/health?probe=live`)).ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
});

afterAll(async () => {
  server?.kill('SIGTERM');
  await s3.close();
});

describe('the image entry point', () => {
  it('serves on plain node from the bundle and passes npm run smoke', async () => {
    const result = await smoke(['--url', url]);
    expect(result.stdout).toMatch(/all checks passed/);
    expect(result.status).toBe(0);
  });

  it('smoke fails, naming the check, where nothing healthy answers', async () => {
    const result = await smoke(['--url', 'http://127.0.0.1:9', '--timeout', '2']);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/FAIL GET \/health is ready/);
  });

  it('the Dockerfile is multi-stage, non-root, and runs what the build produces', () => {
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^USER nonroot$/m);
    const cmd = /^CMD \["([^"]+)"\]$/m.exec(dockerfile)![1];
    expect(existsSync(cmd)).toBe(true);
    for (const copied of ['data/credit_score_customers_raw.csv', 'data/specs']) expect(existsSync(copied)).toBe(true);
  });
});
