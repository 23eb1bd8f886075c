/** `credit-score predict`: its options and help (scripts/predict.ts runs it). */
import type { CommandSpec } from '../command.ts';

/** What predict does with a row it cannot clean, when told; untold, it leaves the row out and exits 1. */
export const ON_ERROR_MODES = ['fail', 'skip', 'null'] as const;
export type OnErrorMode = (typeof ON_ERROR_MODES)[number];

const options = {
  model: { type: 'string' },
  data: { type: 'string' },
  out: { type: 'string' },
  'on-error': { type: 'string' },
  explain: { type: 'string' },
  'explain-method': { type: 'string' },
  strict: { type: 'boolean', default: false },
} as const;

export const PREDICT: CommandSpec<typeof options> = {
  name: 'predict',
  script: 'predict.ts',
  npmScript: 'predict',
  title: 'score a CSV with an artifact or a registry model',
  summary:
    'Scores a CSV of raw rows with a model artifact or a registry model, cleaning every value as training did. Writes CSV: ' +
    "the row's identifier columns (or, when the file has none, its line number as `row`), `prediction` and one `p_<class>` per class.",
  options,
  help: {
    model: {
      value: 'DIR|registry:ALIAS|registry:VERSION',
      text: 'the model: an artifact directory, or a model of the registry',
      required: true,
    },
    data: { value: 'FILE', text: 'CSV to score (the target column may be absent)', required: true },
    out: { value: 'FILE', text: 'write the scores there (default: stdout); checked before the model loads' },
    'on-error': {
      value: 'fail|skip|null',
      text: 'rows that cannot be cleaned: fail stops at the first (no output); skip leaves them out (exit 0); null writes them with empty scores (exit 0); default: leave them out, exit 1',
    },
    explain: { value: 'N', text: "add each row's base value and top N reasons (1 to 50)" },
    'explain-method': { value: 'exact|approx', text: 'how --explain computes contributions (default: exact)' },
    strict: { text: 'refuse CSV columns the spec does not list (default: warn)' },
  },
  notes: [
    'Every bad row is reported on stderr with its line number and column. Exit codes: 0 scored, 1 failed or some rows could not be scored, 2 bad command line.',
  ],
};
