/**
 * The decision rule applies only on evidence (lib/evaluation/paired-gain.ts): a paired t-test
 * of the per-fold gains against the argmax. Hand-computed statistics, and the rule off on a
 * gain that is noise, on with a real one, on probabilities made for each case.
 */
import { describe, expect, it } from 'vitest';
import { pairedGain } from '../lib/evaluation/paired-gain.ts';
import { chooseDecisionRule } from '../lib/training/decision-rule.ts';
import type { FoldEvidence } from '../lib/training/nested-evidence.ts';
import { Random } from '../lib/util/random.ts';

describe('the paired gain over the folds', () => {
  it('matches a hand computation: gains of 0.01, 0.01 and 0.005 give t = 5, past 2.92 for two degrees of freedom', () => {
    const g = pairedGain([0.7, 0.72, 0.71], [0.71, 0.73, 0.715]);
    expect(g.gain).toBeCloseTo(0.025 / 3, 12);
    // Sample deviation of (0.01, 0.01, 0.005): sqrt((2 x (1/600)^2 + (1/300)^2) / 2) = 0.0028868.
    expect(g.gainStd).toBeCloseTo(Math.sqrt((2 * (1 / 600) ** 2 + (1 / 300) ** 2) / 2), 12);
    expect(g.t).toBeCloseTo(5, 9);
    expect(g).toMatchObject({ critical: 2.92, significant: true });
  });

  it('calls a small gain whose folds disagree in sign noise, and a loss never a gain', () => {
    const noise = pairedGain([0.7259, 0.73, 0.72, 0.71, 0.74], [0.7263, 0.7297, 0.7202, 0.7099, 0.7403]);
    expect(noise.gain).toBeCloseTo(0.0001, 12);
    expect(noise.significant).toBe(false);
    expect(noise.critical).toBe(2.132);
    expect(pairedGain([0.7, 0.7], [0.6, 0.6]).significant).toBe(false);
    // The same gain in every fold has no noise at all.
    expect(pairedGain([0.7, 0.6, 0.5], [0.71, 0.61, 0.51])).toMatchObject({ t: Infinity, significant: true });
    expect(pairedGain([0.7], [0.8])).toMatchObject({ t: null, significant: false });
  });
});

/** Two classes, the second `share` of the rows; `p1` gives a row's probability of the second class. */
function scored(
  random: Random,
  rows: number,
  p1: (y: number) => number,
  share = 0.2,
): { proba: Float64Array; y: Int32Array } {
  const y = Int32Array.from({ length: rows }, () => (random.nextFloat() < share ? 1 : 0));
  const proba = new Float64Array(rows * 2);
  y.forEach((c, i) => {
    const p = p1(c);
    proba[2 * i] = 1 - p;
    proba[2 * i + 1] = p;
  });
  return { proba, y };
}

function evidence(seed: number, p1: (random: Random, y: number) => number, share = 0.2): FoldEvidence[] {
  const random = new Random(seed);
  const draw = (y: number): number => p1(random, y);
  return Array.from({ length: 5 }, () => ({
    inner: scored(random, 300, draw, share),
    outer: scored(random, 300, draw, share),
    seconds: 0,
  }));
}

/**
 * A seed whose noise gains on average: +0.00025 over five folds that go both ways (the case that
 * moved a served cut-off: 0.7261 against 0.7259). Of seeds 1 to 29, ten gain on average and none
 * passes the test's 5 % line (seed 20 comes closest: t = 2.05 against 2.132).
 */
const SEED_OF_NOISE = 21;

describe('the decision rule in auto mode', () => {
  it("stays off where the argmax is already the best rule, though the weights fitted to each fold's noise gain a little on average", () => {
    // Balanced classes, probabilities spread evenly around one half on either side: no weight beats the argmax but by chance.
    const p1 = (random: Random, y: number): number => 0.5 + (y ? 0.1 : -0.1) + 0.5 * (random.nextFloat() - 0.5);
    const folds = evidence(SEED_OF_NOISE, p1, 0.5);
    const final = scored(new Random(6), 300, (y) => p1(new Random(6), y), 0.5);
    const { report, decision } = chooseDecisionRule('auto', { folds }, final.proba, final.y, 2);
    // The fixture's point: weights fitted to noise gain on average, and not fold after fold.
    expect(report.nested!.f1_macro_weighted).toBeGreaterThan(report.nested!.f1_macro_argmax);
    expect(report.nested!.evidence.significant).toBe(false);
    expect(report).toMatchObject({ mode: 'auto', applied: false });
    expect(report.reason).toMatch(
      /^auto: not applied, nested macro F1 .* within the fold-to-fold noise \(paired t = -?\d+\.\d\d over 5 folds, needs more than 2\.132\)$/,
    );
    expect(decision).toBeUndefined();
  });

  it('applies the weights when the rare class sits below one half in every fold: a gain beyond the noise', () => {
    // The rare class's rows at 0.3 to 0.45, the others at 0 to 0.2: the argmax never predicts it; a weight separates them.
    const p1 = (random: Random, y: number): number => (y ? 0.3 + 0.15 * random.nextFloat() : 0.2 * random.nextFloat());
    const folds = evidence(7, p1);
    const final = scored(new Random(8), 300, (y) => p1(new Random(9), y));
    const { report, decision } = chooseDecisionRule('auto', { folds }, final.proba, final.y, 2);
    expect(report.nested!.evidence.significant).toBe(true);
    expect(report.nested!.evidence.gain).toBeGreaterThan(0.3);
    expect(report).toMatchObject({ mode: 'auto', applied: true });
    expect(report.reason).toMatch(/beyond the fold-to-fold noise/);
    expect(decision!.weights[1]).toBeGreaterThan(1);
  });
});
