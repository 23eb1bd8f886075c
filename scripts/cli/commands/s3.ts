/** `credit-score s3`: its help (scripts/s3-server.ts runs it; configured by its environment). */
import type { CommandSpec } from '../command.ts';

export const S3: CommandSpec<Record<never, never>> = {
  name: 's3',
  script: 's3-server.ts',
  npmScript: 's3',
  title: 'the embedded S3 server alone (npm run s3)',
  summary:
    'The embedded S3 server alone (the one npm start runs), e.g. for a second service process on the same bucket. Prints {"endpoint": ...} once it listens.',
  options: {},
  help: {},
  notes: [
    'Environment: S3_PORT (4569), DATA_DIR (.data: objects in DATA_DIR/s3), MODEL_BUCKET (mlops-credit-score-models).',
  ],
};
