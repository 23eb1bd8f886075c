/**
 * metrics.json and params.json of a model artifact, parsed by these schemas on load. What serving,
 * the promotion policy and the model card read is typed here (the cross-validated scores, the
 * ranking and calibration numbers, the confusion matrix; the classifier and sampler with their
 * parameters); the rest (candidates, fairness, out-of-fold gains, tuning notes) is the training
 * report's to shape and is kept as written (loose objects). Fields added after the first artifacts
 * (ranking, calibration) are optional: an older version's artifact still loads.
 */
import { z } from 'zod';
import { calibrationMetricsSchema } from '../evaluation/calibration-metrics.ts';
import { rankingSummarySchema } from '../evaluation/ranking-metrics.ts';

/** The chosen candidate's stratified cross-validated scores (means over the folds). */
export const cvScoresSchema = z.object({
  f1_macro: z.number(),
  f1_macro_std: z.number(),
  accuracy: z.number(),
  precision_macro: z.number(),
  recall_macro: z.number(),
});

/** The scores as they load: artifacts written before the spread over the folds was recorded lack f1_macro_std. */
export const storedCvScoresSchema = cvScoresSchema.partial({ f1_macro_std: true });

export const storedMetricsSchema = z.looseObject({
  cv: storedCvScoresSchema,
  /** Summed over the test folds: every row predicted once. */
  confusion_matrix: z.array(z.array(z.number().int().nonnegative())).optional(),
  fold_f1_macro: z.array(z.number()).optional(),
  calibration: calibrationMetricsSchema.optional(),
  ranking: rankingSummarySchema.optional(),
});
export type StoredMetrics = z.output<typeof storedMetricsSchema>;

/** A named part of the pipeline with the parameters it was built with. */
const namedPartSchema = z.looseObject({ name: z.string() });

export const storedParamsSchema = z.looseObject({
  classifier: namedPartSchema,
  sampler: namedPartSchema,
  /** Folds of the cross-validation, and its seed. */
  cv: z.number().int().positive(),
  seed: z.number().int(),
});
export type StoredParams = z.output<typeof storedParamsSchema>;
