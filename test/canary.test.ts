import { describe, expect, it } from 'vitest';
import { decideCanary } from '../lib/release/canary-decision.ts';
import { normalCdf, twoProportionZTest } from '../lib/release/significance.ts';
import { trafficPolicySchema, type CanaryPolicy } from '../lib/release/traffic-policy.ts';
import { classShift, type VariantStats } from '../lib/release/variant-stats.ts';

const policy = (step = 0): CanaryPolicy => trafficPolicySchema.parse({ mode: 'canary', champion: 'champion', challenger: 'challenger', step, stepMinutes: 10, bounds: { minRequests: 100 } }) as CanaryPolicy;
const stats = (variant: string, over: Partial<VariantStats> = {}): VariantStats => ({
  variant,
  versions: ['v'],
  requests: 200,
  errors: 0,
  errorRate: 0,
  p50Ms: 1,
  p99Ms: 5,
  classShares: { Good: 0.2, Standard: 0.5, Poor: 0.3 },
  labelled: 0,
  correct: 0,
  accuracy: null,
  f1Macro: null,
  ...over,
});
const minutes = (m: number): number => m * 60_000;

describe('canary decisions', () => {
  it('advances a healthy step after its time, promotes on the last, holds before', () => {
    expect(decideCanary(policy(0), [stats('champion'), stats('challenger')], 0, minutes(11)).action).toBe('advance');
    expect(decideCanary(policy(3), [stats('champion'), stats('challenger')], 0, minutes(11)).action).toBe('promote');
    expect(decideCanary(policy(0), [stats('champion'), stats('challenger')], 0, minutes(5)).reasons[0]).toMatch(/5.0 of 10 minutes/);
    expect(decideCanary(policy(0), [stats('champion'), stats('challenger', { requests: 40 })], 0, minutes(11)).reasons[0]).toMatch(/40 of 100 requests/);
    expect(decideCanary(policy(0), [stats('champion')], 0, minutes(11)).action).toBe('hold');
  });

  it('rolls back at once on errors or latency, and on class shift or a worse F1 once judged', () => {
    const errors = decideCanary(policy(1), [stats('champion'), stats('challenger', { requests: 20, errors: 2, errorRate: 0.1 })], 0, minutes(1));
    expect(errors).toMatchObject({ action: 'rollback', numbers: { challengerErrorRate: 0.1, step: 1, share: 25 } });
    expect(errors.reasons[0]).toMatch(/error rate 10.00% > 1.00%/);
    expect(decideCanary(policy(), [stats('champion'), stats('challenger', { p99Ms: 80 })], 0, minutes(11)).reasons[0]).toMatch(/p99 latency 80.00 ms > 50 ms/);
    const shifted = decideCanary(policy(), [stats('champion'), stats('challenger', { classShares: { Good: 0.5, Standard: 0.3, Poor: 0.2 } })], 0, minutes(11));
    expect(shifted.action).toBe('rollback');
    expect(shifted.numbers.classShift).toBeCloseTo(0.3, 10);
    const worse = decideCanary(policy(), [stats('champion', { f1Macro: 0.62 }), stats('challenger', { f1Macro: 0.57 })], 0, minutes(11));
    expect(worse.reasons[0]).toMatch(/macro F1 0.5700 is 0.0500 below/);
  });

  it('measures class shift as total-variation distance', () => {
    expect(classShift({ a: 1 }, { b: 1 })).toBe(1);
    expect(classShift({ a: 0.5, b: 0.5 }, { a: 0.5, b: 0.5 })).toBe(0);
  });
});

describe('A/B significance', () => {
  it('matches a hand-computed two-proportion z-test', () => {
    // 60/100 vs 75/100: pooled 0.675, se = sqrt(0.675*0.325*0.02) = 0.066239, z = 0.15/0.066239 = 2.2645.
    const t = twoProportionZTest(60, 100, 75, 100);
    expect(t.z).toBeCloseTo(2.2645, 3);
    expect(t.pValue).toBeCloseTo(0.02354, 3);
    expect(t.significantAt5Percent).toBe(true);
    expect(twoProportionZTest(60, 100, 62, 100).significantAt5Percent).toBe(false);
    expect(twoProportionZTest(3, 4, 1, 4).pValue).toBeNull();
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
  });
});
