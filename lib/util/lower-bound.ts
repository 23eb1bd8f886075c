/**
 * The number of values below `x` in an ascending array: the index of the first value >= x
 * (Python's bisect_left, C++'s std::lower_bound). O(log n). A NaN `x` is below nothing and gives
 * 0; the callers send missing values elsewhere before they search.
 */
export function lowerBound(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
