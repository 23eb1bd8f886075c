/** What a retrain can be asked to do: POST /model/retrain's body, stored in the job record. */
import { z } from 'zod';
import { SAMPLER_NAMES } from '../sampling/sampler-names.ts';
import { dataKeySchema } from '../state/layout.ts';
import { CLASSIFIER_NAMES, DEFAULT_CLASSIFIERS } from '../training/classifier-names.ts';
import { CALIBRATION_MODES, DEFAULT_CALIBRATION } from '../training/calibration-choice.ts';
import { TUNE_DEFAULTS } from '../tuning/search-space.ts';

export const retrainRequestSchema = z.strictObject({
  /** A CSV in the bucket (under data/); the configured default data when absent. */
  dataKey: dataKeySchema.optional(),
  /**
   * Move the serving alias to the new version when training succeeds: true always, false never
   * (registered only), "if-better" when its cross-validated macro F1 beats the serving version's.
   */
  promote: z.union([z.boolean(), z.literal('if-better')]).default(false),
  /** When it is not promoted: point the challenger alias at it and start a canary against the serving alias. */
  canary: z
    .boolean()
    .default(false)
    .describe(
      'When the new version is not promoted (promote false, or "if-better" and not better): point the challenger alias at it and set a canary policy against the serving alias with the default plan (steps 5, 25, 50, 100 %, 10 minutes each, default bounds); the canary controller then promotes or rolls it back',
    ),
  cv: z.number().int().min(2).max(10).default(5),
  seed: z.number().int().min(0).default(42),
  classifiers: z
    .array(z.enum(CLASSIFIER_NAMES))
    .min(1)
    .default([...DEFAULT_CLASSIFIERS]),
  samplers: z
    .array(z.enum(SAMPLER_NAMES))
    .min(1)
    .default([...SAMPLER_NAMES]),
  /** Training threads: 0 (the default) for every core of the process that trains; 1 for one. */
  jobs: z.number().int().min(0).max(256).default(0),
  earlyStopping: z
    .number()
    .int()
    .min(0)
    .max(1000)
    .default(0)
    .describe('Boosting stops after this many rounds without a lower log loss on held-out training rows (0: off)'),
  tune: z
    .union([
      z.literal(false),
      z.strictObject({
        budget: z.number().int().min(3).max(500).default(TUNE_DEFAULTS.budget),
        candidates: z.number().int().min(1).max(10).default(TUNE_DEFAULTS.candidates),
      }),
    ])
    .default(false)
    .describe(
      'Tune the best candidates by nested cross-validation: {} for the defaults (budget = fits per search, candidates = how many of the best default candidates), false for none',
    ),
  calibration: z
    .enum(CALIBRATION_MODES)
    .default(DEFAULT_CALIBRATION)
    .describe(
      "Calibrate the probabilities served: sigmoid or isotonic, fitted on out-of-fold predictions; auto keeps the one with the lower nested Brier score, only if it beats the uncalibrated; off (the default) serves the model's own",
    ),
});

export type RetrainRequest = z.output<typeof retrainRequestSchema>;
