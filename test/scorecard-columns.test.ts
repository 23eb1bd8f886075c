/** The columns a scorecard bins, read from cleaned rows: numbers, categories, ordered levels, labels. */
import { describe, expect, it } from 'vitest';
import type { CleanRow } from '../lib/data/clean-record.ts';
import { parseSpec } from '../lib/data/spec.ts';
import { columnNames, planColumns, readColumns, rowValues } from '../lib/scorecard/columns.ts';

const spec = parseSpec({
  target: { column: 'risk', classes: ['good', 'bad'] },
  numeric: ['income'],
  duration: ['history'],
  categorical: ['job', { column: 'mix', order: ['Bad', 'Standard', 'Good'] }],
  multiLabel: ['loans'],
});

const row = (income: number, history: number, job: string | null, mix: string | null, loans: string[]): CleanRow => ({
  numeric: Float64Array.of(income, history),
  categorical: [job, mix],
  multiLabel: [loans],
});

describe('scorecard columns', () => {
  const rows = [
    row(10, 24, 'clerk', 'Good', ['Auto', 'Home']),
    row(NaN, 3, null, 'Other', []),
    row(30, NaN, 'pilot', null, ['Payday']),
  ];

  it('plan the numeric, categorical, ordered and per-label columns, labels from the training rows only', () => {
    const plan = planColumns(spec, rows, [0, 1]);
    expect(columnNames(plan)).toEqual(['income', 'history', 'job', 'mix', 'loans=Auto', 'loans=Home']);
  });

  it('read ordered levels as positions (outside the order: missing), categories as they are, labels as 0/1', () => {
    const plan = planColumns(spec, rows);
    expect(rowValues(plan, rows[0])).toEqual([10, 24, 'clerk', 2, 1, 1, 0]);
    expect(rowValues(plan, rows[1])).toEqual([NaN, 3, null, NaN, 0, 0, 0]);
    const columns = readColumns(plan, rows);
    expect(columns.map((c) => [c.name, c.kind])).toEqual([
      ['income', 'numeric'],
      ['history', 'numeric'],
      ['job', 'categorical'],
      ['mix', 'numeric'],
      ['loans=Auto', 'numeric'],
      ['loans=Home', 'numeric'],
      ['loans=Payday', 'numeric'],
    ]);
    expect(Array.from(columns[3].values as Float64Array)).toEqual([2, NaN, NaN]);
    expect(columns[2].values).toEqual(['clerk', null, 'pilot']);
  });
});
