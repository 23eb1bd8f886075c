/**
 * The wrong-sign rule (lib/scorecard/expected-signs.ts): a characteristic whose coefficient on the
 * card's log-odds line (good against event) is negative, so that its riskiest bin earns the most
 * points, is dropped and the regression refitted; the card, its report and the stored artifact say
 * why. On generated applicants whose in-hand salary is a noisy copy of their income, the copy's
 * own part (pay beyond what the income says) raising the risk: the classic collinear pair whose
 * second member comes out with the wrong sign, as Monthly_Inhand_Salary beside Annual_Income does
 * on the credit data.
 */
import { describe, expect, it } from 'vitest';
import type { FeatureColumn } from '../lib/scorecard/binning.ts';
import type { ColumnPlan } from '../lib/scorecard/columns.ts';
import { hasWrongSign } from '../lib/scorecard/expected-signs.ts';
import { scorecardReport } from '../lib/scorecard/scorecard-report.ts';
import { fitScorecard, type FittedScorecard } from '../lib/scorecard/scorecard-model.ts';
import { storedScorecardSchema } from '../lib/scorecard/stored-scorecard.ts';
import { Random } from '../lib/util/random.ts';
import { generateApplicants } from './scorecard-data.ts';

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/**
 * income (thousands) lowers the risk, utilisation raises it; salary = (income + extra) / 12 where
 * extra, uniform in +-15, RAISES the risk: salary alone still marks safer applicants (its WoE
 * correlates about 0.95 with income's), but beside income its coefficient turns negative.
 * Three classes: 2 is the event, 1 a middle class, 0 the good one.
 */
function collinearApplicants(rows: number, seed: number, classes: 2 | 3): { columns: FeatureColumn[]; y: Int32Array } {
  const rng = new Random(seed);
  const income = new Float64Array(rows);
  const salary = new Float64Array(rows);
  const utilisation = new Float64Array(rows);
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    income[i] = 20 + rng.nextFloat() * 130;
    const extra = (rng.nextFloat() - 0.5) * 30;
    salary[i] = (income[i] + extra) / 12;
    utilisation[i] = rng.nextFloat() * 100;
    const z = -1 - 0.03 * (income[i] - 85) + 0.06 * extra + 0.03 * (utilisation[i] - 50);
    const u = rng.nextFloat();
    y[i] = classes === 2 ? (u < sigmoid(z) ? 1 : 0) : u < sigmoid(z) ? 2 : u < sigmoid(z + 1.2) ? 1 : 0;
  }
  return {
    columns: [
      { name: 'income', kind: 'numeric', values: income },
      { name: 'salary', kind: 'numeric', values: salary },
      { name: 'utilisation', kind: 'numeric', values: utilisation },
    ],
    y,
  };
}

const coefficients = (f: FittedScorecard): Record<string, number> =>
  Object.fromEntries(f.card.features.map((c) => [c.name, c.coefficient]));

/** For every kept characteristic, its bins with training rows sorted by WoE must have non-decreasing points. */
function pointsAgainstWoe(f: FittedScorecard): string[] {
  const backwards: string[] = [];
  for (const c of f.card.features) {
    const seen = c.bins.filter((b) => b.events + b.nonEvents > 0).sort((a, b) => a.woe - b.woe);
    for (let i = 1; i < seen.length; i++) {
      if (seen[i].points < seen[i - 1].points)
        backwards.push(
          `${c.name}: ${seen[i - 1].label} (WoE ${seen[i - 1].woe.toFixed(3)}) earns ${seen[i - 1].points.toFixed(2)}, ${seen[i].label} (WoE ${seen[i].woe.toFixed(3)}) ${seen[i].points.toFixed(2)}`,
        );
    }
  }
  return backwards;
}

describe.each([2, 3] as const)('the wrong-sign rule, %i classes', (classes) => {
  const { columns, y } = collinearApplicants(4_000, 7, classes);
  const unchecked = fitScorecard(columns, y, classes, { signCheck: false });
  const checked = fitScorecard(columns, y, classes);

  it('drops the noisy copy whose coefficient runs against its WoE, naming the sign and the characteristic it copies', () => {
    // Without the rule the data does what it is built for: salary's coefficient is negative.
    expect(coefficients(unchecked).salary).toBeLessThan(0);
    expect(checked.card.features.map((c) => c.name)).toEqual(['income', 'utilisation']);
    expect(checked.binning.dropped).toHaveLength(1);
    const [drop] = checked.binning.dropped;
    expect(drop).toMatchObject({
      name: 'salary',
      wrongSign: { coefficient: coefficients(unchecked).salary, beside: 'income' },
    });
    expect(drop.wrongSign?.correlation).toBeGreaterThan(0.9);
    // Every kept coefficient on the good-against-event line is positive (checked directly, not through the rule's own function).
    expect(checked.card.features.filter((c) => !(c.coefficient > 0))).toEqual([]);
    expect(hasWrongSign(coefficients(unchecked).salary)).toBe(true);
  });

  it("orders every kept characteristic's points like its WoE (a safer bin never earns fewer), where without the rule salary's ran backwards", () => {
    expect(pointsAgainstWoe(unchecked).some((line) => line.startsWith('salary:'))).toBe(true);
    expect(pointsAgainstWoe(checked)).toEqual([]);
  });

  it('says why in the model card, and the stored artifact keeps the reason through its schema', () => {
    const plan: ColumnPlan = { numeric: ['income', 'salary', 'utilisation'], categorical: [], multiLabel: [] };
    const names = classes === 2 ? ['good', 'bad'] : ['good', 'standard', 'bad'];
    const report = scorecardReport({ plan, fitted: checked }, names);
    expect(report.dropped).toHaveLength(1);
    expect(report.dropped[0].feature).toBe('salary');
    expect(report.dropped[0].reason).toMatch(
      /^coefficient of the wrong sign \(-\d\.\d{4} on the log-odds of good against bad; .*\) beside income \(WoE correlation 0\.9\d\)/,
    );
    const parsed = storedScorecardSchema.parse(JSON.parse(JSON.stringify({ plan, fitted: checked })));
    expect(parsed.fitted.binning.dropped).toEqual(checked.binning.dropped);
  });
});

describe('the wrong-sign rule without collinearity', () => {
  it.each([2, 3] as const)('keeps every characteristic the IV keeps, %i classes, with the fit unchanged', (classes) => {
    const { columns, y } = generateApplicants(4_000, 11, classes);
    const checked = fitScorecard(columns, y, classes);
    const unchecked = fitScorecard(columns, y, classes, { signCheck: false });
    expect(checked.binning.dropped.filter((d) => d.wrongSign)).toEqual([]);
    expect(checked.card).toEqual(unchecked.card);
    expect(checked.card.features.map((c) => c.name)).toEqual(['utilisation', 'income', 'region']);
    expect(pointsAgainstWoe(checked)).toEqual([]);
  });
});

describe('a stored scorecard fitted before the sign check', () => {
  it('still loads: its dropped list has no wrongSign and reads as IV drops', () => {
    const { columns, y } = generateApplicants(2_000, 5);
    // The plan's order: numeric columns, then categorical.
    const fitted = fitScorecard([columns[0], columns[1], columns[3], columns[2]], y, 2);
    const plan: ColumnPlan = {
      numeric: ['utilisation', 'income', 'noise'],
      categorical: [{ column: 'region' }],
      multiLabel: [],
    };
    const old = { ...fitted, binning: { ...fitted.binning, dropped: [{ name: 'noise', iv: 0.001 }] } };
    const parsed = storedScorecardSchema.parse(JSON.parse(JSON.stringify({ plan, fitted: old })));
    expect(scorecardReport(parsed, ['good', 'bad']).dropped).toEqual([
      { feature: 'noise', iv: 0.001, reason: 'IV 0.0010 is below the minimum 0.02: too little evidence to score with' },
    ]);
  });
});
