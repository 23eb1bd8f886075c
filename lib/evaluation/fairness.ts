/**
 * How a model treats groups of applicants (a `sensitive` column of the spec: age band, sex,
 * region...): per group, the rows, how often each class is predicted (selection rate), each
 * class's recall (true positive rate) and false positive rate against the rest, and how well the
 * group is ranked (AUC); and the summary ratios a model-risk review reads, as fairlearn defines
 * them:
 *   - demographic parity ratio: the lowest group's selection rate over the highest's, per class.
 *     Under the four-fifths rule (US EEOC, 29 CFR 1607.4(D)) a ratio below 0.8 is adverse impact;
 *   - equalized odds difference: the larger of the spread (highest minus lowest group) of the
 *     true positive rates and of the false positive rates, per class.
 * For two classes the summary is the positive (second) class's, as for the ranking metrics; for
 * more, each class's number and the worst of them. A group that has no row of a class has no
 * recall for it (null), and is left out of that class's spread, not counted as zero.
 */
import { classRanking } from './ranking-metrics.ts';

/** The group of a row whose sensitive value is missing. */
export const MISSING_GROUP = '(missing)';

export interface GroupFairness {
  group: string;
  rows: number;
  /** Of all rows. */
  share: number;
  /** Per class: rows predicted that class, over the group's rows. */
  selectionRate: number[];
  /** Per class: rows of the class predicted as it (null: the group has none of the class). */
  truePositiveRate: (number | null)[];
  /** Per class: rows of other classes predicted as it (null: the group has only that class). */
  falsePositiveRate: (number | null)[];
  /** The positive class's AUC for two classes, one-vs-rest macro for more; null where undefined. */
  auc: number | null;
}

export interface FairnessReport {
  column: string;
  groups: GroupFairness[];
  /** Per class: min over groups of the selection rate / max over groups (null when no group selects it). */
  demographicParityRatio: (number | null)[];
  /** Per class: max(TPR spread, FPR spread) over the groups. */
  equalizedOddsDifference: (number | null)[];
  /** Two classes: the positive class's; more: the lowest ratio and the largest difference over the classes. */
  summary: {
    demographicParityRatio: number | null;
    equalizedOddsDifference: number | null;
    fourFifthsRule: 'passes' | 'fails' | null;
  };
}

/** The four-fifths rule's line. */
export const FOUR_FIFTHS = 0.8;

/**
 * What the rates of one group rest on: per class, the answers that gave it (`selected`, over
 * `rows`); and, over the labelled ones (`labelled`), per true class the rows of it (`ofClass`),
 * those given their own class (`hits`) and per class the rows of other classes given it
 * (`falseHits`). Out of fold every row is labelled; in serving (lib/monitoring/group-fairness.ts)
 * the selection rests on every answer and the rates on the answers that got feedback.
 */
export interface GroupCounts {
  group: string;
  rows: number;
  selected: number[];
  labelled: number;
  ofClass: number[];
  hits: number[];
  falseHits: number[];
  /** Its AUC where the ranking scores are at hand (out of fold); null otherwise. */
  auc: number | null;
}

/**
 * The fairness report of one sensitive column: `groups[i]` the row's value (null: missing),
 * `y` the true classes, `predicted` the classes given, `P` the probabilities (rows x classes).
 */
export function fairnessReport(
  column: string,
  groups: (string | null)[],
  y: ArrayLike<number>,
  predicted: ArrayLike<number>,
  P: ArrayLike<number>,
  classes: number,
): FairnessReport {
  const members = new Map<string, number[]>();
  for (let i = 0; i < y.length; i++) {
    const g = groups[i] ?? MISSING_GROUP;
    let list = members.get(g);
    if (!list) members.set(g, (list = []));
    list.push(i);
  }
  return fairnessFromCounts(
    column,
    [...members.entries()].map(([group, idx]) => rowCounts(group, idx, y, predicted, P, classes)),
    classes,
  );
}

/**
 * The fairness report of one sensitive column from its groups' counts: the one computation of
 * the rates and the summary ratios, out of fold (fairnessReport) and on served answers.
 * Groups largest first (ties by name); `share` is of all the groups' rows.
 */
export function fairnessFromCounts(column: string, counts: GroupCounts[], classes: number): FairnessReport {
  const total = counts.reduce((s, g) => s + g.rows, 0);
  const perGroup = [...counts]
    .sort((a, b) => b.rows - a.rows || a.group.localeCompare(b.group))
    .map((g) => groupFairness(g, total));

  const ratio: (number | null)[] = [];
  const odds: (number | null)[] = [];
  for (let k = 0; k < classes; k++) {
    // A group without answers (served: only labels for answers given before the window) selects nothing, and is no rate.
    const rates = perGroup.filter((g) => g.rows > 0).map((g) => g.selectionRate[k]);
    const highest = Math.max(...rates);
    ratio.push(highest > 0 ? Math.min(...rates) / highest : null);
    const spread = (values: (number | null)[]): number | null => {
      const known = values.filter((v): v is number => v !== null);
      return known.length ? Math.max(...known) - Math.min(...known) : null;
    };
    const tpr = spread(perGroup.map((g) => g.truePositiveRate[k]));
    const fpr = spread(perGroup.map((g) => g.falsePositiveRate[k]));
    odds.push(tpr === null && fpr === null ? null : Math.max(tpr ?? 0, fpr ?? 0));
  }
  const known = (values: (number | null)[]): number[] => values.filter((v): v is number => v !== null);
  const dp = classes === 2 ? ratio[1] : known(ratio).length ? Math.min(...known(ratio)) : null;
  const eo = classes === 2 ? odds[1] : known(odds).length ? Math.max(...known(odds)) : null;
  return {
    column,
    groups: perGroup,
    demographicParityRatio: ratio,
    equalizedOddsDifference: odds,
    summary: {
      demographicParityRatio: dp,
      equalizedOddsDifference: eo,
      fourFifthsRule: dp === null ? null : dp >= FOUR_FIFTHS ? 'passes' : 'fails',
    },
  };
}

/** The counts of the rows `idx` (all labelled), with their AUC. */
function rowCounts(
  group: string,
  idx: number[],
  y: ArrayLike<number>,
  predicted: ArrayLike<number>,
  P: ArrayLike<number>,
  classes: number,
): GroupCounts {
  const selected = new Array<number>(classes).fill(0);
  const ofClass = new Array<number>(classes).fill(0);
  const hits = new Array<number>(classes).fill(0);
  const falseHits = new Array<number>(classes).fill(0);
  for (const i of idx) {
    selected[predicted[i]]++;
    ofClass[y[i]]++;
    if (predicted[i] === y[i]) hits[y[i]]++;
    else falseHits[predicted[i]]++;
  }
  const gy = idx.map((i) => y[i]);
  const aucOf = (k: number): number | null =>
    classRanking(
      gy,
      idx.map((i) => P[i * classes + k]),
      k,
    ).auc;
  let auc: number | null;
  if (classes === 2) auc = aucOf(1);
  else {
    const known = Array.from({ length: classes }, (_, k) => aucOf(k)).filter((v): v is number => v !== null);
    auc = known.length ? known.reduce((s, v) => s + v, 0) / known.length : null;
  }
  return { group, rows: idx.length, selected, labelled: idx.length, ofClass, hits, falseHits, auc };
}

function groupFairness(c: GroupCounts, total: number): GroupFairness {
  const n = c.labelled;
  return {
    group: c.group,
    rows: c.rows,
    share: total ? c.rows / total : 0,
    selectionRate: c.selected.map((s) => (c.rows ? s / c.rows : 0)),
    truePositiveRate: c.hits.map((h, k) => (c.ofClass[k] ? h / c.ofClass[k] : null)),
    falsePositiveRate: c.falseHits.map((f, k) => (n - c.ofClass[k] ? f / (n - c.ofClass[k]) : null)),
    auc: c.auc,
  };
}
