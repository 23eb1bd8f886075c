/**
 * L2-penalized logistic regression, binary and multinomial (softmax), solved by Newton's method
 * (lib/scorecard/newton.ts). The objective is scikit-learn's LogisticRegression(penalty='l2'):
 *   C x (sum of the rows' log losses) + 1/2 ||coefficients||^2,
 * the intercepts unpenalized; we minimize it divided by C (the same minimizer). Two classes give
 * one coefficient row, the log-odds of class 1, as scikit-learn's coef_ does; more give one row
 * per class, with the intercepts centred to sum to 0 (softmax is unchanged by a shift common to
 * all classes, and scikit-learn's lbfgs, started at 0, keeps their sum at 0).
 */
import type { TrainingData } from '../trees/training-data.ts';
import { checkTrainingData } from '../trees/training-data.ts';
import { cholesky, inverseDiagonal } from './linear-algebra.ts';
import { minimizeNewton, type SmoothProblem } from './newton.ts';
import { checkParams, paramDefaults, type ParamSpecs } from '../util/param-spec.ts';

/** Each field's meaning, default and valid values: LOGISTIC_REGRESSION_PARAMS. */
export interface LogisticRegressionParams {
  C: number;
  tol: number;
  max_iter: number;
}

/** C is searched from 0.01 (a strong pull to 0) to 100 (almost none), evenly in the logarithm. */
export const LOGISTIC_REGRESSION_PARAMS: ParamSpecs<LogisticRegressionParams> = {
  C: {
    description: "Inverse strength of the L2 penalty, as scikit-learn's C.",
    default: 1,
    range: { min: 0, aboveMin: true, max: Infinity },
    search: { low: 0.01, high: 100, scale: 'log' },
  },
  tol: {
    description: "Largest gradient entry of the objective, per training row, at which Newton's method stops.",
    default: 1e-10,
    range: { min: 0, aboveMin: true, max: Infinity },
  },
  max_iter: { description: 'Most Newton iterations.', default: 100, range: { min: 1, max: Infinity, integer: true } },
};

export const LOGISTIC_REGRESSION_DEFAULTS: LogisticRegressionParams = paramDefaults(LOGISTIC_REGRESSION_PARAMS);

export interface LogisticModel {
  classes: number;
  features: number;
  /** One row (binary: the log-odds of class 1) or one row per class, `features` long each. */
  coef: number[][];
  intercept: number[];
  /**
   * Binary only: standard errors from the inverse Hessian of the penalized objective at the
   * optimum (with a weak penalty, the usual Wald errors); absent for several classes, whose
   * softmax parameters are not identified without a reference class.
   */
  standardErrors?: { coef: number[]; intercept: number };
  iterations: number;
  converged: boolean;
}

/** log(1 + e^z) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** theta = [w_0 .. w_{p-1}, b]. */
function binaryProblem({ X, rows, features: p, y }: TrainingData, C: number): SmoothProblem {
  const dim = p + 1;
  const margin = (theta: Float64Array, i: number): number => {
    let z = theta[p];
    for (let j = 0; j < p; j++) z += theta[j] * X[i * p + j];
    return z;
  };
  return {
    dim,
    value(theta) {
      let f = 0;
      for (let i = 0; i < rows; i++) {
        const z = margin(theta, i);
        f += softplus(z) - (y[i] === 1 ? z : 0);
      }
      for (let j = 0; j < p; j++) f += (theta[j] * theta[j]) / (2 * C);
      return f;
    },
    derivatives(theta) {
      const gradient = new Float64Array(dim);
      const hessian = new Float64Array(dim * dim);
      for (let i = 0; i < rows; i++) {
        const q = sigmoid(margin(theta, i));
        const r = q - (y[i] === 1 ? 1 : 0);
        const w = q * (1 - q);
        const row = i * p;
        for (let a = 0; a < dim; a++) {
          const xa = a === p ? 1 : X[row + a];
          gradient[a] += r * xa;
          const wa = w * xa;
          for (let c = 0; c <= a; c++) hessian[a * dim + c] += wa * (c === p ? 1 : X[row + c]);
        }
      }
      for (let j = 0; j < p; j++) {
        gradient[j] += theta[j] / C;
        hessian[j * dim + j] += 1 / C;
      }
      return { gradient, hessian };
    },
  };
}

/**
 * theta = K blocks [W_k (p), b_k], without the last class's intercept (fixed at 0: the softmax
 * is unchanged by a common shift of the intercepts, which the penalty does not pin down).
 */
function multinomialProblem({ X, rows, features: p, y, classes: K }: TrainingData, C: number): SmoothProblem {
  const block = p + 1;
  const dim = K * block - 1;
  const bias = (theta: Float64Array, k: number): number => (k === K - 1 ? 0 : theta[k * block + p]);
  const softmaxRow = (theta: Float64Array, i: number, out: Float64Array): number => {
    let max = -Infinity;
    for (let k = 0; k < K; k++) {
      let z = bias(theta, k);
      for (let j = 0; j < p; j++) z += theta[k * block + j] * X[i * p + j];
      out[k] = z;
      if (z > max) max = z;
    }
    let sum = 0;
    for (let k = 0; k < K; k++) sum += Math.exp(out[k] - max);
    const lse = max + Math.log(sum);
    for (let k = 0; k < K; k++) out[k] = Math.exp(out[k] - lse);
    return lse;
  };
  const penalty = (theta: Float64Array): number => {
    let s = 0;
    for (let k = 0; k < K; k++) for (let j = 0; j < p; j++) s += theta[k * block + j] ** 2;
    return s / (2 * C);
  };
  return {
    dim,
    value(theta) {
      const prob = new Float64Array(K);
      let f = penalty(theta);
      for (let i = 0; i < rows; i++) {
        const lse = softmaxRow(theta, i, prob);
        let zy = bias(theta, y[i]);
        for (let j = 0; j < p; j++) zy += theta[y[i] * block + j] * X[i * p + j];
        f += lse - zy;
      }
      return f;
    },
    derivatives(theta) {
      // Full K(p+1) square, then the leading dim x dim part (the dropped intercept is the last index).
      const full = K * block;
      const gradient = new Float64Array(full);
      const hessian = new Float64Array(full * full);
      const prob = new Float64Array(K);
      const x = new Float64Array(block);
      x[p] = 1;
      for (let i = 0; i < rows; i++) {
        softmaxRow(theta, i, prob);
        for (let j = 0; j < p; j++) x[j] = X[i * p + j];
        for (let k = 0; k < K; k++) {
          const r = prob[k] - (y[i] === k ? 1 : 0);
          for (let a = 0; a < block; a++) gradient[k * block + a] += r * x[a];
          for (let l = 0; l <= k; l++) {
            const w = prob[k] * ((k === l ? 1 : 0) - prob[l]);
            for (let a = 0; a < block; a++) {
              const wa = w * x[a];
              const rowOffset = (k * block + a) * full + l * block;
              // Lower triangle of the whole matrix: within the diagonal block (k = l), c <= a only.
              const last = k === l ? a : block - 1;
              for (let c = 0; c <= last; c++) hessian[rowOffset + c] += wa * x[c];
            }
          }
        }
      }
      for (let k = 0; k < K; k++) {
        for (let j = 0; j < p; j++) {
          const at = k * block + j;
          gradient[at] += theta[at] / C;
          hessian[at * full + at] += 1 / C;
        }
      }
      const h = new Float64Array(dim * dim);
      for (let a = 0; a < dim; a++) h.set(hessian.subarray(a * full, a * full + dim), a * dim);
      return { gradient: gradient.subarray(0, dim), hessian: h };
    },
  };
}

/**
 * `start`: coefficients and intercepts (shaped as this fit's model) to start Newton's method from
 * instead of 0, e.g. a previous fit with one column less (expected-signs.ts refits so). The
 * objective is strictly convex, so the optimum is the same; only the iterations to reach it change.
 */
export function fitLogisticRegression(
  data: TrainingData,
  overrides: Partial<LogisticRegressionParams> = {},
  start?: Pick<LogisticModel, 'coef' | 'intercept'>,
): LogisticModel {
  const params = { ...LOGISTIC_REGRESSION_DEFAULTS, ...overrides };
  checkParams(LOGISTIC_REGRESSION_PARAMS, params);
  checkTrainingData(data);
  const { features: p, classes: K, rows } = data;
  const binary = K === 2;
  const problem = binary ? binaryProblem(data, params.C) : multinomialProblem(data, params.C);
  // The objective is a sum over rows; the tolerance is per row so it means the same at any size.
  const result = minimizeNewton(
    problem,
    start ? startingTheta(start, p, K, problem.dim) : new Float64Array(problem.dim),
    params.tol * rows,
    params.max_iter,
  );
  const theta = result.theta;
  if (binary) {
    const L = cholesky(result.hessian, problem.dim);
    // Our objective is the sum of log losses plus the penalty: its Hessian is the observed
    // information plus I/C on the coefficients, whose inverse is the covariance we report.
    const variance = L ? inverseDiagonal(L, problem.dim) : null;
    return {
      classes: K,
      features: p,
      coef: [Array.from(theta.subarray(0, p))],
      intercept: [theta[p]],
      ...(variance
        ? {
            standardErrors: { coef: Array.from(variance.subarray(0, p), Math.sqrt), intercept: Math.sqrt(variance[p]) },
          }
        : {}),
      iterations: result.iterations,
      converged: result.converged,
    };
  }
  const block = p + 1;
  const raw = Array.from({ length: K }, (_, k) => (k === K - 1 ? 0 : theta[k * block + p]));
  const mean = raw.reduce((s, b) => s + b, 0) / K;
  return {
    classes: K,
    features: p,
    coef: Array.from({ length: K }, (_, k) => Array.from(theta.subarray(k * block, k * block + p))),
    intercept: raw.map((b) => b - mean),
    iterations: result.iterations,
    converged: result.converged,
  };
}

/** A model's coefficients as the solver's theta (binaryProblem's and multinomialProblem's layouts). */
function startingTheta(
  { coef, intercept }: Pick<LogisticModel, 'coef' | 'intercept'>,
  p: number,
  K: number,
  dim: number,
): Float64Array {
  const M = K === 2 ? 1 : K;
  if (coef.length !== M || intercept.length !== M || coef.some((row) => row.length !== p))
    throw new RangeError(`a starting point needs ${M} rows of ${p} coefficients`);
  const theta = new Float64Array(dim);
  const block = p + 1;
  for (let k = 0; k < M; k++) {
    theta.set(coef[k], k * block);
    // The solver holds the last class's intercept at 0: the others relative to it.
    if (M === 1 || k < K - 1) theta[k * block + p] = M === 1 ? intercept[0] : intercept[k] - intercept[K - 1];
  }
  return theta;
}

/**
 * Class probabilities from the linear margins: binary, `margins[0]` is the log-odds of class 1;
 * several classes, `margins` holds one per class (overwritten). The one conversion both the
 * WoE-matrix path and the scorecard predictor use, so they agree bit for bit.
 */
export function probabilitiesFromMargins(margins: Float64Array, classes: number, out: Float64Array): void {
  if (classes === 2) {
    out[1] = sigmoid(margins[0]);
    out[0] = 1 - out[1];
    return;
  }
  let max = -Infinity;
  for (let k = 0; k < classes; k++) if (margins[k] > max) max = margins[k];
  let sum = 0;
  for (let k = 0; k < classes; k++) sum += out[k] = Math.exp(margins[k] - max);
  for (let k = 0; k < classes; k++) out[k] /= sum;
}

/** Class probabilities of one row of features (x[offset .. offset + features)) into out[0 .. classes). */
export function predictLogistic(model: LogisticModel, x: ArrayLike<number>, offset: number, out: Float64Array): void {
  const { coef, intercept, features: p } = model;
  const margins = new Float64Array(coef.length);
  for (let k = 0; k < coef.length; k++) {
    let z = intercept[k];
    for (let j = 0; j < p; j++) z += coef[k][j] * x[offset + j];
    margins[k] = z;
  }
  probabilitiesFromMargins(margins, model.classes, out);
}
