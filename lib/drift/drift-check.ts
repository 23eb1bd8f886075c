/**
 * The drift check: live rows (captured traffic or an uploaded CSV) against the training
 * baseline saved in the artifact, column by column, then a verdict for the data set.
 *
 * Numeric columns: two-sample Kolmogorov–Smirnov against the baseline's percentile grid, and
 * PSI over its deciles. Categorical and multi-label columns: chi-square test of homogeneity,
 * and Jensen–Shannon distance. A column drifts only when its Benjamini–Hochberg adjusted p-value
 * is below alpha AND its effect size (PSI, JS distance or KS D) reaches a practical threshold:
 * a p-value alone flags trivial shifts on large samples, an effect size alone flags noise on
 * small ones. Below a minimum sample a column is "insufficient", never a guess.
 */
import type { CleanRow } from '../data/clean-record.ts';
import type { DatasetSpec } from '../data/spec.ts';
import type { CategoricalBaseline, TrainingBaseline } from './baseline.ts';
import { countFeatures, numericView, type FeatureCounts, type LevelCounts } from '../data/feature-counts.ts';
import { benjaminiHochberg, chiSquareHomogeneity, jensenShannonDistance, ksPValue, psi } from './statistics.ts';

export interface DriftOptions {
  /** False discovery rate for the adjusted p-values. */
  alpha: number;
  /** Effect sizes at which a significant change is also a practical one. */
  minPsi: number;
  minJsDistance: number;
  minKsD: number;
  /** Fewer non-missing live values than this: "insufficient" for the column. */
  minSamples: number;
  /** Share of evaluated columns that must drift for the data set to be called drifted. */
  datasetShare: number;
}

export const DRIFT_DEFAULTS: DriftOptions = {
  alpha: 0.01,
  minPsi: 0.1,
  minJsDistance: 0.1,
  minKsD: 0.1,
  minSamples: 200,
  datasetShare: 0.25,
};

export type ColumnStatus = 'stable' | 'drift' | 'insufficient';

export interface ColumnDrift {
  column: string;
  kind: 'numeric' | 'categorical' | 'multiLabel';
  samples: number;
  test: 'kolmogorov-smirnov' | 'chi-square';
  statistic: number | null;
  pValue: number | null;
  adjustedPValue: number | null;
  /** PSI for numeric columns, Jensen–Shannon distance for categories. */
  effect: number | null;
  effectName: 'psi' | 'js-distance';
  missingRate: { baseline: number; live: number };
  status: ColumnStatus;
  /** Training versus current shares per bin or level: what the statistic compared, for a chart. */
  distribution?: { labels: string[]; training: number[]; current: number[] };
}

export interface DriftReport {
  /** stable: no column drifted; partial: some did, below datasetShare; drift: at least that share. */
  verdict: 'stable' | 'partial' | 'drift' | 'insufficient';
  rows: number;
  evaluated: number;
  drifted: number;
  driftedShare: number;
  options: DriftOptions;
  columns: ColumnDrift[];
}

/** The drift check of rows: their counts on the baseline's bins, checked (see checkDriftCounts). */
export function checkDrift(
  spec: DatasetSpec,
  baseline: TrainingBaseline,
  rows: CleanRow[],
  options: Partial<DriftOptions> = {},
): DriftReport {
  return checkDriftCounts(baseline, countFeatures(spec, baseline, rows), options);
}

/**
 * The drift check of live values counted on the baseline's bins (feature-counts.ts): the same
 * report whether the counts come from rows just read or from summaries merged over a window.
 */
export function checkDriftCounts(
  baseline: TrainingBaseline,
  counts: FeatureCounts,
  options: Partial<DriftOptions> = {},
): DriftReport {
  const o = { ...DRIFT_DEFAULTS, ...options };
  const columns: ColumnDrift[] = [];
  const rows = counts.rows;
  baseline.numeric.forEach((b, k) => {
    const { present, atOrBelowGrid, binCounts } = numericView(b, counts.numeric[k]);
    const live = { baseline: b.missingRate, live: rows ? (rows - present) / rows : 0 };
    if (present < o.minSamples || b.count === 0) {
      columns.push({
        column: b.column,
        kind: 'numeric',
        samples: present,
        test: 'kolmogorov-smirnov',
        statistic: null,
        pValue: null,
        adjustedPValue: null,
        effect: null,
        effectName: 'psi',
        missingRate: live,
        status: 'insufficient',
      });
      return;
    }
    let d = 0;
    b.grid.cdf.forEach((cdf, i) => (d = Math.max(d, Math.abs(atOrBelowGrid[i] / present - cdf))));
    const shares = binCounts.map((n) => n / present);
    columns.push({
      column: b.column,
      kind: 'numeric',
      samples: present,
      test: 'kolmogorov-smirnov',
      statistic: d,
      pValue: ksPValue(d, b.count, present),
      adjustedPValue: null,
      effect: psi(b.proportions, shares),
      effectName: 'psi',
      missingRate: live,
      status: 'stable',
      distribution: { labels: binLabels(b.edges, b.proportions.length), training: b.proportions, current: shares },
    });
  });
  const categorical = (b: CategoricalBaseline, kind: 'categorical' | 'multiLabel', c: LevelCounts): void => {
    const levels = Object.keys(b.frequencies);
    const present = rows - c.missing;
    const tokens = c.unseen + Object.values(c.levels).reduce((s, n) => s + n, 0);
    const missingRate = { baseline: b.missingRate, live: rows ? c.missing / rows : 0 };
    if (present < o.minSamples || b.count === 0 || tokens === 0) {
      columns.push({
        column: b.column,
        kind,
        samples: present,
        test: 'chi-square',
        statistic: null,
        pValue: null,
        adjustedPValue: null,
        effect: null,
        effectName: 'js-distance',
        missingRate,
        status: 'insufficient',
      });
      return;
    }
    // Unseen live levels pool into one "other" category, which the baseline has none of.
    const baseShares = [...levels.map((k) => b.frequencies[k]), 0];
    const liveShares = [...levels.map((k) => (c.levels[k] ?? 0) / tokens), c.unseen / tokens];
    const baseTokens = Math.max(b.count, 1);
    const test = chiSquareHomogeneity(
      baseShares.map((s) => s * baseTokens),
      liveShares.map((s) => s * tokens),
    );
    columns.push({
      column: b.column,
      kind,
      samples: present,
      test: 'chi-square',
      statistic: test.statistic,
      pValue: test.pValue,
      adjustedPValue: null,
      effect: jensenShannonDistance(baseShares, liveShares),
      effectName: 'js-distance',
      missingRate,
      status: 'stable',
      distribution: { labels: [...levels, '(unseen)'], training: baseShares, current: liveShares },
    });
  };
  baseline.categorical.forEach((b, j) => categorical(b, 'categorical', counts.categorical[j]));
  baseline.multiLabel.forEach((b, j) => categorical(b, 'multiLabel', counts.multiLabel[j]));

  const evaluated = columns.filter((c) => c.status !== 'insufficient');
  const adjusted = benjaminiHochberg(evaluated.map((c) => c.pValue!));
  evaluated.forEach((c, i) => {
    c.adjustedPValue = adjusted[i];
    const practical =
      c.kind === 'numeric' ? c.effect! >= o.minPsi || c.statistic! >= o.minKsD : c.effect! >= o.minJsDistance;
    c.status = adjusted[i] < o.alpha && practical ? 'drift' : 'stable';
  });
  const drifted = evaluated.filter((c) => c.status === 'drift').length;
  const share = evaluated.length ? drifted / evaluated.length : 0;
  return {
    verdict:
      evaluated.length === 0 ? 'insufficient' : share >= o.datasetShare ? 'drift' : drifted > 0 ? 'partial' : 'stable',
    rows,
    evaluated: evaluated.length,
    drifted,
    driftedShare: share,
    options: o,
    columns,
  };
}

/** Names of the bins of `count` values cut at `edges` (interior edges, ascending): "< 1", "1 to 2", ">= 2". */
function binLabels(edges: number[], count: number): string[] {
  const f = (v: number): string =>
    Math.abs(v) >= 1000 || (v !== 0 && Math.abs(v) < 0.01) ? v.toPrecision(3) : String(Math.round(v * 100) / 100);
  if (edges.length === 0) return ['all values'];
  return Array.from({ length: count }, (_, i) =>
    i === 0
      ? `< ${f(edges[0])}`
      : i >= edges.length
        ? `>= ${f(edges[edges.length - 1])}`
        : `${f(edges[i - 1])} to ${f(edges[i])}`,
  );
}
