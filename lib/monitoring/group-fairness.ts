/**
 * Fairness on served answers: per variant and sensitive column, the report CV gives out of fold
 * (lib/evaluation/fairness.ts, the same computation from counts), here from a window's summary:
 * selection rates over every answer of a group, true and false positive rates over the answers
 * that got a label (POST /feedback), and the demographic parity ratio and equalized odds
 * difference over the groups, with the answers and labels each rests on. Labels count as the
 * variant's other labels do (variantTotals: only for versions it answered with in the window).
 *
 * No AUC here: a label carries the class given, not the score, and ranking needs each labelled
 * answer's score; score histograms per group would give an approximate AUC that does not agree
 * with the out-of-fold one, so it stays a CV number (docs/fairness.md).
 */
import {
  fairnessFromCounts,
  type FairnessReport,
  type GroupCounts,
  type GroupFairness,
} from '../evaluation/fairness.ts';
import { variantTotals, type MonitoringSummary, type VariantCounts } from './summary.ts';

export interface ServedGroupFairness extends GroupFairness {
  /** Its answers with a label: what its true and false positive rates rest on. */
  labelled: number;
}

export interface ServedFairnessReport extends Omit<FairnessReport, 'groups'> {
  groups: ServedGroupFairness[];
  /** Answers with a group in the column: what the selection rates rest on. */
  answers: number;
  /** Of those, labelled: what the true and false positive rates and the equalized odds difference rest on. */
  labelled: number;
}

/**
 * Per variant of the summary, one report per sensitive column its answers were counted with
 * (none for a variant whose counts carry no groups: summaries from before groups were counted,
 * or a model without sensitive columns). `classes` in the model's order (its spec's): the
 * positive class of two is the second, as out of fold.
 */
export function servedFairness(summary: MonitoringSummary, classes: string[]): Record<string, ServedFairnessReport[]> {
  const out: Record<string, ServedFairnessReport[]> = {};
  for (const [variant, { counts }] of variantTotals(summary)) {
    const reports = variantFairness(counts, classes);
    if (reports.length) out[variant] = reports;
  }
  return out;
}

function variantFairness(counts: VariantCounts, classes: string[]): ServedFairnessReport[] {
  const index = new Map(classes.map((c, k) => [c, k]));
  const K = classes.length;
  return Object.entries(counts.sensitive ?? {})
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([column, groups]) => {
      const groupCounts = Object.entries(groups).map(([group, c]): GroupCounts => {
        const g: GroupCounts = {
          group,
          rows: 0,
          selected: new Array<number>(K).fill(0),
          labelled: 0,
          ofClass: new Array<number>(K).fill(0),
          hits: new Array<number>(K).fill(0),
          falseHits: new Array<number>(K).fill(0),
          auc: null,
        };
        for (const [label, n] of Object.entries(c.classes)) {
          g.rows += n;
          const k = index.get(label);
          if (k !== undefined) g.selected[k] += n;
        }
        for (const [actualLabel, row] of Object.entries(c.labelled)) {
          const actual = index.get(actualLabel);
          for (const [givenLabel, n] of Object.entries(row)) {
            const given = index.get(givenLabel);
            // A class the model does not have (a label sent before a retrain changed the classes) is no rate of it.
            if (actual === undefined || given === undefined) continue;
            g.labelled += n;
            g.ofClass[actual] += n;
            if (given === actual) g.hits[actual] += n;
            else g.falseHits[given] += n;
          }
        }
        return g;
      });
      const report = fairnessFromCounts(column, groupCounts, K);
      const labelledOf = new Map(groupCounts.map((g) => [g.group, g.labelled]));
      return {
        ...report,
        groups: report.groups.map((g) => ({ ...g, labelled: labelledOf.get(g.group) ?? 0 })),
        answers: groupCounts.reduce((s, g) => s + g.rows, 0),
        labelled: groupCounts.reduce((s, g) => s + g.labelled, 0),
      };
    });
}
