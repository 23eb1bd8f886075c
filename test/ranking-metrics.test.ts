/** Ranking metrics (AUC, Gini, KS, average precision, gains) against hand-computed values and, where installed, scikit-learn's and scipy's. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { classRanking, gainsTable, rankingMetrics } from '../lib/evaluation/ranking-metrics.ts';
import { Random } from '../lib/util/random.ts';
import { sklearnMissing } from './helpers.ts';

describe('ranking metrics', () => {
  it('match a hand-computed binary fixture with a tie across the classes', () => {
    // Scores high to low: 0.9 (+), 0.8 (-), 0.7 (+), 0.7 (-), 0.2 (+), 0.1 (-).
    const y = [1, 0, 1, 0, 1, 0];
    const s = [0.9, 0.8, 0.7, 0.7, 0.2, 0.1];
    const r = classRanking(y, s, 1);
    // Pairs (+, -) ranked right: 0.9 beats 3, 0.7 beats 0.1 and ties 0.7 (a half), 0.2 beats 0.1: 3 + 1.5 + 1 of 9.
    expect(r.auc).toBeCloseTo(5.5 / 9, 15);
    expect(r.gini).toBeCloseTo(2 * (5.5 / 9) - 1, 15);
    // TPR - FPR after each threshold (the tie is one): 1/3 at 0.9, 0 at 0.8, 0 at 0.7, 1/3 at 0.2, 0 at 0.1.
    expect(r.ks).toBeCloseTo(1 / 3, 15);
    // Precision where recall grows: 1 (at 0.9), 2/4 (at 0.7), 3/5 (at 0.2), each for a third of recall.
    expect(r.averagePrecision).toBeCloseTo((1 + 0.5 + 0.6) / 3, 15);
  });

  it('give null for a class that has no rows or every row, and leave it out of the macro means', () => {
    expect(classRanking([1, 1], [0.3, 0.4], 1).auc).toBeNull();
    const m = rankingMetrics([0, 1, 0, 1], [0.9, 0.1, 0, 0.2, 0.8, 0, 0.7, 0.3, 0, 0.4, 0.6, 0], 3);
    expect(m.perClass[2].auc).toBeNull();
    expect(m.auc).toBeCloseTo(1, 15);
  });

  it('report the positive (second) class for two classes', () => {
    // Positives scored 0.7 and 0.3, negatives 0.2 and 0.6: three of the four pairs ranked right.
    const m = rankingMetrics([0, 1, 1, 0], [0.8, 0.2, 0.3, 0.7, 0.7, 0.3, 0.4, 0.6], 2);
    expect(m.auc).toBe(m.perClass[1].auc);
    expect(m.perClass[1].auc).toBeCloseTo(0.75, 15);
    // The first class against the rest is the mirror image: the same pairs, the same AUC.
    expect(m.perClass[0].auc).toBeCloseTo(0.75, 15);
  });

  it('cut a gains table into deciles that add up, the best-scored first', () => {
    const rng = new Random(4);
    const n = 1_003;
    const scores = Array.from({ length: n }, () => rng.nextFloat());
    const y = scores.map((s) => (rng.nextFloat() < s ? 1 : 0));
    const table = gainsTable(y, scores, 1);
    expect(table).toHaveLength(10);
    expect(table.reduce((t, r) => t + r.rows, 0)).toBe(n);
    const events = y.filter((v) => v === 1).length;
    expect(table.reduce((t, r) => t + r.events, 0)).toBe(events);
    expect(table[9].cumulativeCapture).toBeCloseTo(1, 15);
    expect(table[9].cumulativeLift).toBeCloseTo(1, 15);
    // Scores fall from one decile to the next; with events drawn at the score's rate, the top decile lifts.
    for (let i = 1; i < 10; i++) expect(table[i].maxScore).toBeLessThanOrEqual(table[i - 1].minScore);
    expect(table[0].lift).toBeGreaterThan(1.5);
    expect(table[0].events).toBe(y.filter((v, i) => v === 1 && scores[i] >= table[0].minScore).length);
  });
});

describe('ranking metrics against scikit-learn and scipy', () => {
  const missing = sklearnMissing();
  if (missing) {
    if (process.env.CI === 'true') it('has scikit-learn (required under CI=true)', () => expect.fail(missing));
    else it('needs scikit-learn', (ctx) => ctx.skip(missing));
    return;
  }

  it('agree with roc_auc_score, average_precision_score and ks_2samp to 1e-12, binary and one-vs-rest over three classes, with ties', () => {
    const rng = new Random(21);
    const rows = 600;
    // Scores rounded to two decimals, so that many rows tie, within and across the classes.
    const y2 = Array.from({ length: rows }, () => rng.nextInt(2));
    const p2 = y2.map(
      (c) => Math.round(100 * Math.min(1, Math.max(0, 0.35 + 0.3 * c + 0.4 * (rng.nextFloat() - 0.5)))) / 100,
    );
    const y3 = Array.from({ length: rows }, () => rng.nextInt(3));
    const p3 = y3.map((c) => {
      const raw = [0, 1, 2].map((k) => Math.round(100 * (rng.nextFloat() + (k === c ? 0.4 : 0))) / 100 + 0.01);
      const sum = raw.reduce((s, v) => s + v, 0);
      return raw.map((v) => v / sum);
    });
    const script = `
import json, sys
import numpy as np
from scipy.stats import ks_2samp
from sklearn.metrics import roc_auc_score, average_precision_score
d = json.load(sys.stdin)
y2, p2, y3, p3 = np.array(d["y2"]), np.array(d["p2"]), np.array(d["y3"]), np.array(d["p3"])
per_class = []
for k in range(3):
    hit = (y3 == k).astype(int)
    per_class.append([roc_auc_score(hit, p3[:, k]), average_precision_score(hit, p3[:, k]), ks_2samp(p3[hit == 1, k], p3[hit == 0, k]).statistic])
print(json.dumps({
  "binary": [roc_auc_score(y2, p2), average_precision_score(y2, p2), ks_2samp(p2[y2 == 1], p2[y2 == 0]).statistic],
  "ovrMacroAuc": roc_auc_score(y3, p3, multi_class="ovr", average="macro"),
  "perClass": per_class,
}))`;
    const reference = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify({ y2, p2, y3, p3 }) }).toString(),
    ) as { binary: number[]; ovrMacroAuc: number; perClass: number[][] };

    const binary = rankingMetrics(
      y2,
      p2.flatMap((p) => [1 - p, p]),
      2,
    );
    const [auc, ap, ks] = reference.binary;
    expect(Math.abs(binary.auc! - auc)).toBeLessThan(1e-12);
    expect(Math.abs(binary.averagePrecision! - ap)).toBeLessThan(1e-12);
    expect(Math.abs(binary.ks! - ks)).toBeLessThan(1e-12);

    const three = rankingMetrics(y3, p3.flat(), 3);
    expect(Math.abs(three.auc! - reference.ovrMacroAuc)).toBeLessThan(1e-12);
    reference.perClass.forEach(([aucK, apK, ksK], k) => {
      expect(Math.abs(three.perClass[k].auc! - aucK)).toBeLessThan(1e-12);
      expect(Math.abs(three.perClass[k].averagePrecision! - apK)).toBeLessThan(1e-12);
      expect(Math.abs(three.perClass[k].ks! - ksK)).toBeLessThan(1e-12);
    });
  });
});
