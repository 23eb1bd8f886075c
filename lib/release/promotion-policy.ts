/**
 * A model's promotion policy: the numbers a version must show before it may serve (a credit
 * committee's minimum AUC or KS, a largest fairness gap, a largest calibration error, the model
 * card fields a model-risk review needs filled). Every gate is optional: absent, it is not
 * checked. One function evaluates a policy on a version's metrics.json and card, naming each
 * failed gate with the version's number and the limit; nothing else decides whether a version
 * passes. Where it is stored and when it is checked: docs/promotion-policy.md.
 */
import { z } from 'zod';
import type { ModelCard } from '../governance/model-card.ts';
import {
  promotionPolicySchema,
  type CardField,
  type PolicyFailure,
  type PromotionPolicy,
} from '../state/promotion-policy-schema.ts';

// The stored policy's shape and its verdicts are declared with the other stored documents.
export {
  CARD_FIELDS,
  promotionPolicySchema,
  type PolicyFailure,
  type PolicyVerdict,
  type PromotionPolicy,
} from '../state/promotion-policy-schema.ts';

/**
 * The model card fields a policy may require are listed with the stored policy's schema
 * (lib/state/promotion-policy-schema.ts); this checks that list against the card's type both
 * ways, so a card field that can be null and is not listed (or a listed one the card no longer
 * has) fails the typecheck.
 */
type NullableKeys<T> = { [K in keyof T]-?: null extends T[K] ? K : never }[keyof T] & string;
type NullableCardField =
  | NullableKeys<ModelCard>
  | `metrics.${NullableKeys<ModelCard['metrics']>}`
  | `lineage.${NullableKeys<ModelCard['lineage']>}`;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const cardFieldsMatchTheCard: Same<CardField, NullableCardField> = true;
void cardFieldsMatchTheCard;

/** PUT /model/policy's body: the policy, and why it changes (kept in the history). */
export const promotionPolicyRequestSchema = promotionPolicySchema.extend({ reason: z.string().max(500).optional() });

/** What a version shows the policy: its metrics.json (null: none that reads) and its card (null: not read, or unreadable). */
export interface PolicyEvidence {
  metrics: unknown;
  card: ModelCard | null;
}

const number = z.number().nullable().optional();
/** The parts of metrics.json the gates read; anything missing or of another shape reads as missing. */
const metricsSchema = z.object({
  cv: z.object({ f1_macro: number }).partial().nullable().optional().catch(null),
  ranking: z.object({ roc_auc: number, ks: number }).partial().nullable().optional().catch(null),
  calibration: z.object({ ece: number }).partial().nullable().optional().catch(null),
  fairness: z
    .array(
      z.object({
        column: z.string(),
        summary: z.object({ demographicParityRatio: number, equalizedOddsDifference: number }).partial(),
      }),
    )
    .nullable()
    .optional()
    .catch(null),
});

/** Six significant digits: enough to tell a value from a limit it misses, without float noise (1 - 0.8). */
const shown = (x: number): string => String(Number(x.toPrecision(6)));

/**
 * 1 - ratio, rounded to 12 decimals: the subtraction's floating point error (1 - 0.7 is
 * 0.30000000000000004) must not fail a version whose ratio is exactly at the limit.
 */
const gap = (ratio: number): number => Number((1 - ratio).toFixed(12));

/** Whether a policy has any gate (an empty policy passes every version without reading it). */
export function hasGates(policy: PromotionPolicy): boolean {
  const { approvals: _approvals, requiredCardFields, ...limits } = policy;
  return Object.values(limits).some((v) => v !== undefined) || (requiredCardFields?.length ?? 0) > 0;
}

/** Every gate of `policy` that the version fails, in the schema's order; empty when it passes. */
export function evaluatePolicy(policy: PromotionPolicy, evidence: PolicyEvidence): PolicyFailure[] {
  const parsed = metricsSchema.safeParse(evidence.metrics ?? {});
  const m = parsed.success ? parsed.data : {};
  const failures: PolicyFailure[] = [];
  const atLeast = (
    field: string,
    limit: number | undefined,
    value: number | null | undefined,
    what: string,
    where: string,
  ): void => {
    if (limit === undefined) return;
    if (value === null || value === undefined)
      failures.push({
        field,
        message: `${what} is missing (no ${where} in the version's metrics); the policy needs at least ${shown(limit)}`,
      });
    else if (value < limit)
      failures.push({ field, message: `${what} ${shown(value)} is below the minimum ${shown(limit)}` });
  };
  const atMost = (
    field: string,
    limit: number | undefined,
    value: number | null | undefined,
    what: string,
    where: string,
  ): void => {
    if (limit === undefined) return;
    if (value === null || value === undefined)
      failures.push({
        field,
        message: `${what} is missing (no ${where} in the version's metrics); the policy allows at most ${shown(limit)}`,
      });
    else if (value > limit)
      failures.push({ field, message: `${what} ${shown(value)} is above the maximum ${shown(limit)}` });
  };
  atLeast('minAuc', policy.minAuc, m.ranking?.roc_auc, 'ROC AUC', 'ranking.roc_auc');
  atLeast('minKs', policy.minKs, m.ranking?.ks, 'KS', 'ranking.ks');
  atLeast('minF1Macro', policy.minF1Macro, m.cv?.f1_macro, 'macro F1', 'cv.f1_macro');
  atMost(
    'maxCalibrationError',
    policy.maxCalibrationError,
    m.calibration?.ece,
    'calibration error (ECE)',
    'calibration.ece',
  );
  const fairness = m.fairness ?? [];
  const perColumn = (
    field: string,
    limit: number | undefined,
    value: (s: {
      demographicParityRatio?: number | null;
      equalizedOddsDifference?: number | null;
    }) => number | null | undefined,
    what: string,
    where: string,
  ): void => {
    if (limit === undefined) return;
    if (!fairness.length)
      return void failures.push({
        field,
        message: `${what} is missing (no fairness report in the version's metrics: its spec names no sensitive column); the policy allows at most ${shown(limit)}`,
      });
    for (const report of fairness)
      atMost(
        `${field}.${report.column}`,
        limit,
        value(report.summary),
        `${what} of ${report.column}`,
        `fairness summary ${where} for ${report.column}`,
      );
  };
  perColumn(
    'maxDemographicParityGap',
    policy.maxDemographicParityGap,
    (s) => (typeof s.demographicParityRatio === 'number' ? gap(s.demographicParityRatio) : null),
    'demographic parity gap (1 - ratio)',
    'demographicParityRatio',
  );
  perColumn(
    'maxEqualizedOddsDifference',
    policy.maxEqualizedOddsDifference,
    (s) => s.equalizedOddsDifference,
    'equalized odds difference',
    'equalizedOddsDifference',
  );
  for (const field of policy.requiredCardFields ?? []) {
    if (!evidence.card)
      failures.push({
        field: `requiredCardFields.${field}`,
        message: `the version's model card cannot be read, so ${field} cannot be shown filled`,
      });
    else if (cardValue(evidence.card, field) === null)
      failures.push({
        field: `requiredCardFields.${field}`,
        message: `the model card's ${field} is empty (null); the policy requires it`,
      });
  }
  return failures;
}

function cardValue(card: ModelCard, field: CardField): unknown {
  const [head, tail] = field.split('.') as [string, string | undefined];
  const top = (card as unknown as Record<string, unknown>)[head];
  if (tail === undefined) return top ?? null;
  return top && typeof top === 'object' ? ((top as Record<string, unknown>)[tail] ?? null) : null;
}
