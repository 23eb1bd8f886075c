/**
 * A promotion policy as it is stored (models/{name}/policy.json) and the verdicts it gives: the
 * document's shape, declared here with the other stored documents (schemas.ts) so the registry
 * and the state below it never import the release code that evaluates a policy
 * (lib/release/promotion-policy.ts). What each gate means: docs/promotion-policy.md.
 */
import { z } from 'zod';

/**
 * The model card fields a policy may require (lib/governance/model-card.ts): the ones that can be
 * null, top level and inside metrics and lineage. lib/release/promotion-policy.ts checks this
 * list against the card's type both ways, so a field added to the card that can be null fails
 * the typecheck until it is listed here.
 */
export const CARD_FIELD_SET = {
  dataDescription: true,
  data: true,
  calibration: true,
  fairness: true,
  training: true,
  'metrics.cv': true,
  'metrics.ranking': true,
  'metrics.confusionMatrix': true,
  'metrics.calibration': true,
  'metrics.outOfFold': true,
  'lineage.trainedAt': true,
  'lineage.registeredBy': true,
  'lineage.source': true,
} as const;
export type CardField = keyof typeof CARD_FIELD_SET;
export const CARD_FIELDS = Object.keys(CARD_FIELD_SET) as [CardField, ...CardField[]];

/** A share or a rate: every number a gate compares lies in [0, 1]. */
const unit = z.number().min(0).max(1);

export const promotionPolicySchema = z.strictObject({
  /** Lowest ROC AUC (metrics.ranking.roc_auc: the positive class's for two classes, one-vs-rest macro for more). */
  minAuc: unit.optional(),
  /** Lowest Kolmogorov-Smirnov statistic (metrics.ranking.ks). */
  minKs: unit.optional(),
  /** Lowest cross-validated macro F1 (metrics.cv.f1_macro). */
  minF1Macro: unit.optional(),
  /** Highest expected calibration error of the out-of-fold probabilities (metrics.calibration.ece). */
  maxCalibrationError: unit.optional(),
  /** Highest 1 - demographic parity ratio, per sensitive column (0.2: the four-fifths rule). */
  maxDemographicParityGap: unit.optional(),
  /** Highest equalized odds difference, per sensitive column. */
  maxEqualizedOddsDifference: unit.optional(),
  /** Model card fields that must not be null. */
  requiredCardFields: z.array(z.enum(CARD_FIELDS)).optional(),
  /** Principals who must approve a champion move (stored and returned; the approval flow reads it). */
  approvals: z.number().int().min(1).default(1),
});
export type PromotionPolicy = z.output<typeof promotionPolicySchema>;

/** One failed gate: the policy field (with the sensitive column or card field after a dot) and the numbers in words. */
export interface PolicyFailure {
  field: string;
  message: string;
}

/** A policy's verdict on a version: the revision that judged it, and the gates it failed (none: it passes). */
export interface PolicyVerdict {
  revision: number;
  failed: PolicyFailure[];
}
