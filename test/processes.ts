/**
 * The service's processes as a user (or a cluster) runs them, for tests that need more than one:
 * `npm start`, the node:http server, and the embedded S3 server on its own. Each runs in its own
 * process group, is waited for with a bounded readiness poll, and is stopped with SIGTERM
 * (SIGKILL after a grace period).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { freePort } from './helpers.ts';

export interface Started {
  child: ChildProcess;
  pid: number;
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * As package.json's long-running commands run: node with the tsx loader in-process. Under the tsx
 * command line the script runs in a child that tsx SIGKILLs 60 ms after a signal it did not see
 * acknowledged (test/launcher-signals.test.ts).
 */
function launch(script: string, env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}

/** The pids of the live processes in a process group (serverless-offline, workers' helpers). */
function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') members.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return members;
}

/** A stopped server's time to write what it buffers (SHUTDOWN_FLUSH_SECONDS, up to 15 s in these tests) before it is killed. */
const STOP_GRACE_MS = 20_000;

/** Stops the whole group and resolves once every process of it has exited (a shutdown may still be writing after the leader left). */
export function stopper(child: ChildProcess): () => Promise<void> {
  const leaderGone = (): Promise<void> =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      try {
        process.kill(-child.pid!, 'SIGCONT'); // a paused process cannot act on SIGTERM
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        resolve();
      }
      setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, STOP_GRACE_MS).unref();
    });
  return async () => {
    await leaderGone();
    for (let i = 0; i < 150 && groupMembers(child.pid!).length; i++) await new Promise((r) => setTimeout(r, 100));
  };
}

async function waitFor(
  url: string,
  ready: (status: number) => boolean,
  child: ChildProcess,
  output: () => string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}:\n${output()}`);
    try {
      if (ready((await fetch(url, { signal: AbortSignal.timeout(3000) })).status)) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stopper(child)();
  throw new Error(`not ready within ${timeoutMs / 1000} s:\n${output()}`);
}

/** `npm start` (scripts/start.ts), ready once /health answers 200. */
export async function startNpmStart(env: Record<string, string>, timeoutMs = 150_000): Promise<Started> {
  const [httpPort, lambdaPort] = [await freePort(), await freePort()];
  const { child, output } = launch('scripts/start.ts', {
    HTTP_PORT: String(httpPort),
    LAMBDA_PORT: String(lambdaPort),
    ...env,
  });
  const url = `http://127.0.0.1:${httpPort}`;
  await waitFor(`${url}/health`, (s) => s === 200, child, output, timeoutMs);
  return { child, pid: child.pid!, url, output, stop: stopper(child) };
}

/** The node:http server (scripts/serve.ts), ready once it answers liveness; `readyOnly` also waits for readiness. */
export async function startServer(
  env: Record<string, string>,
  options: { ready?: boolean; timeoutMs?: number } = {},
): Promise<Started> {
  const port = await freePort();
  const { child, output } = launch('scripts/serve.ts', { PORT: String(port), ...env });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    `${url}/health${options.ready ? '' : '?probe=live'}`,
    (s) => s === 200,
    child,
    output,
    options.timeoutMs ?? 60_000,
  );
  return { child, pid: child.pid!, url, output, stop: stopper(child) };
}

/** The embedded S3 server alone (scripts/s3-server.ts) on a given port and folder, ready once it prints its endpoint. */
export async function startS3Process(dataDir: string, port: number, bucket: string): Promise<Started> {
  const { child, output } = launch('scripts/s3-server.ts', {
    DATA_DIR: dataDir,
    S3_PORT: String(port),
    MODEL_BUCKET: bucket,
  });
  const deadline = Date.now() + 30_000;
  while (!output().includes('"endpoint"')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`embedded S3 did not start:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = (
    JSON.parse(
      output()
        .split('\n')
        .find((l) => l.includes('"endpoint"'))!,
    ) as { endpoint: string }
  ).endpoint;
  return { child, pid: child.pid!, url, output, stop: stopper(child) };
}

/** SIGKILLs every process whose command line contains `text` (as `pkill -f` would); answers how many. */
export function killProcessesRunning(text: string): number {
  let killed = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let command: string;
    try {
      command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      continue; // gone meanwhile
    }
    if (!command.includes(text)) continue;
    process.kill(Number(entry), 'SIGKILL');
    killed++;
  }
  return killed;
}
