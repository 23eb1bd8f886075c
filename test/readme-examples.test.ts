/**
 * The API examples of the README and the docs pages, run as written against a started service
 * (node:http adapter over the embedded S3 server), each document in order as one reader's shell
 * session (a page defines its own variables and files): every ```bash block is interpreted line by line (curl, jq, tee, variables, `$(...)`), with the service's address
 * and admin key put in for `http://127.0.0.1:3000` and `.data/admin-api-key`. Each curl must
 * answer the status its comment gives (`# → 404`; 200 without one) and, where the README shows
 * an answer (a `# {...}` comment, or a ```json block right after the block), the same shape:
 * the same keys, recursively, and the same kinds of values (`...` leaves an object or array
 * open). A line the interpreter cannot run fails the test, so no example goes untested.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAdapter, listen } from '../functions/adapter/node-http.ts';
import { resetService } from '../functions/runtime/service.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { parseShape, shapeProblems } from './readme/example-shape.ts';
import { exampleBlocks, ShellSession, type CurlRun } from './readme/shell-session.ts';
import { ownDataRecipe } from './readme/own-data-recipe.ts';
import { subsetCsv, tempDir, until } from './helpers.ts';
import { startServingS3 } from './s3.ts';

const KEY = 'readme-admin-key-0123456789abcdef';
const README = readFileSync('README.md', 'utf8');
/**
 * The documents whose ```bash examples run, in this order on one service: later pages build on
 * what earlier ones did (the releases page promotes the version the API page's retrain made).
 */
const EXAMPLE_DOCUMENTS = ['README.md', 'docs/api.md', 'docs/releases.md', 'docs/promotion-policy.md', 'docs/drift.md'];
const DOCUMENTS = [
  'README.md',
  ...readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const text = (file: string): string => readFileSync(file, 'utf8');
let s3: EmbeddedS3;
let server: Server;
let url: string;

beforeAll(async () => {
  const serving = await startServingS3();
  s3 = serving.s3;
  Object.assign(process.env, serving.env, {
    ADMIN_API_KEYS: KEY,
    ALIAS_REFRESH_SECONDS: '0.3',
    RETRAIN_RUNNER: 'child-process',
    // The README's retrain example trains on the default data: a small subset keeps it to seconds.
    DEFAULT_TRAINING_DATA: subsetCsv(
      'data/credit_score_customers_raw.csv',
      900,
      join(tempDir('readme'), 'default.csv'),
    ),
  });
  resetService();
  server = createAdapter();
  url = await listen(server, { port: 0 });
}, 120_000);

afterAll(async () => {
  // The retrain example's job runs in a child process: let it end before the service goes.
  if (url) {
    await until(
      'the retrain jobs to end',
      async () => {
        const r = await fetch(`${url}/model/retrain`, { headers: { 'x-api-key': KEY } });
        const { jobs } = (await r.json()) as { jobs: { status: string }[] };
        return jobs.every((j) => j.status === 'succeeded' || j.status === 'failed') ? true : undefined;
      },
      120_000,
    ).catch(() => undefined);
  }
  resetService();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await s3?.close();
}, 150_000);

it('has no local API example outside the tested ```bash blocks and the own-data recipe, in the README or a docs page', () => {
  // The own-data recipe's blocks run against their own npm start (test/readme-own-data.test.ts).
  const recipe = new Set(ownDataRecipe(README).map((block) => block.lines.join('\n') + '\n'));
  const untested = DOCUMENTS.flatMap((file) =>
    [...text(file).matchAll(/```(\w*)\n([\s\S]*?)```/g)]
      .filter(
        ([, lang, body]) =>
          lang !== 'bash' &&
          !recipe.has(body) &&
          /curl[^\n]*(127\.0\.0\.1:3000|\$API)/.test(body) &&
          !/kubectl/.test(body),
      )
      .map(([, , body]) => `${file}: ${body.split('\n')[0]}`),
  );
  expect(untested).toEqual([]);
  // Every document with examples runs them: a new page's ```bash blocks cannot go unrun.
  expect(DOCUMENTS.filter((file) => exampleBlocks(text(file)).length > 0).sort()).toEqual(
    [...EXAMPLE_DOCUMENTS].sort(),
  );
});

/** Runs one document's ```bash blocks as one shell session; answers how many blocks and curls it ran. */
async function runExamples(file: string): Promise<{ blocks: number; curls: number }> {
  const blocks = exampleBlocks(text(file));
  const session = new ShellSession({ url, adminKey: KEY, cwd: process.cwd() });
  let curls = 0;
  for (const block of blocks) {
    for (const statement of block.statements) {
      const where = `${file} line ${statement.line}: ${statement.text.split('\n')[0].slice(0, 100)}`;
      const runs: CurlRun[] = await session.run(statement.text).catch((err: unknown) => {
        throw new Error(`${where}: ${(err as Error).message}`);
      });
      if (runs.length === 0) continue;
      const last = runs[runs.length - 1];
      curls += runs.length;
      expect(last.status, `${where}\n${last.body.slice(0, 300)}`).toBe(statement.expectedStatus ?? 200);
      const examples = [
        ...statement.examples,
        ...(statement === block.statements[block.statements.length - 1] && block.answer ? [block.answer] : []),
      ];
      if (examples.length === 0) continue;
      const actual: unknown = JSON.parse(last.body);
      const problems = examples.map((example) => shapeProblems(parseShape(example), actual));
      // Several example answers (a job queued, then done) are alternatives: one must fit.
      expect(problems.some((p) => p.length === 0) ? [] : problems[0], `${where}\n${last.body.slice(0, 400)}`).toEqual(
        [],
      );
    }
  }
  return { blocks: blocks.length, curls };
}

it('runs every curl example of the README and the docs pages with the documented status and answer shape', async () => {
  const ran: Record<string, { blocks: number; curls: number }> = {};
  for (const file of EXAMPLE_DOCUMENTS) ran[file] = await runExamples(file);
  for (const file of EXAMPLE_DOCUMENTS) expect(ran[file].curls, `${file} runs curl examples`).toBeGreaterThan(0);
  expect(Object.values(ran).reduce((sum, r) => sum + r.curls, 0)).toBeGreaterThanOrEqual(20);
}, 180_000);
