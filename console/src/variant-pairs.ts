/**
 * The pairs the Variants view compares: the policy in force's first two routed variants (as the
 * A/B report pairs them), then those of earlier policies in the history whose variants answered
 * in the window. A pair's accuracy is compared with the A/B report's own test
 * (lib/evaluation/significance.ts) only when both sides have labels; otherwise the line says which
 * side lacks them.
 */
import { twoProportionZTest, type ProportionTest } from '../../lib/evaluation/significance.ts';
import { routedVariants, type PolicyShape } from './policy-text.ts';

export interface PairStats {
  variant: string;
  labelled: number;
  correct: number;
  accuracy: number | null;
  f1Macro: number | null;
}

export interface Pair {
  a: string;
  b: string;
  /** Whether the pair is the policy in force's. */
  current: boolean;
}

export type PairComparison = Pair & { statsA: PairStats; statsB: PairStats } & (
    { labelled: true; accuracy: ProportionTest; f1MacroDifference: number | null } | { labelled: false }
  );

/** The policy in force's pair, then earlier policies' (newest first, each once). */
export function pairsOf(current: PolicyShape, earlier: PolicyShape[]): Pair[] {
  const pairs: Pair[] = [];
  const seen = new Set<string>();
  [current, ...earlier].forEach((policy, i) => {
    const [a, b] = routedVariants(policy);
    if (!a || !b || seen.has(`${a}/${b}`)) return;
    seen.add(`${a}/${b}`);
    pairs.push({ a, b, current: i === 0 });
  });
  return pairs;
}

/** Each pair whose two variants both answered in the window, compared where both have labels. */
export function comparePairs(pairs: Pair[], stats: PairStats[]): PairComparison[] {
  const byName = new Map(stats.map((s) => [s.variant, s]));
  return pairs.flatMap((pair): PairComparison[] => {
    const statsA = byName.get(pair.a);
    const statsB = byName.get(pair.b);
    if (!statsA || !statsB) return [];
    if (statsA.labelled === 0 || statsB.labelled === 0) return [{ ...pair, statsA, statsB, labelled: false }];
    const accuracy = twoProportionZTest(statsA.correct, statsA.labelled, statsB.correct, statsB.labelled);
    const f1MacroDifference =
      statsA.f1Macro !== null && statsB.f1Macro !== null ? statsB.f1Macro - statsA.f1Macro : null;
    return [{ ...pair, statsA, statsB, labelled: true, accuracy, f1MacroDifference }];
  });
}
