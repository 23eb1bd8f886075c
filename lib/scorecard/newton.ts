/**
 * Newton's method with a backtracking (Armijo) line search, for a smooth strictly convex
 * objective whose gradient and Hessian we can form: the penalized logistic losses. It converges
 * quadratically near the optimum, so a gradient tolerance of 1e-10 costs a few iterations more
 * than 1e-4 (scikit-learn's default), which is what lets us match its tight-tolerance solution.
 */
import { cholesky, choleskySolve } from './linear-algebra.ts';

export interface SmoothProblem {
  dim: number;
  value(theta: Float64Array): number;
  /** Gradient and row-major Hessian at theta (only the lower triangle of the Hessian is read). */
  derivatives(theta: Float64Array): { gradient: Float64Array; hessian: Float64Array };
}

export interface NewtonResult {
  theta: Float64Array;
  /** Hessian at the returned theta. */
  hessian: Float64Array;
  iterations: number;
  converged: boolean;
}

/** Stops when the largest gradient entry is at most `tol` (in the problem's own scale). */
export function minimizeNewton(
  problem: SmoothProblem,
  start: Float64Array,
  tol: number,
  maxIter: number,
): NewtonResult {
  const n = problem.dim;
  let theta = Float64Array.from(start);
  let f = problem.value(theta);
  for (let iteration = 0; ; iteration++) {
    const { gradient, hessian } = problem.derivatives(theta);
    const gmax = gradient.reduce((m, g) => Math.max(m, Math.abs(g)), 0);
    if (gmax <= tol || iteration >= maxIter) return { theta, hessian, iterations: iteration, converged: gmax <= tol };
    const L = cholesky(hessian, n);
    if (!L) throw new Error('the Hessian is not positive definite: the penalty C is too large for these features');
    const step = choleskySolve(L, n, gradient);
    // Directional derivative along -step: -g.step (negative, since the Hessian is positive definite).
    let slope = 0;
    for (let i = 0; i < n; i++) slope -= gradient[i] * step[i];
    // Where the expected decrease is lost in the rounding of f (a few hundred ulps), f cannot
    // judge a step: Newton's full step is then right (quadratic convergence near the optimum).
    // So it is when no halving passes Armijo's test before the step stops moving theta (for a
    // convex f only rounding can cause that): a sum over 10,000 rows rounds differently at
    // points 1e-9 apart, and halving on until theta does not change would stall the solver there.
    let next = theta.map((v, i) => v - step[i]);
    if (-slope > 1e-13 * Math.max(1, Math.abs(f))) {
      const stepSize = step.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const scale = 1 + theta.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      for (let t = 1; t * stepSize > 1e-14 * scale; t /= 2) {
        const trial = theta.map((v, i) => v - t * step[i]);
        if (problem.value(trial) <= f + 1e-4 * t * slope) {
          next = trial;
          break;
        }
      }
    }
    theta = next;
    f = problem.value(theta);
  }
}
