import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CleanRow } from '../lib/data/clean-record.ts';
import { filesToBundle } from '../lib/artifact/model-bundle.ts';
import { cleanRecords, loadDataset, parseCsv, readCsvFile, unlistedColumns } from '../lib/data/dataset.ts';
import { DataError } from '../lib/data/errors.ts';
import { inferSpec } from '../lib/data/spec-init.ts';
import {
  DEFAULT_MISSING_TOKENS,
  loadSpec,
  parseSpec,
  parseStoredSpec,
  SpecError,
  type DatasetSpec,
} from '../lib/data/spec.ts';
import { Predictor } from '../lib/serving/predictor.ts';
import { trainModel } from '../lib/pipeline/pipeline.ts';
import { createProgressReporter } from '../lib/training/progress.ts';
import { subsetCsv, tempDir } from './helpers.ts';

const dir = tempDir('spec-test');

function csvFile(name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** The problems a spec is refused with, one per line. */
function problemsOf(value: unknown): string[] {
  try {
    parseSpec(value, 'my-spec.json');
  } catch (err) {
    expect(err).toBeInstanceOf(SpecError);
    return (err as Error).message
      .split('\n')
      .slice(1)
      .map((line) => line.trim());
  }
  throw new Error('the spec was accepted');
}

/** Every cleaned value of every row as one string (NaN as null), to compare large tables quickly. */
function fingerprint(rows: CleanRow[]): string {
  return JSON.stringify(rows.map((r) => [Array.from(r.numeric), r.categorical, r.multiLabel]));
}

const target = { column: 'y', classes: ['no', 'yes'] };

describe('column lists', () => {
  it('take a column name as shorthand for the object with every setting at its default', () => {
    const short = parseSpec({
      name: 's',
      target,
      numeric: ['Income'],
      duration: ['Tenure'],
      categorical: ['City'],
      multiLabel: ['Loans'],
    });
    const long = parseSpec({
      name: 's',
      target,
      numeric: [{ column: 'Income' }],
      duration: [{ column: 'Tenure' }],
      categorical: [{ column: 'City' }],
      multiLabel: [{ column: 'Loans' }],
    });
    expect(short).toEqual(long);
    expect(short.multiLabel[0]).toEqual({
      column: 'Loans',
      separator: ',',
      missingTokens: [...DEFAULT_MISSING_TOKENS],
    });
  });

  it('mix both forms in one list', () => {
    const spec = parseSpec({ name: 's', target, numeric: ['Income', { column: 'Debt', min: 0 }] });
    expect(spec.numeric.map((c) => [c.column, c.min])).toEqual([
      ['Income', undefined],
      ['Debt', 0],
    ]);
  });
});

describe('spec errors', () => {
  it('suggest the nearest allowed key for a typo at the top level and inside a column, naming the column', () => {
    const problems = problemsOf({
      name: 's',
      target,
      categorial: ['City'],
      numeric: ['Age', 'Debt', { column: 'Income', mn: 0 }],
    });
    expect(problems).toContain('(root): unrecognized key "categorial" — did you mean "categorical"?');
    expect(problems).toContain('numeric[2] (column "Income"): unrecognized key "mn" — did you mean "min"?');
  });

  it('suggest within nested objects and list the allowed keys when nothing is close', () => {
    const problems = problemsOf({
      name: 's',
      target: { column: 'y', clases: ['a', 'b'] },
      categorical: [{ column: 'City', colour: 'blue' }],
    });
    expect(problems).toContain('target: unrecognized key "clases" — did you mean "classes"?');
    expect(problems).toContain(
      'categorical[0] (column "City"): unrecognized key "colour" (allowed: column, order, missingTokens)',
    );
  });

  it('name the field of a bad value and say what an entry may be', () => {
    const problems = problemsOf({ name: 's', target, numeric: [{ column: 'Age', min: 'zero' }, 42] });
    expect(problems).toContain('numeric[0].min (column "Age"): invalid input: expected number, received string');
    expect(problems).toContain(
      'numeric[1]: expected a column name or an object with the keys column, min, max, missingTokens, monotone',
    );
  });
});

describe('missing values', () => {
  const spec = parseSpec({
    name: 's',
    target,
    numeric: ['Income', { column: 'Debt', missingTokens: ['?'] }],
    categorical: ['City'],
  });
  const header = 'Income,Debt,City,y';

  it('read the empty cell, NA, NaN, null and N/A as missing by default, in numbers and categories', () => {
    const rows = cleanRecords(
      parseCsv([header, 'NA,NaN,null,no', 'N/A,,NA,yes', ' ,null,N/A,no', '5,6,Paris,yes'].join('\n'), 'na.csv'),
      spec,
      'na.csv',
    );
    expect(rows.slice(0, 3).map((r) => [...r.numeric])).toEqual([
      [NaN, NaN],
      [NaN, NaN],
      [NaN, NaN],
    ]);
    expect(rows.slice(0, 3).map((r) => r.categorical[0])).toEqual([null, null, null]);
    expect([...rows[3].numeric, rows[3].categorical[0]]).toEqual([5, 6, 'Paris']);
  });

  it("add a column's own tokens to the defaults, for that column only", () => {
    const rows = cleanRecords(parseCsv([header, '1,?,Paris,no', '1,NA,Paris,no'].join('\n'), 'q.csv'), spec, 'q.csv');
    expect(rows.map((r) => r.numeric[1])).toEqual([NaN, NaN]);
    expect(() => cleanRecords(parseCsv([header, '?,1,Paris,no'].join('\n'), 'q2.csv'), spec, 'q2.csv')).toThrow(
      /row 2, column Income: expected a number, got "\?"/,
    );
  });

  it('keep NA as a category when the spec sets its own dataset-level list', () => {
    const own = parseSpec({ name: 's', target, missingTokens: [''], categorical: ['City'] });
    const rows = cleanRecords(parseCsv(['City,y', 'NA,no', ',yes'].join('\n'), 'own.csv'), own, 'own.csv');
    expect(rows.map((r) => r.categorical[0])).toEqual(['NA', null]);
  });

  it('stay as they were for a spec stored in an artifact before the default existed', () => {
    const stored = JSON.parse(
      JSON.stringify({ name: 's', target, categorical: [{ column: 'City', missingTokens: ['?'] }] }),
    );
    const old = parseStoredSpec(stored, 'spec.json');
    const rows = cleanRecords(parseCsv(['City,y', 'NA,no', '?,no', ',yes'].join('\n'), 'old.csv'), old, 'old.csv');
    expect(rows.map((r) => r.categorical[0])).toEqual(['NA', null, null]);
    // A stored spec that has the list keeps it as stored.
    expect(
      parseStoredSpec(JSON.parse(JSON.stringify(parseSpec(stored))), 'spec.json').categorical[0].missingTokens,
    ).toEqual([...DEFAULT_MISSING_TOKENS, '?']);
  });

  it('change nothing the shipped data is read as', () => {
    for (const [data, specFile] of [
      ['data/credit_score_customers_raw.csv', 'data/specs/credit-score.json'],
      ['data/taiwan_credit_default.csv', 'data/specs/taiwan-credit-default.json'],
    ]) {
      const spec = loadSpec(specFile);
      // The shipped spec read as an artifact stored before the default existed would read it.
      const before = parseStoredSpec(JSON.parse(readFileSync(specFile, 'utf8')), specFile);
      expect([spec.missingTokens, before.missingTokens]).toEqual([[...DEFAULT_MISSING_TOKENS], []]);
      const csv = readCsvFile(data);
      expect(fingerprint(cleanRecords(csv, spec, data)) === fingerprint(cleanRecords(csv, before, data))).toBe(true);
    }
  });
});

describe('columns the spec does not name', () => {
  const spec = parseSpec({ name: 's', target, identifiers: ['id'], numeric: ['Income'] });
  const file = csvFile('extra.csv', ['id,Income,Notes,Branch,y', '1,10,hello,north,no', '2,20,bye,south,yes']);

  it('are listed, not used, and the target and identifiers are not among them', () => {
    expect(unlistedColumns(['id', 'Income', 'Notes', 'Branch', 'y'], spec)).toEqual(['Notes', 'Branch']);
    const dataset = loadDataset(file, spec);
    expect(dataset.unlistedColumns).toEqual(['Notes', 'Branch']);
    expect(dataset.rows.map((r) => [...r.numeric])).toEqual([[10], [20]]);
  });

  it('are an error naming them when reading strictly, for training and for scoring', () => {
    expect(() => loadDataset(file, spec, { strict: true })).toThrow(DataError);
    expect(() => loadDataset(file, spec, { strict: true })).toThrow(
      /extra\.csv: column\(s\) not in the spec: Notes, Branch/,
    );
    expect(() => cleanRecords(readCsvFile(file), spec, file, { strict: true })).toThrow(
      /column\(s\) not in the spec: Notes, Branch/,
    );
    expect(cleanRecords(readCsvFile(file), spec, file)).toHaveLength(2);
  });
});

describe('inferSpec', () => {
  /** "Auto, Card, and Payday": the loan types whose bits are set in `mask`, 40 distinct lists of 6 labels. */
  const loanList = (mask: number): string => {
    const loans = ['Auto', 'Home', 'Card', 'Student', 'Payday', 'Mortgage'].filter((_, b) => mask & (1 << b));
    return loans.length > 1 ? `${loans.slice(0, -1).join(', ')}, and ${loans.at(-1)}` : loans.join('');
  };

  it('guesses types from values, ignoring the default missing tokens, and takes stray tokens of a number column as its missing tokens', () => {
    const table = parseCsv(
      [
        'Customer_ID,Income,Limit,Tenure,City,Loans,y',
        'C1,100,5,2 Years and 3 Months,Paris,"Auto, Home",no',
        'C2,NA,_,1 Years and 0 Months,Rome,Home,yes',
        ...Array.from(
          { length: 40 },
          (_, i) =>
            `C${i + 3},${i},${i % 7},${i} Years and 1 Months,${['Paris', 'Rome', 'NA'][i % 3]},"${loanList(i + 1)}",${i % 2 ? 'yes' : 'no'}`,
        ),
      ].join('\n'),
      'guess.csv',
    );
    const spec = inferSpec(table, 'y');
    expect(spec.target).toEqual({ column: 'y', classes: ['no', 'yes'] });
    expect(spec.identifiers).toEqual(['Customer_ID']);
    expect(spec.numeric).toEqual(['Income', { column: 'Limit', missingTokens: ['_'] }]);
    expect(spec.duration).toEqual(['Tenure']);
    expect(spec.categorical).toEqual(['City']);
    expect(spec.multiLabel).toEqual([{ column: 'Loans', separator: ',' }]);
    expect(spec.missingTokens).toEqual([...DEFAULT_MISSING_TOKENS]);
    expect(parseSpec(spec).target.classes).toEqual(['no', 'yes']);
  });

  it('refuses a target that is not in the file or has one class, naming the column', () => {
    const table = parseCsv(['a,b', '1,x', '2,x'].join('\n'), 't.csv');
    expect(() => inferSpec(table, 'label')).toThrow(
      /column label: the target column is not in the file \(its columns: a, b\)/,
    );
    expect(() => inferSpec(table, 'b')).toThrow(
      /column b: the target needs at least 2 classes, the file has 1 \("x"\)/,
    );
  });

  it.each([
    ['data/credit_score_customers_raw.csv', 'Credit_Score', ['Good', 'Poor', 'Standard']],
    ['data/taiwan_credit_default.csv', 'defaulted', ['0', '1']],
  ])(
    'on %s writes a spec that parses and trains a model predicting every class',
    async (data, targetColumn, classes) => {
      const inferred = inferSpec(readCsvFile(data), targetColumn);
      const spec: DatasetSpec = parseSpec(JSON.parse(JSON.stringify(inferred)), 'inferred');
      expect(spec.target.classes).toEqual(classes);
      const sample = subsetCsv(data, 400, join(dir, `sample-${targetColumn}.csv`));
      const unlisted: string[][] = [];
      const result = await trainModel({
        dataFile: sample,
        spec,
        folds: 2,
        seed: 7,
        classifiers: ['rf'],
        samplers: ['none'],
        jobs: 1,
        progress: createProgressReporter(process.stderr, true),
        onUnlistedColumns: (columns) => unlisted.push(columns),
      });
      expect(result.report.dataset.rows).toBe(400);
      // Columns spec init left out (the credit file's Month, Name, SSN) are the ones training reports unused.
      const leftOut = readCsvFile(sample).header.filter((c) => !JSON.stringify(inferred).includes(`"${c}"`));
      expect(unlisted).toEqual(leftOut.length ? [leftOut] : []);
      const predictor = new Predictor(filesToBundle(result.files).bundle);
      const csv = readCsvFile(sample);
      const prediction = predictor.predictRecord(Object.fromEntries(csv.header.map((c, j) => [c, csv.records[0][j]])));
      expect(Object.keys(prediction.probabilities)).toEqual(classes);
      expect(Object.values(prediction.probabilities).reduce((s, p) => s + p, 0)).toBeCloseTo(1, 6);
      expect(classes).toContain(prediction.label);
    },
  );

  it('refuses, before any training, the columns it left out when training strictly', async () => {
    const spec = parseSpec(inferSpec(readCsvFile('data/credit_score_customers_raw.csv'), 'Credit_Score'));
    const sample = subsetCsv('data/credit_score_customers_raw.csv', 50, join(dir, 'strict.csv'));
    await expect(
      trainModel({
        dataFile: sample,
        spec,
        folds: 2,
        seed: 1,
        classifiers: ['rf'],
        samplers: ['none'],
        jobs: 1,
        strict: true,
      }),
    ).rejects.toThrow(/column\(s\) not in the spec: Month, Name, SSN/);
  });
});
