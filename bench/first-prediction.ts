/**
 * `npm start` from nothing, as a fresh clone runs it: a new data folder (empty registry),
 * the shipped data; the time from the command to the first prediction answered, then, if
 * asked, to the end of the full candidate search that runs behind it.
 *   npm run bench:start [-- --wait-search]
 * (`npm install` is not timed: the clone's dependencies are installed once, before.)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { 'wait-search': { type: 'boolean', default: false } } });
const free = (): Promise<number> =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
const [httpPort, lambdaPort, s3Port] = [await free(), await free(), await free()];
const header = readFileSync('data/credit_score_customers_raw.csv', 'utf8').split('\n')[0].split(',');
const body = JSON.stringify(Object.fromEntries(header.map((h) => [h, null])));
const started = performance.now();
const child = spawn('npm', ['start'], {
  env: {
    ...process.env,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-start-')),
    HTTP_PORT: String(httpPort),
    LAMBDA_PORT: String(lambdaPort),
    S3_PORT: String(s3Port),
    START_PROGRESS_SECONDS: '5',
  },
  stdio: ['ignore', 'pipe', 'pipe'],
  detached: true,
});
let output = '';
child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
child.stderr!.on('data', (d: Buffer) => {
  output += d.toString();
  process.stderr.write(d);
});
const seconds = (): string => ((performance.now() - started) / 1000).toFixed(1);
try {
  let first: string | null = null;
  while (!first && performance.now() - started < 600_000) {
    if (child.exitCode !== null) throw new Error('npm start exited');
    const r = await fetch(`http://127.0.0.1:${httpPort}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(2000),
    }).catch(() => null);
    if (r?.status === 200) first = seconds();
    else await new Promise((resolve) => setTimeout(resolve, 100));
  }
  console.log(`\nnpm start, empty registry, shipped data: first prediction after ${first} s`);
  if (values['wait-search']) {
    while (!/full candidate search (done|failed)/.test(output) && performance.now() - started < 1_800_000)
      await new Promise((resolve) => setTimeout(resolve, 500));
    console.log(
      `full candidate search ended after ${seconds()} s: ${/full candidate search (done|failed).*/.exec(output)?.[0]}`,
    );
  }
} finally {
  process.kill(-child.pid!, 'SIGTERM');
}
