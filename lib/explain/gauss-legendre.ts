/**
 * Gauss-Legendre quadrature on [0, 1]: n points and weights that integrate every polynomial of
 * degree up to 2n - 1 exactly (to rounding). The points are the roots of the Legendre
 * polynomial P_n, found by Newton's method from the usual cosine guesses (Numerical Recipes,
 * 3rd ed., section 4.6.1 `gauleg`), then mapped from [-1, 1] to [0, 1].
 */
export interface Quadrature {
  points: Float64Array;
  weights: Float64Array;
}

/** Newton steps per root: converges in 3-5 from the cosine guess; 100 only bounds the loop. */
const MAX_NEWTON_STEPS = 100;

export function gaussLegendre(n: number): Quadrature {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`gaussLegendre needs a whole number of points >= 1, got ${n}`);
  const points = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let derivative = 1;
    for (let step = 0; step < MAX_NEWTON_STEPS; step++) {
      // P_n(x) by the three-term recurrence, and P_n'(x) from P_n and P_{n-1}.
      let previous = 1;
      let current = x;
      for (let j = 2; j <= n; j++) {
        const next = ((2 * j - 1) * x * current - (j - 1) * previous) / j;
        previous = current;
        current = next;
      }
      derivative = (n * (x * current - previous)) / (x * x - 1);
      const dx = current / derivative;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    points[i] = (1 - x) / 2;
    weights[i] = 1 / ((1 - x * x) * derivative * derivative);
  }
  return { points, weights };
}
