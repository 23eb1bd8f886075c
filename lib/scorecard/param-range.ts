/**
 * One declaration per numeric scorecard parameter: the values a fit accepts (its validation) and
 * the part of them tuning searches (lib/tuning/search-space.ts), side by side so the two cannot
 * drift apart (test/tuning-scorecard.test.ts checks every searched range lies inside its valid one).
 */
export interface ParamRange {
  /** Smallest valid value; with `aboveMin`, the value must be strictly greater. */
  min: number;
  aboveMin?: boolean;
  /** Largest valid value; with `belowMax`, the value must be strictly smaller. */
  max: number;
  belowMax?: boolean;
  integer?: boolean;
  /** What tuning draws from: [low, high], uniformly or uniformly in the logarithm. */
  search: { low: number; high: number; scale: 'linear' | 'log' };
}

/** Null when `value` is valid, else the problem ("prebins must be an integer in [2, inf), got 1.5"). */
export function rangeProblem(name: string, value: number, r: ParamRange): string | null {
  const inside = (r.aboveMin ? value > r.min : value >= r.min) && (r.belowMax ? value < r.max : value <= r.max);
  if (inside && (!r.integer || Number.isInteger(value))) return null;
  const bounds = `${r.aboveMin ? '(' : '['}${r.min}, ${r.max === Infinity ? 'inf' : r.max}${r.belowMax || r.max === Infinity ? ')' : ']'}`;
  return `${name} must be ${r.integer ? 'an integer' : 'a number'} in ${bounds}, got ${value}`;
}

export function checkInRange(name: string, value: number, r: ParamRange): void {
  const problem = rangeProblem(name, value, r);
  if (problem) throw new RangeError(problem);
}
