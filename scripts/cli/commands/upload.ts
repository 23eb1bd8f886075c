/** `credit-score upload`: its options and help (scripts/upload.ts runs it). */
import type { CommandSpec } from '../command.ts';

const options = {
  key: { type: 'string' },
} as const;

export const UPLOAD: CommandSpec<typeof options> = {
  name: 'upload',
  script: 'upload.ts',
  npmScript: 'upload',
  title: 'put a CSV into the bucket, for retrain and drift-check requests (dataKey)',
  summary:
    'Puts a CSV (with a header and at least one row) into the bucket, for the dataKey of POST /model/retrain and POST /drift/check. An existing key is never replaced.',
  positionals: { names: 'FILE', min: 1, max: 1 },
  options,
  help: {
    key: { value: 'data/NAME.csv', text: 'the key in the bucket (default: data/<file name>)' },
  },
  notes: [
    "The bucket is npm start's (its running store, else its data in DATA_DIR/s3) unless S3_ENDPOINT, MODEL_BUCKET, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY name another.",
  ],
};
