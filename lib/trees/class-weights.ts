/**
 * scikit-learn's 'balanced' class weights, n / (classes x n_k): each class weighs as much in
 * total as the others. One formula for the forest (per fit, or per tree's bootstrap sample)
 * and for boosting (per fit).
 */

/** Per class, of rows `y` each counted `counts[i]` times (absent: once); a class with no rows weighs 1. */
export function balancedClassWeights(y: Int32Array, classes: number, counts?: Float64Array): Float64Array {
  const perClass = new Float64Array(classes);
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    const c = counts ? counts[i] : 1;
    perClass[y[i]] += c;
    total += c;
  }
  return Float64Array.from(perClass, (n) => (n > 0 ? total / (classes * n) : 1));
}
