/**
 * Is variant B's accuracy different from A's? A/B assignment is random and sticky per customer,
 * so the two variants' labelled answers are independent samples of two binomial proportions:
 * the two-proportion z-test (pooled variance) is the standard test for that. It needs enough
 * answers per side (at least 5 successes and 5 failures each) for the normal approximation;
 * below that the report says so instead of giving a p-value.
 */
export interface ProportionTest {
  test: 'two-proportion z-test (pooled), two-sided';
  difference: number;
  z: number | null;
  pValue: number | null;
  significantAt5Percent: boolean | null;
  note?: string;
}

export function twoProportionZTest(correctA: number, totalA: number, correctB: number, totalB: number): ProportionTest {
  const test = 'two-proportion z-test (pooled), two-sided' as const;
  const pA = totalA ? correctA / totalA : 0;
  const pB = totalB ? correctB / totalB : 0;
  const enough = [correctA, totalA - correctA, correctB, totalB - correctB].every((n) => n >= 5);
  if (!enough)
    return {
      test,
      difference: pB - pA,
      z: null,
      pValue: null,
      significantAt5Percent: null,
      note: 'too few labelled answers for the normal approximation (need 5 correct and 5 wrong per variant)',
    };
  const pooled = (correctA + correctB) / (totalA + totalB);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / totalA + 1 / totalB));
  const z = se === 0 ? 0 : (pB - pA) / se;
  const pValue = 2 * (1 - normalCdf(Math.abs(z)));
  return { test, difference: pB - pA, z, pValue, significantAt5Percent: pValue < 0.05 };
}

/** Standard normal CDF via erf (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7). */
export function normalCdf(x: number): number {
  const t = 1 / (1 + 0.3275911 * (Math.abs(x) / Math.SQRT2));
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}
