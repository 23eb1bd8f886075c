/**
 * The import graph's rules (.dependency-cruiser.cjs, run by `npm run lint`) refuse what they are
 * for: fixture files in a temp dir with a circle, an import up the layers, domain code importing
 * transport, lib importing a program. And the rules' own lists stay true of the code: every lib
 * folder has a layer, every known exception is still an import (so the list only shrinks).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult, type IForbiddenRuleType, type IViolation } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';

interface KnownException {
  from: string;
  to: string;
  why: string;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const config = createRequire(import.meta.url)('../.dependency-cruiser.cjs') as {
  forbidden: IForbiddenRuleType[];
  LAYERS: string[][];
  KNOWN_EXCEPTIONS: KnownException[];
};

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Writes `files` (path relative to a fresh temp dir → source) and cruises them with the project's rules. */
async function violationsOf(files: Record<string, string>): Promise<IViolation[]> {
  const dir = mkdtempSync(join(tmpdir(), 'import-layers-'));
  dirs.push(dir);
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), source);
  }
  const result = await cruise(Object.keys(files), {
    baseDir: dir,
    validate: true,
    ruleSet: { forbidden: config.forbidden },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
  });
  return (result.output as ICruiseResult).summary.violations;
}

const ruleNames = (violations: IViolation[]): string[] => [...new Set(violations.map((v) => v.rule.name))];

describe('the import rules', () => {
  it('refuse a new circle of type-only imports, naming every file in it', async () => {
    const violations = await violationsOf({
      'lib/training/fold.ts': "import type { Pool } from './pool.ts';\nexport interface Fold { pool: Pool }\n",
      'lib/training/pool.ts':
        "import type { Fold } from './fold.ts';\nexport interface Pool { run(fold: Fold): void }\n",
    });
    const circles = violations.filter((v) => v.rule.name === 'no-circular');
    expect(circles.length).toBeGreaterThan(0);
    expect(circles[0].cycle?.map((step) => step.name).sort()).toEqual(['lib/training/fold.ts', 'lib/training/pool.ts']);
  });

  it('accept the same two files once the circle is broken', async () => {
    const violations = await violationsOf({
      'lib/training/fold.ts': 'export interface Fold { rows: number }\n',
      'lib/training/pool.ts':
        "import type { Fold } from './fold.ts';\nexport interface Pool { run(fold: Fold): void }\n",
    });
    expect(violations).toEqual([]);
  });

  it('refuse an import from a lower layer up to a higher one, and between folders of one layer', async () => {
    const up = await violationsOf({
      'lib/data/reader.ts': "import { fit } from '../training/fit.ts';\nexport const read = fit;\n",
      'lib/training/fit.ts': 'export const fit = 1;\n',
    });
    expect(up.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)).toEqual([
      'layer-order: lib/data/reader.ts → lib/training/fit.ts',
    ]);
    const sideways = await violationsOf({
      'lib/sampling/smote.ts': "import { auc } from '../evaluation/auc.ts';\nexport const smote = auc;\n",
      'lib/evaluation/auc.ts': 'export const auc = 1;\n',
    });
    expect(ruleNames(sideways)).toEqual(['layer-order']);
    const down = await violationsOf({
      'lib/training/fit.ts': "import { read } from '../data/reader.ts';\nexport const fit = read;\n",
      'lib/data/reader.ts': 'export const read = 1;\n',
    });
    expect(down).toEqual([]);
  });

  it('refuse domain code that imports transport: lib/http, node:http, the Lambda event types', async () => {
    const http = await violationsOf({
      'lib/serving/score.ts':
        "import { HttpError } from '../http/http-error.ts';\nexport const fail = (): never => { throw new HttpError(); };\n",
      'lib/http/http-error.ts': 'export class HttpError extends Error {}\n',
    });
    // lib/http is also the top layer: the import breaks both rules.
    expect(ruleNames(http).sort()).toEqual(['domain-not-transport', 'layer-order']);
    const server = await violationsOf({
      'lib/release/listen.ts': "import { createServer } from 'node:http';\nexport const listen = createServer;\n",
    });
    expect(ruleNames(server)).toEqual(['domain-not-transport']);
    const lambda = await violationsOf({
      'lib/release/route.ts':
        "import type { APIGatewayProxyEventV2 } from 'aws-lambda';\nexport type Event = APIGatewayProxyEventV2;\n",
    });
    // A types-only package: dependency-cruiser leaves it unresolved, by its name, here as in the code.
    expect(lambda.map((v) => `${v.rule.name}: ${v.to}`)).toEqual(['domain-not-transport: aws-lambda']);
  });

  it('refuse lib importing a program (scripts/, functions/: the handlers are transport too)', async () => {
    const script = await violationsOf({
      'lib/util/paths.ts': "import { main } from '../../scripts/train.ts';\nexport const m = main;\n",
      'scripts/train.ts': 'export const main = 1;\n',
    });
    expect(ruleNames(script)).toEqual(['lib-not-into-programs']);
    const handler = await violationsOf({
      'lib/util/paths.ts': "import { handler } from '../../functions/predict.ts';\nexport const h = handler;\n",
      'functions/predict.ts': 'export const handler = 1;\n',
    });
    expect(ruleNames(handler).sort()).toEqual(['domain-not-transport', 'lib-not-into-programs']);
  });
});

describe('the rules stay true of the code', () => {
  it('every lib folder has one place in LAYERS, and LAYERS names no folder that is not there', () => {
    const folders = readdirSync(join(root, 'lib'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    expect(config.LAYERS.flat().sort()).toEqual(folders);
  });

  it('every known exception is an import the code still makes, and says why', async () => {
    const result = await cruise(['lib'], {
      baseDir: root,
      tsPreCompilationDeps: true,
      doNotFollow: { path: 'node_modules' },
    });
    const imports = new Set(
      (result.output as ICruiseResult).modules.flatMap((m) => m.dependencies.map((d) => `${m.source} → ${d.resolved}`)),
    );
    const stale = config.KNOWN_EXCEPTIONS.filter((e) => !imports.has(`${e.from} → ${e.to}`)).map(
      (e) => `${e.from} → ${e.to}`,
    );
    expect(stale, 'exceptions no longer in the code: delete them from KNOWN_EXCEPTIONS').toEqual([]);
    expect(config.KNOWN_EXCEPTIONS.filter((e) => e.why.trim().length < 10)).toEqual([]);
  });
});
