import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanCategory, cleanDuration, cleanLabels, cleanNumber } from '../lib/data/clean-values.ts';
import { loadDataset } from '../lib/data/dataset.ts';
import { DataError, ValueError } from '../lib/data/errors.ts';
import { Preprocessor } from '../lib/data/preprocessor.ts';
import { loadSpec, parseSpec, SpecError } from '../lib/data/spec.ts';

const creditSpec = loadSpec('data/specs/credit-score.json');
const taiwanSpec = loadSpec('data/specs/taiwan-credit-default.json');
const dir = mkdtempSync(join(tmpdir(), 'data-test-'));

function csvFile(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const HEADER =
  'Customer_ID,ID,Month,Name,Age,SSN,Occupation,Annual_Income,Monthly_Inhand_Salary,Num_Bank_Accounts,Num_Credit_Card,Interest_Rate,Num_of_Loan,Type_of_Loan,Delay_from_due_date,Num_of_Delayed_Payment,Changed_Credit_Limit,Num_Credit_Inquiries,Credit_Mix,Outstanding_Debt,Credit_Utilization_Ratio,Credit_History_Age,Payment_of_Min_Amount,Total_EMI_per_month,Amount_invested_monthly,Payment_Behaviour,Monthly_Balance,Credit_Score';
const ROW_POOR =
  'CUS_0x1000,0x16291,August,Alistair Barrf,18,913-74-1218,Lawyer,30625.94,2706.16,6,5,27,2,"Credit-Builder Loan, and Home Equity Loan",57,26,1.63,11.0,Bad,1562.91,30.07,10 Years and 9 Months,Yes,42.94,77.31,High_spent_Medium_value_payments,400.36,Poor';
const ROW_DIRTY =
  'CUS_0x1009,0x66a9,August,Arunah,8000,#F%$D@*&8,_______,52312.68_,4250.39,-1,5,17,4_,,5,18,_,4.0,_,202.68_,40.28,,NM,108.36,__10000__,!@9#%8,__-333333333333333333333333333__,Standard';
const ROW_GOOD =
  'CUS_0x100b,0x1efd,August,Shirboni,19,000-00-0000,Doctor,113781.39,9549.78,1,4,1,0,Auto Loan,14,8,8.34,4.0,Good,1030.2,28.59,15 Years and 10 Months,No,0.0,617.07,Low_spent_Small_value_payments,597.89,Good';

describe('cleaning raw values', () => {
  const range = { min: 0, max: 100, missingTokens: ['_'] };

  it('strips stray underscores, maps missing tokens and impossible values to missing', () => {
    expect(cleanNumber('52.5_', range)).toBe(52.5);
    expect(cleanNumber('__10__', range)).toBe(10);
    expect(cleanNumber('_', range)).toBeNaN();
    expect(cleanNumber('', range)).toBeNaN();
    expect(cleanNumber('8000', range)).toBeNaN();
    expect(cleanNumber(-1, range)).toBeNaN();
    expect(cleanNumber(42, range)).toBe(42);
    expect(cleanNumber(null, range)).toBeNaN();
  });

  it('refuses values that are not numbers after cleaning', () => {
    expect(() => cleanNumber('abc', range)).toThrow(ValueError);
    expect(() => cleanNumber('12abc', range)).toThrow(/expected a number, got "12abc"/);
    expect(() => cleanNumber(Infinity, range)).toThrow(/finite/);
    expect(() => cleanNumber(true, range)).toThrow(/expected a number/);
  });

  it('reads durations as months', () => {
    const any = { missingTokens: ['NA'] };
    expect(cleanDuration('10 Years and 9 Months', any)).toBe(129);
    expect(cleanDuration('1 Year and 1 Month', any)).toBe(13);
    expect(cleanDuration('NA', any)).toBeNaN();
    expect(cleanDuration(60, any)).toBe(60);
    expect(() => cleanDuration('ten years', any)).toThrow(/N Years and M Months/);
  });

  it('reads categories and "A, B, and C" label lists', () => {
    expect(cleanCategory('_______', ['_______'])).toBeNull();
    expect(cleanCategory(' Lawyer ', [])).toBe('Lawyer');
    expect(cleanLabels('Auto Loan, and Payday Loan', ',', [])).toEqual(['Auto Loan', 'Payday Loan']);
    expect(cleanLabels('Not Specified, Home Equity Loan, Credit-Builder Loan, and Payday Loan', ',', [])).toEqual([
      'Not Specified',
      'Home Equity Loan',
      'Credit-Builder Loan',
      'Payday Loan',
    ]);
    expect(cleanLabels('', ',', [])).toEqual([]);
  });
});

describe('dataset spec', () => {
  it('ships valid specs for both datasets', () => {
    expect(creditSpec.target.classes).toEqual(['Good', 'Standard', 'Poor']);
    expect(taiwanSpec.target.classes).toEqual(['0', '1']);
    expect(creditSpec.identifiers).toContain('SSN');
  });

  it('names every bad field of an invalid spec', () => {
    const bad = { ...JSON.parse(JSON.stringify(creditSpec)), colour: 'blue' };
    bad.target.classes = ['A'];
    let message = '';
    try {
      parseSpec(bad, 'my-spec.json');
    } catch (err) {
      expect(err).toBeInstanceOf(SpecError);
      message = (err as Error).message;
    }
    expect(message).toMatch(/my-spec\.json/);
    expect(message).toMatch(/colour/);
    expect(message).toMatch(/target\.classes/);
  });

  it('refuses a column declared twice and a file that is not JSON', () => {
    const twice = JSON.parse(JSON.stringify(creditSpec));
    twice.numeric.push({ column: 'Age' });
    expect(() => parseSpec(twice)).toThrow(/"Age" is declared twice/);
    expect(() => loadSpec(csvFile('spec.json', '{ nope'))).toThrow(/not valid JSON/);
    expect(() => loadSpec(join(dir, 'missing.json'))).toThrow(/ENOENT/);
  });
});

describe('loading a CSV through the spec', () => {
  it('cleans every dirtiness of the raw export', () => {
    const ds = loadDataset(csvFile('ok.csv', [HEADER, ROW_POOR, ROW_DIRTY, ROW_GOOD].join('\n')), creditSpec);
    expect(Array.from(ds.y)).toEqual([2, 1, 0]);
    const [poor, dirty] = ds.rows;
    const col = (name: string): number =>
      [...creditSpec.numeric.map((c) => c.column), 'Credit_History_Age'].indexOf(name);
    expect(poor.numeric[col('Credit_History_Age')]).toBe(129);
    expect(poor.multiLabel[0]).toEqual(['Credit-Builder Loan', 'Home Equity Loan']);
    expect(dirty.numeric[col('Age')]).toBeNaN(); // 8000
    expect(dirty.numeric[col('Annual_Income')]).toBe(52312.68);
    expect(dirty.numeric[col('Num_Bank_Accounts')]).toBeNaN(); // -1
    expect(dirty.numeric[col('Num_of_Loan')]).toBe(4);
    expect(dirty.numeric[col('Changed_Credit_Limit')]).toBeNaN();
    expect(dirty.numeric[col('Amount_invested_monthly')]).toBeNaN(); // __10000__ sentinel
    expect(dirty.numeric[col('Monthly_Balance')]).toBeNaN();
    expect(dirty.numeric[col('Credit_History_Age')]).toBeNaN();
    expect(dirty.categorical).toEqual([null, null, 'NM', null]);
    expect(dirty.multiLabel[0]).toEqual([]);
  });

  it('names file, row and column of each problem', () => {
    const badNumber = ROW_GOOD.replace(',113781.39,', ',lots,');
    expect(() => loadDataset(csvFile('bad-number.csv', [HEADER, ROW_POOR, badNumber].join('\n')), creditSpec)).toThrow(
      DataError,
    );
    expect(() => loadDataset(csvFile('bad-number.csv', [HEADER, ROW_POOR, badNumber].join('\n')), creditSpec)).toThrow(
      /bad-number\.csv, row 3, column Annual_Income: expected a number, got "lots"/,
    );
    const unknownClass = ROW_GOOD.replace(/Good$/, 'Excellent');
    expect(() => loadDataset(csvFile('bad-class.csv', [HEADER, unknownClass].join('\n')), creditSpec)).toThrow(
      /bad-class\.csv, row 2, column Credit_Score: class "Excellent" is not in the spec/,
    );
    const noTarget = ROW_GOOD.replace(/Good$/, '');
    expect(() => loadDataset(csvFile('no-target.csv', [HEADER, noTarget].join('\n')), creditSpec)).toThrow(
      /row 2, column Credit_Score: missing target value/,
    );
  });

  it('refuses missing columns, empty files and header-only files', () => {
    const header = HEADER.replace(',Occupation', '').replace(',Credit_Score', '');
    const row = ROW_GOOD.replace(',Doctor', '').replace(/,Good$/, '');
    expect(() => loadDataset(csvFile('cols.csv', [header, row].join('\n')), creditSpec)).toThrow(
      /cols\.csv: missing column\(s\): Credit_Score/,
    );
    const noOccupation = HEADER.replace(',Occupation', '');
    expect(() =>
      loadDataset(csvFile('cols2.csv', [noOccupation, ROW_GOOD.replace(',Doctor', '')].join('\n')), creditSpec),
    ).toThrow(/missing column\(s\): Occupation/);
    expect(() => loadDataset(csvFile('empty.csv', ''), creditSpec)).toThrow(/empty\.csv: the file is empty/);
    expect(() => loadDataset(csvFile('header.csv', HEADER + '\n'), creditSpec)).toThrow(/header but no rows/);
    expect(() => loadDataset(csvFile('ragged.csv', [HEADER, 'a,b'].join('\n')), creditSpec)).toThrow(/not a valid CSV/);
  });
});

describe('preprocessor', () => {
  const ds = loadDataset(csvFile('pre.csv', [HEADER, ROW_POOR, ROW_DIRTY, ROW_GOOD].join('\n')), creditSpec);

  it('learns from the given rows only and imputes with their median', () => {
    const pre = Preprocessor.fit(creditSpec, ds.rows, [0, 1]);
    const age = pre.state.numeric.find((s) => s.column === 'Age')!;
    expect(age.median).toBe(18); // row 0 only: row 1's 8000 is missing
    const occupation = pre.state.categorical.find((s) => s.column === 'Occupation')!;
    expect(occupation).toEqual({ column: 'Occupation', encoding: 'onehot', levels: ['Lawyer'] });
  });

  it('encodes ordinal, one-hot and multi-hot columns and reports unseen values', () => {
    const pre = Preprocessor.fit(creditSpec, ds.rows, [0, 1]);
    const out = new Float64Array(pre.featureCount);
    const notes: string[] = [];
    pre.transformRow(ds.rows[2], out, 0, notes);
    const value = (name: string): number => out[pre.state.featureNames.indexOf(name)];
    expect(value('Credit_Mix')).toBe(2); // Good in [Bad, Standard, Good]
    expect(value('Occupation=Lawyer')).toBe(0);
    expect(value('Type_of_Loan=Credit-Builder Loan')).toBe(0);
    expect(notes).toEqual([
      'Occupation: unknown category "Doctor"',
      'Payment_of_Min_Amount: unknown category "No"',
      'Payment_Behaviour: unknown category "Low_spent_Small_value_payments"',
      'Type_of_Loan: unknown label "Auto Loan"',
    ]);
    pre.transformRow(ds.rows[1], out);
    expect(value('Age')).toBe(18);
    expect(out.every((v) => Number.isFinite(v))).toBe(true);
  });
});
