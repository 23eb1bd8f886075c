/**
 * serverless-offline running serverless.yml (stage "local": the self-contained bundles of
 * `npm run build`, every function in one process), started with the service's environment and
 * ready once liveness answers: the host under `npm start`, for tests that compare it with the
 * node:http adapter.
 */
import { execFileSync, spawn } from 'node:child_process';
import { SERVERLESS_BIN, SERVERLESS_ENV } from '../scripts/serverless-env.ts';
import { freePort } from './helpers.ts';

export async function startServerlessOffline(
  env: Record<string, string>,
): Promise<{ url: string; stop(): Promise<void> }> {
  execFileSync('node_modules/.bin/tsx', ['scripts/build.ts'], { stdio: 'ignore' });
  const [httpPort, lambdaPort] = [await freePort(), await freePort()];
  const child = spawn(
    SERVERLESS_BIN,
    ['offline', 'start', '--stage', 'local', '--httpPort', String(httpPort), '--lambdaPort', String(lambdaPort)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        ...SERVERLESS_ENV,
        ...env,
        LAMBDA_ENDPOINT: `http://127.0.0.1:${lambdaPort}`,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
      },
    },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 60_000;
  while (true) {
    if (child.exitCode !== null) throw new Error(`serverless offline exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`${url}/health?probe=live`, { signal: AbortSignal.timeout(2000) })).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`serverless offline did not answer within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
