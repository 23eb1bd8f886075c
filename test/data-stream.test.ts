/**
 * Training's streamed read of a CSV (lib/data/dataset-stream.ts) gives what the whole-file reader
 * gives: the same cleaned values, classes, groups and fingerprint on both shipped CSVs, the same
 * values whatever the chunk boundaries (inside a quoted field, a CRLF, a BOM, a UTF-8 character),
 * and the same error, in the same order of precedence, for every kind of bad file.
 * The reference values come from the per-record cleaner as it was (cleanRecords on the parsed table).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CleanRow } from '../lib/data/clean-record.ts';
import { cleanRecords, loadDataset, readCsvFile, unlistedColumns, type Dataset } from '../lib/data/dataset.ts';
import { datasetFromChunks, streamDataset } from '../lib/data/dataset-stream.ts';
import { groupOf } from '../lib/data/sensitive-groups.ts';
import { loadSpec, parseSpec, type DatasetSpec } from '../lib/data/spec.ts';
import { tempDir } from './helpers.ts';

const dir = tempDir('data-stream');

/** The first cell where two row lists differ (NaN equals NaN), or null. */
function firstDifference(a: CleanRow[], b: CleanRow[]): object | null {
  if (a.length !== b.length) return { rows: [a.length, b.length] };
  for (let r = 0; r < a.length; r++) {
    const x = a[r];
    const y = b[r];
    if (x.numeric.length !== y.numeric.length) return { row: r, numericLength: [x.numeric.length, y.numeric.length] };
    for (let j = 0; j < x.numeric.length; j++)
      if (!Object.is(x.numeric[j], y.numeric[j])) return { row: r, numeric: j, values: [x.numeric[j], y.numeric[j]] };
    if (JSON.stringify(x.categorical) !== JSON.stringify(y.categorical))
      return { row: r, categorical: [x.categorical, y.categorical] };
    if (JSON.stringify(x.multiLabel) !== JSON.stringify(y.multiLabel))
      return { row: r, multiLabel: [x.multiLabel, y.multiLabel] };
  }
  return null;
}

/** What the whole-file reader's steps give for `file`, computed from the parsed table directly. */
function reference(file: string, spec: DatasetSpec): Omit<Dataset, 'spec' | 'source'> {
  const csv = readCsvFile(file);
  const t = csv.header.indexOf(spec.target.column);
  return {
    rows: cleanRecords(csv, spec, file),
    y: Int32Array.from(csv.records, (record) => spec.target.classes.indexOf(record[t].trim())),
    unlistedColumns: unlistedColumns(csv.header, spec),
    groups: Object.fromEntries(
      spec.sensitive.map((c) => [
        c.column,
        csv.records.map((record) => groupOf(c, record[csv.header.indexOf(c.column)])),
      ]),
    ),
    sha256: createHash('sha256').update(readFileSync(file)).digest('hex'),
  };
}

function expectSameDataset(got: Dataset, want: Omit<Dataset, 'spec' | 'source'>): void {
  expect(firstDifference(got.rows, want.rows)).toBeNull();
  expect(Array.from(got.y)).toEqual(Array.from(want.y));
  expect(got.unlistedColumns).toEqual(want.unlistedColumns);
  expect(got.groups).toEqual(want.groups);
  expect(got.sha256).toBe(want.sha256);
}

/** `bytes` as a stream of `size`-byte chunks. */
function chunked(bytes: Uint8Array, size: number): Readable {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return Readable.from(chunks);
}

describe('the streamed read of the shipped CSVs', () => {
  // Taiwan with sensitive columns (one a feature too, in bands) so the groups are compared as well.
  const taiwan = loadSpec('data/specs/taiwan-credit-default.json');
  const cases = [
    { file: 'data/credit_score_customers_raw.csv', spec: loadSpec('data/specs/credit-score.json') },
    {
      file: 'data/taiwan_credit_default.csv',
      spec: parseSpec({
        ...taiwan,
        categorical: taiwan.categorical.filter((c) => c.column !== 'SEX'),
        sensitive: ['SEX', { column: 'AGE', edges: [30, 45] }],
      }),
    },
  ];
  for (const { file, spec } of cases) {
    it(`gives the whole-file reader's values for ${file}`, async () => {
      const streamed = await streamDataset(file, spec);
      expect(streamed.rows.length).toBeGreaterThan(1000);
      expectSameDataset(streamed, reference(file, spec));
      expectSameDataset(loadDataset(file, spec), reference(file, spec));
    });
  }
});

describe('chunk boundaries anywhere', () => {
  const spec = parseSpec({
    target: { column: 'Score', classes: ['Good', 'Poor'] },
    identifiers: ['ID'],
    numeric: [{ column: 'Income', min: 0 }],
    duration: ['History'],
    categorical: ['City'],
    multiLabel: ['Loans'],
    sensitive: ['Region', { column: 'Age', edges: [25, 50] }],
  });
  // A BOM (before a quoted name, which trim() alone would not mend), CRLF endings, quoted fields with commas, doubled quotes and a line break, missing
  // values, the export's stray underscores, and two-, three- and four-byte UTF-8 characters.
  const text =
    '\uFEFF"ID",Income,History,City,Loans,Region,Age,Score\r\n' +
    '1,"1_234",10 Years and 9 Months,Zürich,"Auto Loan, and Payday Loan",Île-de-France,24,Good\r\n' +
    '2,_52312.68_,,"São ""Paulo""",NA,東京,61,Poor\r\n' +
    '3,NA,1 Year 1 Month,,"Home\r\nLoan",🌍 Earth,,Good\r\n' +
    '4,7,12,Zürich,,,33,Poor\r\n';
  const bytes = Buffer.from(text, 'utf8');
  const file = join(dir, 'tricky.csv');
  writeFileSync(file, bytes);

  it('the whole-file reader reads the tricky file as the cleaning rules say', () => {
    const { rows, y, groups } = loadDataset(file, spec);
    expect(rows.map((r) => r.categorical[0])).toEqual(['Zürich', 'São "Paulo"', null, 'Zürich']);
    expect(rows.map((r) => r.multiLabel[0])).toEqual([['Auto Loan', 'Payday Loan'], [], ['Home\r\nLoan'], []]);
    expect(Array.from(rows, (r) => r.numeric[0])).toEqual([1234, 52312.68, NaN, 7]);
    expect(Array.from(rows, (r) => r.numeric[1])).toEqual([129, NaN, 13, 12]);
    expect(Array.from(y)).toEqual([0, 1, 0, 1]);
    expect(groups).toEqual({
      Region: ['Île-de-France', '東京', '🌍 Earth', null],
      Age: ['under 25', '50 and over', null, '25 to under 50'],
    });
  });

  for (const size of [1, 2, 3, 5, 64]) {
    it(`gives the same dataset fed ${size}-byte chunks`, async () => {
      const streamed = await datasetFromChunks(chunked(bytes, size), file, spec);
      expectSameDataset(streamed, { ...loadDataset(file, spec) });
    });
  }
});

describe('bad files: the same error as the whole-file reader', () => {
  const spec = parseSpec({
    target: { column: 'y', classes: ['no', 'yes'] },
    numeric: ['a'],
    categorical: ['c'],
    sensitive: ['s'],
  });
  const cases: Record<string, string> = {
    'a missing feature column': 'x,c,y,s\n1,p,no,f\n',
    'a missing target column': 'a,c,s\n1,p,f\n',
    'a missing sensitive column': 'a,c,y\n1,p,no\n2,p,yes\n',
    'a value that is not a number': 'a,c,y,s\n1,p,no,f\n"two\nlines",p,yes,f\n',
    'a class not in the spec': 'a,c,y,s\n1,p,no,f\n2,p,maybe,f\n',
    'a missing label': 'a,c,y,s\n1,p,no,f\n2,p, ,f\n',
    'a class with no rows': 'a,c,y,s\n1,p,no,f\n',
    'an empty file': '',
    'a file of blanks and a BOM': '\uFEFF  \n\n ',
    'a header and no rows': 'a,c,y,s\n',
    'a ragged row': 'a,c,y,s\n1,p,no\n',
    'an unclosed quote': 'a,c,y,s\n1,"p,no,f\n',
    // Precedence: a bad label is reported before an earlier bad value, and a CSV error before both.
    'a bad value, then a bad label': 'a,c,y,s\nx,p,no,f\n2,p,maybe,f\n',
    'bad values and labels, then a ragged row': 'a,c,y,s\nx,p,maybe,f\n2,p\n',
    'a missing feature column and a bad label': 'x,c,y,s\n1,p,maybe,f\n',
    'a class with no rows and a missing sensitive column': 'a,c,y\n1,p,no\n',
  };
  for (const [name, text] of Object.entries(cases)) {
    it(name, async () => {
      const file = join(dir, `${name.replace(/\W+/g, '-')}.csv`);
      writeFileSync(file, text);
      let expected: unknown;
      try {
        loadDataset(file, spec);
      } catch (err) {
        expected = err;
      }
      expect(expected).toBeInstanceOf(Error);
      await expect(streamDataset(file, spec)).rejects.toThrow((expected as Error).message);
      await expect(datasetFromChunks(chunked(Buffer.from(text), 1), file, spec)).rejects.toThrow(
        (expected as Error).message,
      );
    });
  }

  it('names the problem as before (a sample of the messages)', async () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, cases['a bad value, then a bad label']);
    await expect(streamDataset(file, spec)).rejects.toThrow(
      /bad\.csv, row 3, column y: class "maybe" is not in the spec \(no, yes\)/,
    );
    writeFileSync(file, cases['a value that is not a number']);
    // A record over two lines is located at the line it ends on, as csv-parse counts (and always has here).
    await expect(streamDataset(file, spec)).rejects.toThrow(
      /bad\.csv, row 4, column a: expected a number, got "two\nlines"/,
    );
    writeFileSync(file, cases['a missing sensitive column']);
    await expect(streamDataset(file, spec)).rejects.toThrow(/bad\.csv: missing column\(s\): s/);
    await expect(streamDataset(join(dir, 'absent.csv'), spec)).rejects.toThrow(
      /absent\.csv: cannot read file \(ENOENT\)/,
    );
  });

  it('refuses unlisted columns when strict, after CSV errors and before everything else', async () => {
    const file = join(dir, 'strict.csv');
    writeFileSync(file, 'a,c,y,s,extra\nx,p,maybe,f,1\n');
    await expect(streamDataset(file, spec, { strict: true })).rejects.toThrow(
      /strict\.csv: column\(s\) not in the spec: extra/,
    );
    expect(() => loadDataset(file, spec, { strict: true })).toThrow(/strict\.csv: column\(s\) not in the spec: extra/);
    writeFileSync(file, 'a,c,y,s,extra\n1,p,no,f,1\n2,p,yes,f\n');
    await expect(streamDataset(file, spec, { strict: true })).rejects.toThrow(/not a valid CSV/);
  });
});
