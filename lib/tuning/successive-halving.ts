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

/** How many configurations a budget of fits buys (at least one: the defaults). */
export function configurationsFor(budget: number): number {
  let n = Math.max(1, Math.floor(budget));
  while (n > 1 && fitsFor(n) > budget) n--;
  return n;
}

/** The fits `configurations` cost: each rung's survivors, the defaults always among them. */
export function fitsFor(configurations: number): number {
  return survivors(configurations).reduce((sum, alive) => sum + alive, 0);
}

/** Configurations scored on each rung (at most): the best third of the last plus the defaults; two or fewer go straight to all the rows. */
function survivors(configurations: number): number[] {
  const rungs: number[] = [];
  let alive = configurations;
  for (let r = 0; r < RUNGS; r++) {
    if (alive <= 2 && r < RUNGS - 1) continue;
    rungs.push(alive);
    alive = Math.min(alive, Math.max(1, Math.ceil(alive / ETA)) + (alive > 1 ? 1 : 0));
  }
  return rungs;
}

/**
 * `score(config, fraction)` fits one configuration on that share of the rows and scores it
 * (higher is better; -Infinity when it cannot be fitted). Configurations of one rung are scored
 * together (in parallel where `score` runs on a pool); ties keep the earlier configuration.
 * Configuration 0 (the defaults) is carried to the last rung whatever its early scores, so the
 * search keeps or beats the defaults on the rows it scores on; two or fewer configurations skip
 * the smaller rungs, where nothing could be dropped any more.
 */
export async function successiveHalving(
  configurations: number,
  score: (config: number, fraction: number) => Promise<number>,
): Promise<HalvingResult> {
  let alive = Array.from({ length: configurations }, (_, i) => i);
  const rungs: Rung[] = [];
  let fits = 0;
  for (let r = 0; r < RUNGS; r++) {
    // Two or fewer go on whole (the best third plus the defaults): straight to all the rows.
    if (alive.length <= 2 && r < RUNGS - 1) continue;
    const fraction = ETA ** -(RUNGS - 1 - r);
    const scores = await Promise.all(alive.map((config) => score(config, fraction)));
    fits += alive.length;
    const scored = alive.map((config, i) => ({ config, score: scores[i]! }));
    rungs.push({ fraction, scored });
    const ranked = [...scored].sort((a, b) => b.score - a.score || a.config - b.config);
    const kept = ranked.slice(0, Math.max(1, Math.ceil(alive.length / ETA))).map((s) => s.config);
    alive = alive.length > 1 && !kept.includes(0) ? [0, ...kept] : kept;
  }
  const last = rungs[rungs.length - 1]!.scored;
  const best = [...last].sort((a, b) => b.score - a.score || a.config - b.config)[0]!.config;
  return { best, rungs, fits };
}
