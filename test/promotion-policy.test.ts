/**
 * The promotion policy's evaluation (lib/release/promotion-policy.ts) on hand-made metrics and
 * cards: each gate passes at its limit, fails past it with the version's number and the limit,
 * and fails as missing when the version has no such number. Which aliases a traffic change
 * gates (lib/release/promotion-gate.ts) is checked on hand-made policies.
 */
import { describe, expect, it } from 'vitest';
import type { ModelCard } from '../lib/governance/model-card.ts';
import { gatedAliases } from '../lib/release/promotion-gate.ts';
import {
  evaluatePolicy,
  hasGates,
  promotionPolicySchema,
  type PromotionPolicy,
} from '../lib/release/promotion-policy.ts';
import { trafficPolicySchema } from '../lib/release/traffic-policy.ts';

const policy = (fields: Record<string, unknown>): PromotionPolicy => promotionPolicySchema.parse(fields);

/** A binary model's metrics.json, as training writes it (the parts the gates read). */
const metrics = {
  cv: { f1_macro: 0.71 },
  ranking: { roc_auc: 0.78, ks: 0.42 },
  calibration: { ece: 0.03, brier: 0.18 },
  fairness: [
    { column: 'Gender', summary: { demographicParityRatio: 0.9, equalizedOddsDifference: 0.05 } },
    { column: 'Age', summary: { demographicParityRatio: 0.7, equalizedOddsDifference: 0.12 } },
  ],
};

const card = {
  dataDescription: null,
  data: { rows: 900 },
  calibration: null,
  fairness: [],
  training: {},
  metrics: { cv: {}, ranking: null, confusionMatrix: [], calibration: {}, outOfFold: null },
  lineage: { trainedAt: '2026-12-07T00:00:00Z', registeredBy: null, source: 'x.csv' },
} as unknown as ModelCard;

describe('evaluatePolicy', () => {
  it('passes a version at every limit exactly (a minimum is met by an equal number, a maximum not exceeded by one)', () => {
    const atLimits = policy({
      minAuc: 0.78,
      minKs: 0.42,
      minF1Macro: 0.71,
      maxCalibrationError: 0.03,
      maxDemographicParityGap: 0.3,
      maxEqualizedOddsDifference: 0.12,
      requiredCardFields: ['data', 'lineage.trainedAt'],
    });
    expect(evaluatePolicy(atLimits, { metrics, card })).toEqual([]);
  });

  it("names each failed gate with the version's number and the limit, per sensitive column for the fairness gates", () => {
    const strict = policy({
      minAuc: 0.8,
      minKs: 0.5,
      minF1Macro: 0.75,
      maxCalibrationError: 0.02,
      maxDemographicParityGap: 0.2,
      maxEqualizedOddsDifference: 0.1,
    });
    expect(evaluatePolicy(strict, { metrics, card: null })).toEqual([
      { field: 'minAuc', message: 'ROC AUC 0.78 is below the minimum 0.8' },
      { field: 'minKs', message: 'KS 0.42 is below the minimum 0.5' },
      { field: 'minF1Macro', message: 'macro F1 0.71 is below the minimum 0.75' },
      { field: 'maxCalibrationError', message: 'calibration error (ECE) 0.03 is above the maximum 0.02' },
      {
        field: 'maxDemographicParityGap.Age',
        message: 'demographic parity gap (1 - ratio) of Age 0.3 is above the maximum 0.2',
      },
      {
        field: 'maxEqualizedOddsDifference.Age',
        message: 'equalized odds difference of Age 0.12 is above the maximum 0.1',
      },
    ]);
  });

  it('reads the four-fifths rule as a gap of 0.2: a ratio of exactly 0.8 passes despite 1 - 0.8 in floating point', () => {
    const fourFifths = {
      ...metrics,
      fairness: [{ column: 'Gender', summary: { demographicParityRatio: 0.8, equalizedOddsDifference: 0 } }],
    };
    expect(evaluatePolicy(policy({ maxDemographicParityGap: 0.2 }), { metrics: fourFifths, card: null })).toEqual([]);
  });

  it('fails a gate whose number the version lacks, saying it is missing (an artifact trained before ranking metrics, without sensitive columns)', () => {
    const old = { cv: { f1_macro: 0.7 }, calibration: { brier: 0.2 } };
    const failed = evaluatePolicy(
      policy({ minAuc: 0.7, minKs: 0.3, minF1Macro: 0.6, maxCalibrationError: 0.1, maxDemographicParityGap: 0.2 }),
      { metrics: old, card: null },
    );
    expect(failed.map((f) => f.field)).toEqual(['minAuc', 'minKs', 'maxCalibrationError', 'maxDemographicParityGap']);
    expect(failed[0].message).toBe(
      "ROC AUC is missing (no ranking.roc_auc in the version's metrics); the policy needs at least 0.7",
    );
    expect(failed[2].message).toBe(
      "calibration error (ECE) is missing (no calibration.ece in the version's metrics); the policy allows at most 0.1",
    );
    expect(failed[3].message).toMatch(/no fairness report .* its spec names no sensitive column/);
    // No metrics.json at all, or one of another shape: every metric gate is missing.
    expect(
      evaluatePolicy(policy({ minAuc: 0.7, minF1Macro: 0.6 }), { metrics: null, card: null }).map((f) => f.field),
    ).toEqual(['minAuc', 'minF1Macro']);
    expect(evaluatePolicy(policy({ minAuc: 0.7 }), { metrics: { ranking: 'broken' }, card: null })).toHaveLength(1);
  });

  it('fails a null AUC (a fold without both classes) and a null fairness ratio as missing, not as passing', () => {
    const undefinedNumbers = {
      ranking: { roc_auc: null, ks: null },
      fairness: [{ column: 'Gender', summary: { demographicParityRatio: null, equalizedOddsDifference: null } }],
    };
    const failed = evaluatePolicy(policy({ minAuc: 0.5, maxDemographicParityGap: 0.2 }), {
      metrics: undefinedNumbers,
      card: null,
    });
    expect(failed.map((f) => f.field)).toEqual(['minAuc', 'maxDemographicParityGap.Gender']);
    expect(failed[1].message).toMatch(/demographic parity gap \(1 - ratio\) of Gender is missing/);
  });

  it('fails each required card field that is null, and every one when the card cannot be read', () => {
    const required = policy({
      requiredCardFields: ['dataDescription', 'data', 'metrics.ranking', 'lineage.registeredBy'],
    });
    expect(evaluatePolicy(required, { metrics, card })).toEqual([
      {
        field: 'requiredCardFields.dataDescription',
        message: "the model card's dataDescription is empty (null); the policy requires it",
      },
      {
        field: 'requiredCardFields.metrics.ranking',
        message: "the model card's metrics.ranking is empty (null); the policy requires it",
      },
      {
        field: 'requiredCardFields.lineage.registeredBy',
        message: "the model card's lineage.registeredBy is empty (null); the policy requires it",
      },
    ]);
    expect(evaluatePolicy(required, { metrics, card: null }).map((f) => f.field)).toHaveLength(4);
  });
});

describe('promotionPolicySchema', () => {
  it('defaults approvals to 1 and finds no gate in an empty policy', () => {
    expect(policy({})).toEqual({ approvals: 1 });
    expect(hasGates(policy({ approvals: 2 }))).toBe(false);
    expect(hasGates(policy({ requiredCardFields: [] }))).toBe(false);
    expect(hasGates(policy({ maxCalibrationError: 0 }))).toBe(true);
    expect(hasGates(policy({ requiredCardFields: ['data'] }))).toBe(true);
  });

  it('refuses limits outside [0, 1], unknown fields, card fields the card does not have, and approvals below 1 or fractional', () => {
    const paths = (body: unknown): string[] =>
      promotionPolicySchema.safeParse(body).error?.issues.map((i) => i.path.join('.') || i.code) ?? [];
    expect(paths({ minAuc: 1.2 })).toEqual(['minAuc']);
    expect(paths({ maxCalibrationError: -0.1 })).toEqual(['maxCalibrationError']);
    expect(paths({ minGini: 0.5 })).toEqual(['unrecognized_keys']);
    expect(paths({ requiredCardFields: ['model', 'lineage.nowhere'] })).toEqual([
      'requiredCardFields.0',
      'requiredCardFields.1',
    ]);
    expect(paths({ approvals: 0 })).toEqual(['approvals']);
    expect(paths({ approvals: 1.5 })).toEqual(['approvals']);
  });
});

describe('gatedAliases', () => {
  const p = (body: unknown) => trafficPolicySchema.parse(body);
  it('gates a canary on a new challenger, not a step of the same canary', () => {
    const canary = (challenger: string, step = 0) => p({ mode: 'canary', champion: 'champion', challenger, step });
    expect(gatedAliases(p({ mode: 'single', alias: 'champion' }), canary('challenger'))).toEqual(['challenger']);
    expect(gatedAliases(null, canary('challenger'))).toEqual(['challenger']);
    expect(gatedAliases(canary('challenger'), canary('challenger', 1))).toEqual([]);
    expect(gatedAliases(canary('challenger'), canary('other'))).toEqual(['other']);
  });

  it('gates a blue-green switch to an alias that was not serving, not one that keeps the serving alias active', () => {
    const blue = (active: 'blue' | 'green') => p({ mode: 'bluegreen', blue: 'champion', green: 'next', active });
    expect(gatedAliases(p({ mode: 'single', alias: 'champion' }), blue('blue'))).toEqual([]);
    expect(gatedAliases(blue('blue'), blue('green'))).toEqual(['next']);
    expect(gatedAliases(blue('green'), blue('green'))).toEqual([]);
    expect(gatedAliases(p({ mode: 'single', alias: 'champion' }), blue('green'))).toEqual(['next']);
  });

  it('gates no A/B, shadow or single policy', () => {
    const single = p({ mode: 'single', alias: 'champion' });
    expect(gatedAliases(single, p({ mode: 'shadow', champion: 'champion', challenger: 'challenger' }))).toEqual([]);
    expect(
      gatedAliases(
        single,
        p({
          mode: 'ab',
          variants: [
            { name: 'a', alias: 'champion', weight: 50 },
            { name: 'b', alias: 'challenger', weight: 50 },
          ],
        }),
      ),
    ).toEqual([]);
    expect(gatedAliases(single, p({ mode: 'single', alias: 'challenger' }))).toEqual([]);
  });
});
