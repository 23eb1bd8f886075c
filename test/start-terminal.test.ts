/**
 * npm start in a terminal: its own lines stand out, a request prints one short line, the route
 * box serverless-offline prints is left out, and Ctrl-C ends with a line saying it stopped.
 * A terminal is util-linux's `script`, which runs scripts/start.ts on a pseudo-terminal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { forwardWithoutRouteBox, isRouteBoxLine } from '../scripts/start-output.ts';
import { freePort, subsetCsv, tempDir, until } from './helpers.ts';
import { describeWithPrograms, type Program } from './programs.ts';

const SCRIPT: Program = { name: 'script', install: 'sudo apt-get install bsdutils' };
const ESC = '\x1b';

describe("serverless-offline's route box", () => {
  // As serverless-offline 13.10.1 prints it (src/utils/logRoutes.js, boxen), colours included.
  const box = [
    '',
    `   ${ESC}[2m${ESC}[33m┌──────────────────────────────┐${ESC}[39m${ESC}[22m`,
    `   ${ESC}[2m${ESC}[33m│${ESC}[39m${ESC}[22m   ${ESC}[96mGET ${ESC}[39m ${ESC}[93m${ESC}[2m|${ESC}[22m${ESC}[39m http://127.0.0.1:3000/health   ${ESC}[2m${ESC}[33m│${ESC}[39m${ESC}[22m`,
    `   ${ESC}[2m${ESC}[33m└──────────────────────────────┘${ESC}[39m${ESC}[22m`,
    '',
  ];
  const json =
    '{"log.level":"info","@timestamp":"2026-12-07T16:00:19.493Z","log.logger":"access","url.path":"/health","message":"GET /health 200 │ ┌"}';

  it('is left out line by line, while every other line passes byte for byte', async () => {
    expect(box.map(isRouteBoxLine)).toEqual([true, true, true, true, true]);
    expect(isRouteBoxLine(json)).toBe(false);
    const from = new PassThrough();
    const to = new PassThrough();
    let out = '';
    to.on('data', (d: Buffer) => (out += d.toString()));
    forwardWithoutRouteBox(from, to);
    from.end([json, ...box, '16:00:19 GET /health 200 1.2 ms', json].join('\n') + '\n');
    await until('the lines to pass', async () => (out.split('\n').length === 4 ? true : undefined), 5_000);
    expect(out).toBe(`${json}\n16:00:19 GET /health 200 1.2 ms\n${json}\n`);
  });
});

describeWithPrograms([SCRIPT], 'npm start in a terminal', () => {
  it('prints one short line per request, its own lines in bold, no route box and no JSON, and a last line when Ctrl-C stops it', async () => {
    const dir = tempDir('start-terminal');
    const [httpPort, lambdaPort, s3Port] = [await freePort(), await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: join(dir, 'data'),
      HTTP_PORT: String(httpPort),
      LAMBDA_PORT: String(lambdaPort),
      S3_PORT: String(s3Port),
      // A first model in seconds, and no full search after it.
      START_DATA: subsetCsv('data/credit_score_customers_raw.csv', 900, join(dir, 'small.csv')),
      START_FULL_SEARCH: 'false',
    };
    delete env.LOG_FORMAT;
    // script runs its command with $SHELL -c; dash (/bin/sh, what CI has) does not replace itself
    // with a lone command, and the Ctrl-C that reaches the whole foreground group kills it: the
    // exit status would be the shell's 130, not npm start's. `exec` leaves npm start alone on the terminal.
    env.SHELL = '/bin/sh';
    const child: ChildProcess = spawn('script', ['-qec', 'exec node --import tsx scripts/start.ts', '/dev/null'], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const url = `http://127.0.0.1:${httpPort}`;
    try {
      await until(
        `npm start to serve:\n${output}`,
        async () => ((await fetch(`${url}/health`)).status === 200 ? true : undefined),
        150_000,
      );
      expect((await fetch(`${url}/model/info`)).status).toBe(200);
      const infoLines = (): string[] => output.split(/\r?\n/).filter((l) => l.includes('/model/info 200'));
      await until('the request line', async () => (infoLines().length > 0 ? true : undefined), 10_000);
      // Ctrl-C, as typed: the pseudo-terminal turns it into SIGINT for npm start.
      child.stdin!.write('\x03');
      await until(
        `the last line:\n${output}`,
        async () => (/\[start\][^\n]* stopped/.test(output) ? true : undefined),
        60_000,
      );

      const lines = output.split(/\r?\n/);
      expect(infoLines(), 'one line for the one request').toHaveLength(1);
      expect(infoLines()[0]).toMatch(/^\d\d:\d\d:\d\d GET \/model\/info 200 \d+(\.\d)? ms \S+$/);
      expect(
        lines.filter((l) => l.includes('"log.level"')),
        'no JSON line',
      ).toEqual([]);
      expect(
        lines.filter((l) => /[┌│└]/.test(l)),
        'no route box',
      ).toEqual([]);
      expect(output, 'its own lines in bold cyan').toContain(`${ESC}[1m${ESC}[36m[start]`);
      expect(
        lines
          .filter((l) => l.includes('[start]'))
          .map((l) =>
            l
              .split(ESC)
              .map((part) => part.replace(/^\[[0-9;]*m/, ''))
              .join('')
              .replace(/^\^C/, ''),
          ),
      ).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^\[start\] serving on http:\/\/127\.0\.0\.1:\d+ /),
          '[start] stopping: writing what the service still buffers',
          '[start] stopped',
        ]),
      );
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 240_000);
});
