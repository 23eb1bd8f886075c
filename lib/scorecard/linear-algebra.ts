/** The little dense linear algebra Newton's method needs: Cholesky factor, solve, inverse diagonal. */

/**
 * Lower Cholesky factor of the symmetric n x n matrix `a` (row-major; only its lower triangle is
 * read), or null if `a` is not positive definite.
 */
export function cholesky(a: Float64Array, n: number): Float64Array | null {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      if (i === j) {
        if (!(s > 0)) return null;
        L[i * n + i] = Math.sqrt(s);
      } else {
        L[i * n + j] = s / L[j * n + j];
      }
    }
  }
  return L;
}

/** x with L L^T x = b. */
export function choleskySolve(L: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let s = x[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * x[k];
    x[i] = s / L[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k];
    x[i] = s / L[i * n + i];
  }
  return x;
}

/**
 * The diagonal of (L L^T)^-1 = L^-T L^-1: entry j is the squared norm of column j of L^-1, the
 * solution c of L c = e_j (forward substitution; c is zero above j).
 */
export function inverseDiagonal(L: Float64Array, n: number): Float64Array {
  const diag = new Float64Array(n);
  const c = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    for (let i = j; i < n; i++) {
      let s = i === j ? 1 : 0;
      for (let k = j; k < i; k++) s -= L[i * n + k] * c[k];
      c[i] = s / L[i * n + i];
      diag[j] += c[i] * c[i];
    }
  }
  return diag;
}
