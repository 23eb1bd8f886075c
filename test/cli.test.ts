/**
 * The `credit-score` command as a user runs it (bin/credit-score.mjs, and the scripts behind the
 * `npm run` aliases): help, usage errors, output paths checked before the work, predict's
 * handling of bad rows, and upload into the embedded S3 server.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeArtifactDirectory } from '../lib/artifact/artifact-directory.ts';
import { readCsvFile } from '../lib/data/dataset.ts';
import { COMMANDS } from '../scripts/cli/commands/index.ts';
import { runScript, subsetCsv, tempDir, trainSmallModel, type CliResult } from './helpers.ts';
import { startTestS3, TEST_BUCKET } from './s3.ts';

const dir = tempDir('cli');
const packageVersion = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

/** `credit-score ARGS`, through the package's bin as npx or a linked install runs it. */
function credit(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/credit-score.mjs', ...args],
      { timeout: 120_000, maxBuffer: 1 << 26, env: { ...process.env, ...env } },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

/** A usage error: exit 2, one line naming the problem, then the usage; never a stack trace. */
function expectUsageError(result: CliResult, problem: string, command: string): void {
  expect(result.code).toBe(2);
  const [first, second] = result.stderr.split('\n');
  expect(first).toBe(`error: ${problem}`);
  expect(second).toMatch(new RegExp(`^usage: credit-score ${command}`));
  expect(result.stderr).not.toContain('    at ');
}

describe('credit-score --help and --version', () => {
  it('lists every command and prints the version of package.json', async () => {
    const help = await credit(['--help']);
    expect(help.code).toBe(0);
    for (const command of COMMANDS) expect(help.stdout).toContain(`  ${command.name}  `);
    const version = await credit(['--version']);
    expect(version).toEqual({ code: 0, stdout: `${packageVersion}\n`, stderr: '' });
  });

  for (const command of COMMANDS) {
    it(`credit-score ${command.name} --help prints its usage and every option it parses`, async () => {
      const result = await credit([...command.name.split(' '), '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^usage: credit-score ${command.name}`));
      for (const option of Object.keys(command.options)) expect(result.stdout).toContain(`--${option}`);
      expect(result.stderr).toBe('');
    });
  }

  it('each npm run alias answers -h with the same help (scripts run directly)', async () => {
    for (const command of COMMANDS.filter((c) => c.npmScript)) {
      const viaBin = await credit([command.name, '--help']);
      const direct = await runScript(command.script.replace(/\.ts$/, ''), ['-h']);
      expect(direct.code, command.name).toBe(0);
      expect(direct.stdout, command.name).toBe(viaBin.stdout);
    }
  });
});

describe('usage errors', () => {
  it('an unknown option exits 2 with one line and the usage, through the bin and through npm run train', async () => {
    expectUsageError(await credit(['train', '--folds', '3']), 'unknown option "--folds"', 'train');
    expectUsageError(await runScript('train', ['--folds', '3']), 'unknown option "--folds"', 'train');
  });

  it('an unexpected argument, a missing value and a missing required option exit 2', async () => {
    expectUsageError(await credit(['predict', 'scores.csv']), 'unexpected argument "scores.csv"', 'predict');
    expectUsageError(await credit(['train', '--data']), '--data needs a value', 'train');
    expectUsageError(await credit(['predict', '--model', 'models/x']), '--data FILE is required', 'predict');
    expectUsageError(await credit(['upload']), 'missing FILE', 'upload');
    expectUsageError(
      await credit(['predict', '--model', 'm', '--data', 'd.csv', '--on-error', 'ignore']),
      '--on-error is fail, skip, null, got ignore',
      'predict',
    );
  });

  it('an unknown command, or none, exits 2 with the list of commands', async () => {
    const unknown = await credit(['fly']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: unknown command "fly"\nusage: credit-score COMMAND/);
    expect(unknown.stderr).toContain('  spec init  ');
    const none = await credit([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^error: no command given\n/);
  });
});

describe('output paths are checked before the work', () => {
  const file = join(dir, 'a-file');
  writeFileSync(file, 'not a folder\n');

  it('train --out under a file fails before reading data or training', async () => {
    const result = await credit(['train', '--out', join(file, 'sub', 'model')]);
    expectUsageError(result, `--out ${join(file, 'sub', 'model')}: ${file} is a file, not a directory`, 'train');
    expect(result.stderr).not.toMatch(/cross-validation|fold/);
    expect(result.stdout).toBe('');
  });

  it('train --report under a file, and an --out folder that is not an artifact, fail before training', async () => {
    const report = await credit(['train', '--out', join(dir, 'fine'), '--report', join(file, 'report.json')]);
    expectUsageError(report, `--report ${join(file, 'report.json')}: ${file} is a file, not a directory`, 'train');
    const folder = join(dir, 'my-documents');
    mkdirSync(folder);
    writeFileSync(join(folder, 'notes.txt'), 'keep me\n');
    const replace = await credit(['train', '--out', folder]);
    expect(replace.code).toBe(2);
    expect(replace.stderr).toMatch(
      /^error: --out .*my-documents: exists and is not a model artifact \(no manifest\.json\)/,
    );
    expect(replace.stderr).not.toMatch(/cross-validation/);
    expect(readdirSync(folder)).toEqual(['notes.txt']);
  });

  it('predict --out under a file fails before the model is read', async () => {
    const result = await credit([
      'predict',
      '--model',
      join(dir, 'no-such-model'),
      '--data',
      'data/credit_score_customers_raw.csv',
      '--out',
      join(file, 'scores.csv'),
    ]);
    expectUsageError(result, `--out ${join(file, 'scores.csv')}: ${file} is a file, not a directory`, 'predict');
  });
});

describe('predict with rows it cannot clean', () => {
  const modelDir = join(dir, 'model');
  /** Six rows of the shipped data without its identifier columns; lines 3 and 5 carry bad values. */
  const badFile = join(dir, 'bad-rows.csv');

  beforeAll(async () => {
    await writeArtifactDirectory(modelDir, (await trainSmallModel()).files);
    const source = readCsvFile(subsetCsv('data/credit_score_customers_raw.csv', 6, join(dir, 'six.csv')));
    const keep = source.header
      .map((_, i) => i)
      .filter((i) => !['Customer_ID', 'ID', 'Month', 'Name', 'SSN'].includes(source.header[i]));
    const records = source.records.map((r) => [...r]);
    records[1][source.header.indexOf('Age')] = 'old';
    records[3][source.header.indexOf('Annual_Income')] = 'lots';
    const line = (cells: string[]): string =>
      keep.map((i) => (/[",]/.test(cells[i]) ? `"${cells[i].replace(/"/g, '""')}"` : cells[i])).join(',');
    writeFileSync(badFile, [line(source.header), ...records.map(line)].join('\n') + '\n');
  }, 120_000);

  const scoredRows = (file: string): string[][] => readCsvFile(file).records;

  it('by default reports every bad row with its line and column, writes the good rows with their line, and exits 1', async () => {
    const out = join(dir, 'default.csv');
    const result = await credit(['predict', '--model', modelDir, '--data', badFile, '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`bad row: ${badFile}, row 3, column Age: expected a number, got "old"`);
    expect(result.stderr).toContain(`bad row: ${badFile}, row 5, column Annual_Income: expected a number, got "lots"`);
    expect(result.stderr).toMatch(/scored 4 rows with .*; 2 rows could not be cleaned \(left out\)/);
    expect(readCsvFile(out).header).toEqual(['row', 'prediction', 'p_Good', 'p_Standard', 'p_Poor']);
    const rows = scoredRows(out);
    expect(rows.map((r) => r[0])).toEqual(['2', '4', '6', '7']);
    for (const r of rows) expect(['Good', 'Standard', 'Poor']).toContain(r[1]);
  });

  it('--on-error skip writes the same good rows, reports the bad ones and exits 0', async () => {
    const out = join(dir, 'skip.csv');
    const result = await credit([
      'predict',
      '--model',
      modelDir,
      '--data',
      badFile,
      '--out',
      out,
      '--on-error',
      'skip',
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`${badFile}, row 3, column Age`);
    expect(result.stderr).toContain(`${badFile}, row 5, column Annual_Income`);
    expect(scoredRows(out)).toEqual(scoredRows(join(dir, 'default.csv')));
  });

  it('--on-error null writes every row, the bad ones with empty scores', async () => {
    const out = join(dir, 'null.csv');
    const result = await credit([
      'predict',
      '--model',
      modelDir,
      '--data',
      badFile,
      '--out',
      out,
      '--on-error',
      'null',
    ]);
    expect(result.code).toBe(0);
    const rows = scoredRows(out);
    expect(rows.map((r) => r[0])).toEqual(['2', '3', '4', '5', '6', '7']);
    expect(rows[1]).toEqual(['3', '', '', '', '']);
    expect(rows[3]).toEqual(['5', '', '', '', '']);
    expect(rows.filter((r) => r[1] !== '')).toEqual(scoredRows(join(dir, 'default.csv')));
  });

  it('--on-error fail stops at the first bad row and leaves no output file', async () => {
    const out = join(dir, 'fail.csv');
    const result = await credit([
      'predict',
      '--model',
      modelDir,
      '--data',
      badFile,
      '--out',
      out,
      '--on-error',
      'fail',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`error: ${badFile}, row 3, column Age: expected a number, got "old"\n`);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((name) => name.startsWith('fail.csv'))).toEqual([]);
  });
});

describe('columns the spec does not list', () => {
  const modelDir = join(dir, 'model-unlisted');
  /** Twenty rows of the shipped data with one more column, Favourite_Colour, that no spec names. */
  const withExtra = join(dir, 'extra-column.csv');

  beforeAll(async () => {
    await writeArtifactDirectory(modelDir, (await trainSmallModel()).files);
    const source = readCsvFile(subsetCsv('data/credit_score_customers_raw.csv', 20, join(dir, 'twenty.csv')));
    const quote = (cell: string): string => (/[",]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);
    const lines = [[...source.header, 'Favourite_Colour'], ...source.records.map((r) => [...r, 'blue'])].map((cells) =>
      cells.map(quote).join(','),
    );
    writeFileSync(withExtra, lines.join('\n') + '\n');
  }, 120_000);

  it('predict names them in a warning and scores every row; with --strict it refuses the file and writes nothing', async () => {
    const out = join(dir, 'extra-scored.csv');
    const warned = await credit(['predict', '--model', modelDir, '--data', withExtra, '--out', out]);
    expect(warned.code, warned.stderr).toBe(0);
    expect(warned.stderr).toContain(`warning: ${withExtra}: 1 column(s) not in the spec, not used: Favourite_Colour`);
    expect(readCsvFile(out).records).toHaveLength(20);
    const strictOut = join(dir, 'extra-strict.csv');
    const refused = await credit(['predict', '--model', modelDir, '--data', withExtra, '--out', strictOut, '--strict']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: .*column\(s\) not in the spec: Favourite_Colour/);
    expect(existsSync(strictOut)).toBe(false);
  });

  it('train --strict refuses them before training; without it, the warning comes before the first progress line', async () => {
    const refused = await credit([
      'train',
      '--data',
      withExtra,
      '--spec',
      'data/specs/credit-score.json',
      '--out',
      join(dir, 'strict-model'),
      '--cv',
      '2',
      '--classifiers',
      'rf',
      '--samplers',
      'none',
      '--strict',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: .*column\(s\) not in the spec: Favourite_Colour/);
    expect(refused.stderr).not.toMatch(/cross-validation|fold 1/);
    expect(existsSync(join(dir, 'strict-model'))).toBe(false);
  });
});

describe('credit-score spec init', () => {
  for (const [file, target] of [
    ['data/credit_score_customers_raw.csv', 'Credit_Score'],
    ['data/taiwan_credit_default.csv', 'defaulted'],
  ] as const) {
    it(`writes a spec for ${file} that train accepts and trains on`, async () => {
      const name = file.replace(/^data\/|\.csv$/g, '');
      const specFile = join(dir, `${name}.spec.json`);
      const init = await credit(['spec', 'init', '--data', file, '--target', target, '--out', specFile]);
      expect(init.code, init.stderr).toBe(0);
      expect(init.stderr).toContain(`wrote ${specFile}`);
      const spec = JSON.parse(readFileSync(specFile, 'utf8')) as { target: { column: string; classes: string[] } };
      expect(spec.target.column).toBe(target);
      expect(spec.target.classes.length).toBeGreaterThanOrEqual(2);
      const sample = subsetCsv(file, 400, join(dir, `${name}-400.csv`));
      const trained = await credit([
        'train',
        '--data',
        sample,
        '--spec',
        specFile,
        '--out',
        join(dir, `${name}-model`),
        '--cv',
        '2',
        '--classifiers',
        'rf',
        '--samplers',
        'none',
        '--quiet',
      ]);
      expect(trained.code, trained.stderr).toBe(0);
      expect(trained.stdout).toMatch(/best: RandomForest \+ none, macro F1 0\.\d+/);
    }, 120_000);
  }

  it('names the model after the target column, or --name; a --name that is not a registry name exits 2', async () => {
    const nameOf = (file: string): string => (JSON.parse(readFileSync(file, 'utf8')) as { name: string }).name;
    const guessed = join(dir, 'guessed-name.json');
    expect(
      (
        await credit([
          'spec',
          'init',
          '--data',
          'data/taiwan_credit_default.csv',
          '--target',
          'defaulted',
          '--out',
          guessed,
        ])
      ).code,
    ).toBe(0);
    expect(nameOf(guessed)).toBe('defaulted');
    const named = join(dir, 'given-name.json');
    const given = await credit([
      'spec',
      'init',
      '--data',
      'data/taiwan_credit_default.csv',
      '--target',
      'defaulted',
      '--name',
      'card-default',
      '--out',
      named,
    ]);
    expect(given.code, given.stderr).toBe(0);
    expect(nameOf(named)).toBe('card-default');
    expectUsageError(
      await credit([
        'spec',
        'init',
        '--data',
        'data/taiwan_credit_default.csv',
        '--target',
        'defaulted',
        '--name',
        'card default',
      ]),
      '--name must be a letter or digit, then letters, digits, ".", "_", "-" (at most 64), got "card default"',
      'spec init',
    );
  });

  it('a target that is not a column is one line naming it, exit 1', async () => {
    const result = await credit(['spec', 'init', '--data', 'data/taiwan_credit_default.csv', '--target', 'Nope']);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toMatch(/^error: .*Nope.*the target column is not in the file/);
    expect(result.stderr).not.toContain('    at ');
  });
});

describe('credit-score upload', () => {
  let s3: Awaited<ReturnType<typeof startTestS3>>;
  let env: Record<string, string>;
  const rows = subsetCsv('data/credit_score_customers_raw.csv', 25, join(dir, 'november.csv'));

  beforeAll(async () => {
    s3 = await startTestS3();
    env = {
      S3_ENDPOINT: s3.s3.endpoint,
      MODEL_BUCKET: TEST_BUCKET,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
    };
  });
  afterAll(() => s3?.s3.close());

  it('puts the CSV under data/<file name> and prints the dataKey; the object reads back byte for byte', async () => {
    const result = await credit(['upload', rows], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^uploaded .*november\.csv \(25 rows, \d+ bytes\) to data\/november\.csv in /);
    expect(result.stdout).toContain('dataKey: data/november.csv');
    const stored = await s3.store.get('data/november.csv');
    expect(Buffer.from(stored!.bytes).equals(readFileSync(rows))).toBe(true);
  });

  it('takes --key, and never replaces an existing object', async () => {
    const named = await credit(['upload', rows, '--key', 'data/2026/11.csv'], env);
    expect(named.code).toBe(0);
    expect(await s3.store.exists('data/2026/11.csv')).toBe(true);
    const other = subsetCsv('data/credit_score_customers_raw.csv', 3, join(dir, 'other.csv'));
    const again = await credit(['upload', other, '--key', 'data/november.csv'], env);
    expectUsageError(
      again,
      `data/november.csv already exists in ${s3.s3.endpoint} (bucket ${TEST_BUCKET}); choose another --key`,
      'upload',
    );
    expect(Buffer.from((await s3.store.get('data/november.csv'))!.bytes).equals(readFileSync(rows))).toBe(true);
  });

  it('refuses a file that is not a CSV with a header and rows, and a key outside data/, uploading nothing', async () => {
    const headerOnly = join(dir, 'header-only.csv');
    writeFileSync(headerOnly, 'Age,Income\n');
    const empty = await credit(['upload', headerOnly], env);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toBe(`error: ${headerOnly}: the file has a header but no rows\n`);
    const missing = await credit(['upload', join(dir, 'absent.csv')], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/absent\.csv: cannot read file \(ENOENT\)/);
    expectUsageError(
      await credit(['upload', rows, '--key', 'models/x.csv'], env),
      '--key must be a key under data/ (for example data/2026-11.csv), got models/x.csv',
      'upload',
    );
    expect(await s3.store.list('data/')).toEqual(['data/2026/11.csv', 'data/november.csv']);
    expect(await s3.store.list('models/')).toEqual([]);
  });
});
