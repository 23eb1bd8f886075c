/** Quantile of already-sorted values with linear interpolation (numpy's default method). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** The non-NaN values, sorted ascending, as a new typed array. */
export function sortedFinite(values: Iterable<number>): Float64Array {
  const out: number[] = [];
  for (const v of values) if (!Number.isNaN(v)) out.push(v);
  return Float64Array.from(out).sort();
}
