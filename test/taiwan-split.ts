/**
 * The Taiwan data as the model-choice tests cut it (decision rule, calibration): the first rows
 * to train on, and the rows after them that no model saw (their probabilities are not the
 * training rows' overconfident ones), both as CSV files in a fresh directory.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { subsetCsv, tempDir } from './helpers.ts';

export const TAIWAN_SPEC = 'data/specs/taiwan-credit-default.json';

export function taiwanSplit(
  prefix: string,
  trainRows: number,
  unseenRows: number,
): { dir: string; data: string; unseen: string } {
  const dir = tempDir(prefix);
  const data = subsetCsv('data/taiwan_credit_default.csv', trainRows, join(dir, `taiwan-${trainRows}.csv`));
  const unseen = join(dir, 'taiwan-unseen.csv');
  const lines = readFileSync('data/taiwan_credit_default.csv', 'utf8').split(/\r?\n/);
  writeFileSync(unseen, [lines[0], ...lines.slice(trainRows + 1, trainRows + 1 + unseenRows)].join('\n') + '\n');
  return { dir, data, unseen };
}

/** The predict CLI's CSV as records keyed by its header. */
export function parseScores(csv: string): Record<string, string>[] {
  const [head, ...rows] = csv.trim().split(/\r?\n/);
  const columns = head.split(',');
  return rows.map((line) => Object.fromEntries(line.split(',').map((v, i) => [columns[i], v])));
}
