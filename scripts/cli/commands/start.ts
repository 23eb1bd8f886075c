/** `credit-score start`: its help (scripts/start.ts runs it; configured by its environment). */
import type { CommandSpec } from '../command.ts';

export const START: CommandSpec<Record<never, never>> = {
  name: 'start',
  script: 'start.ts',
  npmScript: 'start',
  title: 'the whole service on this machine (npm start)',
  summary:
    'The whole service on this machine (same as npm start): an embedded S3 server, a first model trained when the registry has none, serverless-offline on http://127.0.0.1:3000, then the full candidate search as a retrain job.',
  options: {},
  help: {},
  notes: [
    'Environment: DATA_DIR (.data), HTTP_PORT (3000), LAMBDA_PORT (3002), S3_PORT (4569), S3_ENDPOINT, MODEL_BUCKET, ADMIN_API_KEYS, START_DATA, START_SPEC, START_CV, START_CLASSIFIERS, START_SAMPLERS, START_FULL_SEARCH, START_PROGRESS_SECONDS.',
    'Your own data: START_DATA=my.csv START_SPEC=my-spec.json (from credit-score spec init); the model is served and registered under the spec\'s "name".',
  ],
};
