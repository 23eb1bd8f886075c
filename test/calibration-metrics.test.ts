/** Calibration metrics against hand-computed values and, where installed, scikit-learn's. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { sklearnMissing } from './helpers.ts';
import {
  addTallies,
  calibrationMetrics,
  calibrationTally,
  reliabilityTable,
} from '../lib/evaluation/calibration-metrics.ts';
import { Random } from '../lib/util/random.ts';

// Four rows of three classes; the top-label confidences 0.7, 0.4, 0.6, 0.5 fall in bins 7, 4, 6, 5.
const y = [0, 1, 2, 1];
const P = [0.7, 0.2, 0.1, 0.3, 0.4, 0.3, 0.2, 0.2, 0.6, 0.5, 0.4, 0.1];

describe('calibration metrics', () => {
  it('match hand-computed Brier score, log loss and top-label ECE', () => {
    const m = calibrationMetrics(calibrationTally(y, P, 3));
    // Per row Σ(p − onehot)²: 0.14, 0.54, 0.24, 0.62.
    expect(m.brier).toBeCloseTo(1.54 / 4, 12);
    expect(m.log_loss).toBeCloseTo(-(Math.log(0.7) + Math.log(0.4) + Math.log(0.6) + Math.log(0.4)) / 4, 12);
    // The last row's top class (0) is wrong: |1−0.7| + |1−0.4| + |1−0.6| + |0−0.5| over 4 rows.
    expect(m.ece).toBeCloseTo(1.8 / 4, 12);
  });

  it('tabulate reliability per non-empty bin', () => {
    const table = reliabilityTable(calibrationTally(y, P, 3));
    expect(table.map((r) => [r.from, r.count, r.accuracy])).toEqual([
      [0.4, 1, 1],
      [0.5, 1, 0],
      [0.6, 1, 1],
      [0.7, 1, 1],
    ]);
    expect(table.map((r) => r.mean_confidence)).toEqual([0.4, 0.5, 0.6, 0.7]);
  });

  it('add up over folds to the metrics of the pooled rows', () => {
    const whole = calibrationMetrics(calibrationTally(y, P, 3));
    const halves = calibrationMetrics(
      addTallies(calibrationTally(y.slice(0, 2), P.slice(0, 6), 3), calibrationTally(y.slice(2), P.slice(6), 3)),
    );
    expect(halves.brier).toBeCloseTo(whole.brier, 12);
    expect(halves.log_loss).toBeCloseTo(whole.log_loss, 12);
    expect(halves.ece).toBeCloseTo(whole.ece, 12);
  });

  it('clip a zero probability of the true class instead of returning infinity', () => {
    const m = calibrationMetrics(calibrationTally([1], [1, 0], 2));
    expect(m.log_loss).toBeCloseTo(-Math.log(2.220446049250313e-16), 9);
  });
});

describe('calibration metrics against scikit-learn', () => {
  const missing = sklearnMissing();
  if (missing) {
    if (process.env.CI === 'true') it('has scikit-learn (required under CI=true)', () => expect.fail(missing));
    else it('needs scikit-learn', (ctx) => ctx.skip(missing));
    return;
  }

  it('agrees with log_loss (3 classes) and with brier_score_loss (2 classes, ours is twice the one-class score)', () => {
    const rng = new Random(12);
    const rows = 200;
    const y3 = Array.from({ length: rows }, () => rng.nextInt(3));
    const p3 = Array.from({ length: rows }, () => {
      const raw = [rng.nextFloat(), rng.nextFloat(), rng.nextFloat()];
      const s = raw[0] + raw[1] + raw[2];
      return raw.map((v) => v / s);
    });
    const y2 = Array.from({ length: rows }, () => rng.nextInt(2));
    const p2 = Array.from({ length: rows }, () => rng.nextFloat());
    const script =
      'import json,sys\nfrom sklearn.metrics import log_loss, brier_score_loss\nd=json.load(sys.stdin)\n' +
      'print(json.dumps([log_loss(d["y3"], d["p3"], labels=[0,1,2]), brier_score_loss(d["y2"], d["p2"])]))';
    const [sklearnLogLoss, sklearnBrier] = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify({ y3, p3, y2, p2 }) }).toString(),
    ) as number[];
    expect(calibrationMetrics(calibrationTally(y3, p3.flat(), 3)).log_loss).toBeCloseTo(sklearnLogLoss, 10);
    expect(
      calibrationMetrics(
        calibrationTally(
          y2,
          p2.flatMap((p) => [1 - p, p]),
          2,
        ),
      ).brier,
    ).toBeCloseTo(2 * sklearnBrier, 10);
  });
});
