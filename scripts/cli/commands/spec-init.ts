/** `credit-score spec init`: its options and help (scripts/spec-init.ts runs it). */
import type { CommandSpec } from '../command.ts';

const options = {
  data: { type: 'string' },
  target: { type: 'string' },
  name: { type: 'string' },
  out: { type: 'string' },
} as const;

export const SPEC_INIT: CommandSpec<typeof options> = {
  name: 'spec init',
  script: 'spec-init.ts',
  title: 'write a starting dataset spec guessed from a CSV',
  summary:
    'Writes a starting dataset spec guessed from a CSV (column types from the values, categoricals with few levels, identifiers by uniqueness), for you to edit.',
  options,
  help: {
    data: { value: 'FILE', text: 'a labelled CSV', required: true },
    target: { value: 'COLUMN', text: 'the column to predict', required: true },
    name: {
      value: 'NAME',
      text: "the model's name in the registry, written as the spec's \"name\" (default: the target column's name, e.g. Credit_Score -> credit-score)",
    },
    out: { value: 'FILE', text: 'write the spec there (default: stdout)' },
  },
};
