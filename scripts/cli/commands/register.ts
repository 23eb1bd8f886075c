/** `credit-score register`: its options and help (scripts/register.ts runs it). */
import type { CommandSpec } from '../command.ts';
import { NAME_HELP } from '../model-name.ts';

const options = {
  model: { type: 'string' },
  name: { type: 'string' },
  reason: { type: 'string' },
} as const;

export const REGISTER: CommandSpec<typeof options> = {
  name: 'register',
  script: 'register.ts',
  npmScript: 'register',
  title: 'upload an artifact to the registry as a new version',
  summary:
    'Uploads a model artifact to the registry as a new version: checked before upload, verified after; no alias moves (promote it with POST /model/promote).',
  options,
  help: {
    model: { value: 'DIR', text: 'the artifact directory (from credit-score train)', required: true },
    name: NAME_HELP,
    reason: { value: 'TEXT', text: "why, kept in the version's registration" },
  },
  notes: [
    "The model is filed under the name its artifact's spec (spec.json) carries, unless --name gives another.",
    "The registry is npm start's (its running store, else its data in DATA_DIR/s3) unless S3_ENDPOINT, MODEL_BUCKET, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY name another.",
  ],
};
