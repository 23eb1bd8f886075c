/**
 * A model that cannot replace the small credit-score model (helpers.ts trainSmallModel): trained
 * by the project's own trainer on the same 900 rows reshaped. A binary target (good: the "Good"
 * rows, bad: the rest), Monthly_Balance not a column of it, Num_of_Loan read as a category, and
 * Payment_of_Min_Amount without its "NM" level (folded into "No"). Everything else, including
 * the other columns' categories, is what the small model saw, so these four are its only
 * differences from it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsvFile } from '../lib/data/dataset.ts';
import { loadSpec, parseSpec } from '../lib/data/spec.ts';
import { trainModel, type TrainingResult } from '../lib/pipeline/pipeline.ts';
import { subsetCsv, tempDir } from './helpers.ts';

/** What the contract check must name, by field, in its order (classes, then the small model's columns in spec order). */
export const INCOMPATIBLE_FIELDS = [
  'classes',
  'columns.Num_of_Loan.type',
  'columns.Monthly_Balance',
  'columns.Payment_of_Min_Amount.categories',
];

let model: Promise<TrainingResult> | undefined;

export function trainIncompatibleModel(): Promise<TrainingResult> {
  if (!model) {
    const dir = tempDir('incompatible-model');
    const csv = readCsvFile(subsetCsv('data/credit_score_customers_raw.csv', 900, join(dir, 'credit-900.csv')));
    const at = (column: string): number => csv.header.indexOf(column);
    const [target, minimum] = [at('Credit_Score'), at('Payment_of_Min_Amount')];
    const records = csv.records.map((r) =>
      r.map((value, i) =>
        i === target ? (value === 'Good' ? 'good' : 'bad') : i === minimum && value === 'NM' ? 'No' : value,
      ),
    );
    const cell = (v: string): string => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    const file = join(dir, 'good-bad.csv');
    writeFileSync(file, [csv.header, ...records].map((r) => r.map(cell).join(',')).join('\n') + '\n');
    const base = loadSpec('data/specs/credit-score.json');
    const spec = parseSpec({
      ...base,
      target: { column: 'Credit_Score', classes: ['good', 'bad'] },
      numeric: base.numeric.filter((c) => c.column !== 'Monthly_Balance' && c.column !== 'Num_of_Loan'),
      categorical: [...base.categorical, { column: 'Num_of_Loan' }],
      identifiers: [...base.identifiers, 'Monthly_Balance'], // in the file, not a column of the model
    });
    model = trainModel({ dataFile: file, spec, folds: 2, seed: 7, classifiers: ['xgb'], samplers: ['none'] });
  }
  return model;
}
