/** "Did you mean ...?" for a mistyped name: the closest allowed name by edit distance. */

/** Levenshtein distance: insertions, deletions and substitutions, each costing 1. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * The allowed name closest to `word` (case ignored), or null when none is close enough to be
 * a typo of it: at most one edit per three characters (at least one), so `mn` finds `min` and
 * `categorial` finds `categorical`, but `colour` finds no `column`.
 */
export function nearestName(word: string, allowed: readonly string[]): string | null {
  const budget = Math.max(1, Math.floor(word.length / 3));
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const name of allowed) {
    const distance = editDistance(word.toLowerCase(), name.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [name, distance];
  }
  return bestDistance <= budget ? best : null;
}
