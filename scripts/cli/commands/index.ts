/** Every subcommand of `credit-score`, in the order `credit-score --help` lists them. */
import type { CommandSpec } from '../command.ts';
import { PREDICT } from './predict.ts';
import { REGISTER } from './register.ts';
import { S3 } from './s3.ts';
import { SERVE } from './serve.ts';
import { SPEC_INIT } from './spec-init.ts';
import { START } from './start.ts';
import { TRAIN } from './train.ts';
import { UPLOAD } from './upload.ts';

export const COMMANDS: readonly CommandSpec[] = [
  START,
  TRAIN,
  PREDICT,
  REGISTER,
  UPLOAD,
  SPEC_INIT,
  SERVE,
  S3,
] as CommandSpec[];
