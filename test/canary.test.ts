import { describe, expect, it } from 'vitest';
import { decideCanary } from '../lib/release/canary-decision.ts';
import { normalCdf, twoProportionZTest } from '../lib/evaluation/significance.ts';
import { trafficPolicySchema, type CanaryPolicy } from '../lib/release/traffic-policy.ts';
import { classShift, variantStats, type VariantStats } from '../lib/monitoring/variant-stats.ts';
import { LATENCY_RELATIVE_ERROR } from '../lib/monitoring/latency-sketch.ts';
import { summarizeRecords } from '../lib/monitoring/summary.ts';
import { featuresToRow } from '../lib/release/prediction-capture.ts';
import type { CapturedPrediction } from '../lib/state/schemas.ts';

const summarize = (records: CapturedPrediction[]) => summarizeRecords(records, () => null, featuresToRow);

const policy = (step = 0, bounds: Record<string, number> = {}): CanaryPolicy =>
  trafficPolicySchema.parse({
    mode: 'canary',
    champion: 'champion',
    challenger: 'challenger',
    step,
    stepMinutes: 10,
    bounds: { minRequests: 100, ...bounds },
  }) as CanaryPolicy;
const shares = { Good: 0.2, Standard: 0.5, Poor: 0.3 };
const stats = (variant: string, over: Partial<VariantStats> = {}): VariantStats => {
  const requests = over.requests ?? 200;
  const classShares = over.classShares ?? shares;
  return {
    variant,
    versions: ['v'],
    requests,
    errors: 0,
    errorRate: 0,
    latencySamples: requests,
    p50Ms: 1,
    p99Ms: 5,
    classCounts: Object.fromEntries(Object.entries(classShares).map(([k, s]) => [k, Math.round(s * requests)])),
    classShares,
    labelled: 0,
    correct: 0,
    accuracy: null,
    f1Macro: null,
    ...over,
  };
};
const minutes = (m: number): number => m * 60_000;

describe('canary decisions', () => {
  it('advances a healthy step after its time, promotes on the last, holds before', () => {
    expect(decideCanary(policy(0), [stats('champion'), stats('challenger')], 0, minutes(11)).action).toBe('advance');
    expect(decideCanary(policy(3), [stats('champion'), stats('challenger')], 0, minutes(11)).action).toBe('promote');
    expect(decideCanary(policy(0), [stats('champion'), stats('challenger')], 0, minutes(5)).reasons[0]).toMatch(
      /5.0 of 10 minutes/,
    );
    expect(
      decideCanary(policy(0), [stats('champion'), stats('challenger', { requests: 40 })], 0, minutes(11)).reasons[0],
    ).toMatch(/40 of 100 requests/);
    expect(decideCanary(policy(0), [stats('champion')], 0, minutes(11)).action).toBe('hold');
  });

  it('rolls back at once on errors', () => {
    const errors = decideCanary(
      policy(1),
      [stats('champion'), stats('challenger', { requests: 20, errors: 2, errorRate: 0.1 })],
      0,
      minutes(1),
    );
    expect(errors).toMatchObject({ action: 'rollback', numbers: { challengerErrorRate: 0.1, step: 1, share: 25 } });
    expect(errors.reasons[0]).toMatch(/error rate 10.00% > 1.00%/);
  });

  it("judges latency against the champion's p99 over the same step, with a floor", () => {
    // Both slow alike (a batch client on both variants): not a regression.
    expect(
      decideCanary(policy(), [stats('champion', { p99Ms: 140 }), stats('challenger', { p99Ms: 143 })], 0, minutes(11))
        .action,
    ).toBe('advance');
    // Under the floor nothing is a breach, however it compares.
    expect(
      decideCanary(policy(), [stats('champion', { p99Ms: 0.3 }), stats('challenger', { p99Ms: 40 })], 0, minutes(11))
        .action,
    ).toBe('advance');
    const slow = decideCanary(
      policy(),
      [stats('champion', { p99Ms: 60 }), stats('challenger', { p99Ms: 95 })],
      0,
      minutes(11),
    );
    expect(slow.action).toBe('rollback');
    expect(slow.reasons[0]).toMatch(/p99 latency 95.00 ms > 90.00 ms \(1.5 x the champion's 60.00 ms, floor 50 ms\)/);
    // Below 100 samples a p99 is their maximum: one slow request does not decide.
    expect(
      decideCanary(
        policy(),
        [stats('champion', { p99Ms: 2 }), stats('challenger', { latencySamples: 99, p99Ms: 400 })],
        0,
        minutes(11),
      ).action,
    ).toBe('advance');
    // On the 100 % step the champion serves nothing: the floor alone.
    expect(decideCanary(policy(3), [stats('challenger', { p99Ms: 49 })], 0, minutes(11)).action).toBe('promote');
    expect(decideCanary(policy(3), [stats('challenger', { p99Ms: 51 })], 0, minutes(11)).action).toBe('rollback');
  });

  it('rolls back on a class shift only when the chi-square test says it is not noise', () => {
    const moved = { Good: 0.5, Standard: 0.3, Poor: 0.2 };
    const shifted = decideCanary(
      policy(),
      [stats('champion'), stats('challenger', { classShares: moved })],
      0,
      minutes(11),
    );
    expect(shifted.action).toBe('rollback');
    expect(shifted.numbers.classShift).toBeCloseTo(0.3, 10);
    expect(shifted.numbers.classShiftPValue).toBeLessThan(1e-6);
    // The same shares on a sample too small to tell: the test does not reject, so it is not a breach.
    const small = decideCanary(
      policy(0, { minRequests: 5 }),
      [stats('champion', { requests: 10 }), stats('challenger', { requests: 10, classShares: moved })],
      0,
      minutes(11),
    );
    expect(small.numbers.classShift).toBeCloseTo(0.3, 10);
    expect(small.numbers.classShiftPValue).toBeGreaterThan(0.05);
    expect(small.action).toBe('advance');
  });

  it('rolls back on a worse macro F1 only when the accuracy test at alpha says so, and with enough labels', () => {
    // The finding: a 0.03 F1 drop on 81 vs 69 labelled answers is noise (accuracy 0.70 vs 0.67).
    const noisy = decideCanary(
      policy(),
      [
        stats('champion', { labelled: 81, correct: 57, f1Macro: 0.62 }),
        stats('challenger', { labelled: 69, correct: 46, f1Macro: 0.59 }),
      ],
      0,
      minutes(11),
    );
    expect(noisy.numbers.f1Drop).toBeCloseTo(0.03, 10);
    expect(noisy.numbers.accuracyPValue).toBeGreaterThan(0.5);
    expect(noisy.action).toBe('advance');
    const real = decideCanary(
      policy(),
      [
        stats('champion', { labelled: 400, correct: 300, f1Macro: 0.7 }),
        stats('challenger', { labelled: 400, correct: 240, f1Macro: 0.58 }),
      ],
      0,
      minutes(11),
    );
    expect(real.action).toBe('rollback');
    expect(real.reasons[0]).toMatch(
      /macro F1 0.5800 is 0.1200 below the champion's \(allowed 0.02\), accuracy lower with p = /,
    );
    // Below minLabelled quality is not judged at all.
    const few = decideCanary(
      policy(),
      [
        stats('champion', { labelled: 20, correct: 20, f1Macro: 1 }),
        stats('challenger', { labelled: 20, correct: 5, f1Macro: 0.2 }),
      ],
      0,
      minutes(11),
    );
    expect(few.numbers.f1Drop).toBeNull();
    expect(few.action).toBe('advance');
  });

  it('measures class shift as total-variation distance', () => {
    expect(classShift({ a: 1 }, { b: 1 })).toBe(1);
    expect(classShift({ a: 0.5, b: 0.5 }, { a: 0.5, b: 0.5 })).toBe(0);
  });

  it('does not count answers lost to a storage outage against the variant, only its own failures', () => {
    const base = { index: 0, at: 1, version: 'none', alias: 'challenger', variant: 'challenger', ok: false } as const;
    const records: CapturedPrediction[] = [
      ...Array.from({ length: 3 }, (_, i) => ({ ...base, requestId: `outage${i}`, error: 'unavailable' as const })),
      { ...base, requestId: 'refused', error: 'model' },
      ...Array.from({ length: 9 }, (_, i) => ({
        ...base,
        requestId: `ok${i}`,
        version: 'v',
        ok: true,
        predicted: 'Good',
      })),
    ];
    expect(variantStats(summarize(records), ['Good'])[0]).toMatchObject({ requests: 10, errors: 1, errorRate: 0.1 });
  });

  it('takes one latency sample per request: a 300-row batch is one sample, not 300', () => {
    const batch: CapturedPrediction[] = Array.from({ length: 300 }, (_, i) => ({
      requestId: 'batch',
      index: i,
      at: 1,
      version: 'v',
      alias: 'challenger',
      variant: 'challenger',
      predicted: 'Good',
      ok: true,
      ...(i === 0 ? { latencyMs: 143 } : {}),
    }));
    const singles: CapturedPrediction[] = Array.from({ length: 200 }, (_, i) => ({
      requestId: `r${i}`,
      index: 0,
      at: 1,
      version: 'v',
      alias: 'challenger',
      variant: 'challenger',
      predicted: 'Good',
      ok: true,
      latencyMs: 0.3,
    }));
    const [challenger] = variantStats(summarize([...batch, ...singles]), ['Good']);
    expect(challenger).toMatchObject({ requests: 500, latencySamples: 201 });
    // 1 slow sample in 201: the p99 is still the single-request latency (to the sketch's 0.5 %).
    expect(challenger.p50Ms).toBeCloseTo(0.3, 2);
    expect(challenger.p99Ms).toBeCloseTo(0.3, 2);
    expect(Math.abs(challenger.p99Ms / 0.3 - 1)).toBeLessThanOrEqual(LATENCY_RELATIVE_ERROR);
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
