/** Fairness per group and its summary ratios (lib/evaluation/fairness.ts) against a fixture computed by hand. */
import { describe, expect, it } from 'vitest';
import { fairnessReport, MISSING_GROUP } from '../lib/evaluation/fairness.ts';

// Two classes (0 good, 1 bad); group A and group B, four applicants each.
//   A: true 1 1 0 0, predicted 1 0 0 0, p(bad) 0.9 0.4 0.3 0.1
//   B: true 1 0 0 0, predicted 1 1 0 0, p(bad) 0.65 0.6 0.2 0.7
const groups = ['A', 'A', 'A', 'A', 'B', 'B', 'B', 'B'];
const y = [1, 1, 0, 0, 1, 0, 0, 0];
const predicted = [1, 0, 0, 0, 1, 1, 0, 0];
const bad = [0.9, 0.4, 0.3, 0.1, 0.65, 0.6, 0.2, 0.7];
const P = bad.flatMap((p) => [1 - p, p]);

describe('fairness by group', () => {
  const report = fairnessReport('region', groups, y, predicted, P, 2);
  const [a, b] = report.groups;

  it('counts each group and its selection rate, true and false positive rates per class', () => {
    expect(a).toMatchObject({
      group: 'A',
      rows: 4,
      share: 0.5,
      selectionRate: [0.75, 0.25],
      truePositiveRate: [1, 0.5],
      falsePositiveRate: [0.5, 0],
    });
    expect(b.group).toBe('B');
    expect(b.selectionRate).toEqual([0.5, 0.5]);
    expect(b.truePositiveRate[0]).toBeCloseTo(2 / 3, 15);
    expect(b.truePositiveRate[1]).toBe(1);
    expect(b.falsePositiveRate[0]).toBe(0);
    expect(b.falsePositiveRate[1]).toBeCloseTo(1 / 3, 15);
  });

  it('ranks within each group: A perfectly, B with its one bad applicant above two of three good ones', () => {
    expect(a.auc).toBe(1);
    expect(b.auc).toBeCloseTo(2 / 3, 15);
  });

  it('gives the demographic parity ratio and the equalized odds difference, the four-fifths rule on the positive class', () => {
    // Class 1 selected at 0.25 in A and 0.5 in B; class 0 at 0.75 and 0.5.
    expect(report.demographicParityRatio[1]).toBe(0.5);
    expect(report.demographicParityRatio[0]).toBeCloseTo(2 / 3, 15);
    // Class 1: TPR 0.5 against 1 (spread 0.5), FPR 0 against 1/3; class 0: TPR 1 against 2/3, FPR 0.5 against 0.
    expect(report.equalizedOddsDifference[1]).toBe(0.5);
    expect(report.equalizedOddsDifference[0]).toBe(0.5);
    expect(report.summary).toEqual({
      demographicParityRatio: 0.5,
      equalizedOddsDifference: 0.5,
      fourFifthsRule: 'fails',
    });
  });

  it("puts missing values in a group of their own, and leaves a group without a class out of that class's spread", () => {
    // A third group, C: one good applicant predicted good, its value missing. It has no bad row: no TPR for class 1.
    const withMissing = fairnessReport('region', [...groups, null], [...y, 0], [...predicted, 0], [...P, 0.9, 0.1], 2);
    const c = withMissing.groups.find((g) => g.group === MISSING_GROUP)!;
    expect(c).toMatchObject({
      rows: 1,
      selectionRate: [1, 0],
      truePositiveRate: [1, null],
      falsePositiveRate: [null, 0],
      auc: null,
    });
    // Class 1's TPR spread is still A against B (0.5); its FPR spread now includes C's 0: unchanged 1/3.
    expect(withMissing.equalizedOddsDifference[1]).toBe(0.5);
    // C selects class 1 never: the parity ratio of class 1 falls to 0.
    expect(withMissing.demographicParityRatio[1]).toBe(0);
  });

  it('takes the worst class for several classes, and passes the four-fifths rule when the rates are close', () => {
    const three = fairnessReport(
      'age',
      ['x', 'x', 'x', 'y', 'y', 'y'],
      [0, 1, 2, 0, 1, 2],
      [0, 1, 2, 0, 1, 1],
      [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0.6, 0.4],
      3,
    );
    // Selection rates: x 1/3 each; y 1/3, 2/3, 0. Ratios 1, 0.5, 0: the worst is class 2's.
    expect(three.demographicParityRatio).toEqual([1, 0.5, 0]);
    expect(three.summary.demographicParityRatio).toBe(0);
    expect(three.summary.fourFifthsRule).toBe('fails');
    const close = fairnessReport(
      'age',
      ['x', 'x', 'x', 'x', 'x', 'y', 'y', 'y', 'y', 'y'],
      [1, 1, 1, 1, 0, 1, 1, 1, 1, 0],
      [1, 1, 1, 1, 0, 1, 1, 1, 1, 1],
      new Array<number>(20).fill(0.5),
      2,
    );
    // Class 1 selected at 4/5 and 5/5: 0.8, on the line.
    expect(close.summary).toMatchObject({ demographicParityRatio: 0.8, fourFifthsRule: 'passes' });
  });
});
