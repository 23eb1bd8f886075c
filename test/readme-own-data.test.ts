/**
 * The README's "Serve your own data" recipe, run as written against a real `npm start`: a CSV,
 * `spec init`, `START_DATA=... START_SPEC=... npm start`, then the curl lines with their
 * documented status and answer shape. Only the surroundings differ from a reader's shell: the
 * files the recipe writes (`> FILE`, `--out FILE`) go to a temporary folder instead of the
 * clone, and npm start gets a DATA_DIR and ports of its own and a small full search (2 folds,
 * one candidate) instead of every candidate on 5 folds.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { startPortsFile, readStartPorts } from '../scripts/cli/start-ports.ts';
import { freePort, tempDir, until, type CliResult } from './helpers.ts';
import { startNpmStart, type Started } from './processes.ts';
import { parseShape, shapeProblems } from './readme/example-shape.ts';
import { ownDataRecipe } from './readme/own-data-recipe.ts';
import { ShellSession, statements, tokenize } from './readme/shell-session.ts';

const README = readFileSync('README.md', 'utf8');

/** `npx credit-score ARGS` in the clone: npx runs the package's own bin. */
function creditScore(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/credit-score.mjs', ...args],
      { env: { ...process.env, ...env }, timeout: 120_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

/** A statement's words and the file after `>`; anything but plain words (variables, pipes) throws. */
function plainCommand(text: string): { words: string[]; redirect: string | null } {
  const words: string[] = [];
  let redirect: string | null = null;
  const { tokens } = tokenize(text);
  tokens.forEach((token, i) => {
    if ('op' in token) {
      const target = tokens[i + 1];
      if (token.op !== '>' || !target || !('word' in target) || i + 2 !== tokens.length)
        throw new Error(`only "> FILE" at the end is understood outside curl lines, got ${token.op}`);
      return;
    }
    if (token.word.some((part) => !('lit' in part))) throw new Error('no variables or $(...) outside curl lines');
    const word = token.word.map((part) => ('lit' in part ? part.lit : '')).join('');
    if (i > 0 && 'op' in tokens[i - 1]) redirect = word;
    else words.push(word);
  });
  return { words, redirect };
}

it("serves your own CSV under its spec's name, found by the CLI on its moved ports, and a second npm start refuses its data directory: the README recipe as written", async () => {
  const dir = tempDir('own-data');
  const dataDir = join(dir, 'npm-start-data');
  const s3Port = await freePort();
  // The files the recipe writes, by the name the README gives them, and where they really are.
  const written = new Map<string, string>();
  const place = (name: string): string => {
    if (!written.has(name)) written.set(name, join(dir, name));
    return written.get(name)!;
  };
  const path = (word: string): string => written.get(word) ?? word;
  let service: Started | undefined;
  let session: ShellSession | undefined;
  let lastAnswer = '';
  try {
    const blocks = ownDataRecipe(README);
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    for (const block of blocks) {
      for (const statement of statements(block.lines, block.firstLine)) {
        const where = `README line ${statement.line}: ${statement.text}`;
        if (/^curl\s/.test(statement.text)) {
          if (!session) throw new Error(`${where}: a curl line before npm start`);
          const runs = await session.run(statement.text);
          const last = runs[runs.length - 1];
          expect(last.status, `${where}\n${last.body.slice(0, 300)}`).toBe(statement.expectedStatus ?? 200);
          for (const example of statement.examples)
            expect(shapeProblems(parseShape(example), JSON.parse(last.body)), where).toEqual([]);
          lastAnswer = last.body;
          continue;
        }
        const { words, redirect } = plainCommand(statement.text);
        const assignments = words.filter(
          (w, i) => /^[A-Z_]+=/.test(w) && words.slice(0, i).every((p) => /^[A-Z_]+=/.test(p)),
        );
        const [program, ...args] = words.slice(assignments.length);
        if (program === 'head' && args[0] === '-n' && args.length === 3 && redirect) {
          const lines = readFileSync(path(args[2]), 'utf8').split('\n').slice(0, Number(args[1]));
          writeFileSync(place(redirect), lines.join('\n') + '\n');
        } else if (program === 'npx' && args[0] === 'credit-score' && !redirect) {
          const out = args.indexOf('--out');
          if (out >= 0) place(args[out + 1]);
          const result = await creditScore(args.slice(1).map(path));
          expect(result.code, `${where}\n${result.stderr}`).toBe(0);
        } else if (program === 'npm' && args.join(' ') === 'start' && !redirect) {
          const env = Object.fromEntries(
            assignments.map((a) => [a.slice(0, a.indexOf('=')), path(a.slice(a.indexOf('=') + 1))]),
          );
          service = await startNpmStart({
            ...env,
            DATA_DIR: dataDir,
            S3_PORT: String(s3Port),
            START_CV: '2',
            START_CLASSIFIERS: 'xgb',
            START_SAMPLERS: 'none',
            START_PROGRESS_SECONDS: '1',
            LOG_LEVEL: 'warn',
          });
          session = new ShellSession({
            url: service.url,
            adminKey: readFileSync(join(dataDir, 'admin-api-key'), 'utf8').trim(),
            cwd: dir,
          });
        } else
          throw new Error(
            `${where}: the recipe test runs head -n, npx credit-score, npm start and curl lines, not this`,
          );
      }
    }
    expect(service, 'the recipe starts npm start').toBeDefined();
    // The model served is the one the spec names, trained on the CSV and made champion.
    const specName = (JSON.parse(readFileSync(written.get('my-spec.json') ?? '', 'utf8')) as { name: string }).name;
    expect(JSON.parse(lastAnswer)).toMatchObject({ model: { name: specName, alias: 'champion' } });
    expect(service!.output()).toMatch(new RegExp(`registered ${specName} \\S+: `));
    // The full search retrains the same model from the same spec (the service's MODEL_NAME and DEFAULT_SPEC_FILE).
    const searched = await until(
      'the full search to end',
      async () => (/full candidate search (done|failed)[^\n]*/.exec(service!.output()) ?? undefined)?.[0],
      240_000,
    );
    expect(searched).toMatch(/^full candidate search done: xgb\+none registered as \S+/);

    // While it runs, its ports file says where it is, and the CLI reaches its store there (not on the default port).
    expect(readStartPorts(dataDir)).toMatchObject({
      s3Port,
      httpPort: Number(new URL(service!.url).port),
      model: specName,
    });
    const uploaded = await creditScore(['upload', path('my.csv'), '--key', 'data/own.csv'], { DATA_DIR: dataDir });
    expect(uploaded.code, uploaded.stderr).toBe(0);
    expect(uploaded.stdout).toContain(`to data/own.csv in npm start's store on 127.0.0.1:${s3Port}`);
    // A second npm start over the same data directory refuses, instead of serving a second store over it.
    const second = await startNpmStart({
      DATA_DIR: dataDir,
      S3_PORT: String(await freePort()),
      START_FULL_SEARCH: 'false',
    }).then(
      async (started) => (await started.stop(), 'started'),
      (err: Error) => err.message,
    );
    expect(second).toMatch(
      new RegExp(`process exited with 1:[\\s\\S]*npm start \\(pid ${readStartPorts(dataDir)!.pid}\\) already serves`),
    );
    expect(readStartPorts(dataDir)?.pid, 'the first one keeps its ports file').toBeGreaterThan(0);
  } finally {
    await service?.stop();
  }
  // A clean stop removes it.
  expect(existsSync(startPortsFile(dataDir))).toBe(false);
}, 600_000);
