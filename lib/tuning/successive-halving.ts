/**
 * Successive halving (Jamieson & Talwalkar; Hyperband's inner loop): every configuration is
 * scored on a small share of the rows, the best third goes on to three times the rows, and so
 * on until the last rung uses them all. Bad configurations are dropped after cheap fits, so a
 * budget of fits explores about twice as many configurations as scoring each on all rows would.
 */

export interface Rung {
  /** Share of the training rows this rung fits on. */
  fraction: number;
  /** Indices (into the configurations) scored on this rung, and their scores. */
  scored: { config: number; score: number }[];
}

export interface HalvingResult {
  best: number;
  rungs: Rung[];
  fits: number;
}

/** Keep the best 1/ETA of each rung. */
export const ETA = 3;
/** Rungs: 1/9, 1/3, then all the rows. */
export const RUNGS = 3;

/** How many configurations a budget of fits buys: n (1 + 1/3 + 1/9) <= budget. */
export function configurationsFor(budget: number): number {
  let n = Math.max(1, Math.floor(budget));
  while (n > 1 && fitsFor(n) > budget) n--;
  return n;
}

export function fitsFor(configurations: number): number {
  let total = 0;
  let alive = configurations;
  for (let r = 0; r < RUNGS; r++) {
    total += alive;
    alive = Math.max(1, Math.ceil(alive / ETA));
  }
  return total;
}

/**
 * `score(config, fraction)` fits one configuration on that share of the rows and scores it
 * (higher is better; -Infinity when it cannot be fitted). Configurations of one rung are scored
 * together (in parallel where `score` runs on a pool); ties keep the earlier configuration.
 */
export async function successiveHalving(configurations: number, score: (config: number, fraction: number) => Promise<number>): Promise<HalvingResult> {
  let alive = Array.from({ length: configurations }, (_, i) => i);
  const rungs: Rung[] = [];
  let fits = 0;
  for (let r = 0; r < RUNGS; r++) {
    const fraction = ETA ** -(RUNGS - 1 - r);
    const scores = await Promise.all(alive.map((config) => score(config, fraction)));
    fits += alive.length;
    const scored = alive.map((config, i) => ({ config, score: scores[i]! }));
    rungs.push({ fraction, scored });
    const ranked = [...scored].sort((a, b) => b.score - a.score || a.config - b.config);
    alive = ranked.slice(0, Math.max(1, Math.ceil(alive.length / ETA))).map((s) => s.config);
    if (r === RUNGS - 1 || alive.length === 0) break;
  }
  const last = rungs[rungs.length - 1]!.scored;
  const best = [...last].sort((a, b) => b.score - a.score || a.config - b.config)[0]!.config;
  return { best, rungs, fits };
}
