/**
 * The A/B report of a window (GET /model/report): per-variant requests, errors, latency and class
 * shares from the window's monitoring summary; with labels, accuracy and macro F1 and a
 * two-proportion z-test of the accuracy difference between the first two routed variants; under
 * shadow, the agreement rate and the confusion between the answers given and the shadow's. Reads
 * summaries (labels are counted in them), never the raw answers or labels, so its cost does not
 * grow with the traffic.
 */
import { servedFairness, type ServedFairnessReport } from './group-fairness.ts';
import { twoProportionZTest } from '../evaluation/significance.ts';
import type { WindowShape, WindowSummary } from './summary-reader.ts';
import { classesOf, variantSeries, variantStats, type VariantBucket, type VariantStats } from './variant-stats.ts';

/**
 * The window a report is built from: slices as wide as the series' buckets (about 30; fewer when
 * the summary's grain is coarser than window / 30), and no feature counts.
 */
export const REPORT_SHAPE: WindowShape = { slices: 30, features: false };

export interface WindowReport {
  variants: VariantStats[];
  series: Record<string, VariantBucket[]>;
  /** Width of the series' buckets (ms). */
  seriesBucketMs: number;
  comparison: {
    a: string;
    b: string;
    accuracy: ReturnType<typeof twoProportionZTest>;
    f1MacroDifference: number | null;
  } | null;
  shadow: { compared: number; agreementRate: number; confusion: Record<string, Record<string, number>> } | null;
  /**
   * Per variant, per sensitive column: how its answers treat the groups of applicants
   * (lib/monitoring/group-fairness.ts), its per-class numbers in the order of `classes`; a
   * variant whose answers carry no groups is absent.
   */
  fairness: { classes: string[]; variants: Record<string, ServedFairnessReport[]> };
  /** Stored summaries that did not parse (skipped). */
  unreadable: number;
  /** Documents read to build it. */
  reads: number;
}

/**
 * The report of a window read in REPORT_SHAPE. `classes`: the serving model's, in its spec's
 * order (the fairness summary of two classes is the second's); without them, the classes seen in
 * the window, sorted. A pure function of the summary: it runs where the window was read (the
 * monitoring worker on a server), so only the report crosses to the thread that answers.
 */
export function reportOfWindow(
  window: WindowSummary,
  since: number,
  until: number,
  routedVariants: string[],
  classes?: string[],
): WindowReport {
  const { summary, reads, unreadable } = window;
  const variants = variantStats(summary);
  const [a, b] = routedVariants.map((name) => variants.find((v) => v.variant === name)).filter((v) => v !== undefined);
  const comparison =
    a && b
      ? {
          a: a.variant,
          b: b.variant,
          accuracy: twoProportionZTest(a.correct, a.labelled, b.correct, b.labelled),
          f1MacroDifference: a.f1Macro !== null && b.f1Macro !== null ? b.f1Macro - a.f1Macro : null,
        }
      : null;
  const confusion: Record<string, Record<string, number>> = {};
  let compared = 0;
  let agreed = 0;
  for (const slice of summary.slices) {
    for (const g of slice.groups) {
      for (const [given, row] of Object.entries(g.shadow)) {
        for (const [shadow, n] of Object.entries(row)) {
          confusion[given] ??= {};
          confusion[given][shadow] = (confusion[given][shadow] ?? 0) + n;
          compared += n;
          if (given === shadow) agreed += n;
        }
      }
    }
  }
  const fairnessClasses = classes ?? classesOf(summary);
  // At least a minute (the reader's finest slices): finer buckets of a short window are mostly empty.
  const widthMs = summary.grainMs;
  return {
    variants,
    series: variantSeries(summary, since, until, widthMs),
    seriesBucketMs: widthMs,
    comparison,
    shadow: compared ? { compared, agreementRate: agreed / compared, confusion } : null,
    fairness: { classes: fairnessClasses, variants: servedFairness(summary, fairnessClasses) },
    unreadable,
    reads,
  };
}
