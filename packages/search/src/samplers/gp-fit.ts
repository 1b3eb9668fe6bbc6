/**
 * Fitting the Gaussian process: the kernel hyperparameters that maximize the log marginal
 * likelihood of the standardized values plus weak log-normal priors (lengthscales around the box
 * size, the scale around the values' variance, a small noise), by L-BFGS with
 * the analytic gradient 0.5 tr((alpha alpha^T - K^-1) dK/dp). The Cholesky factor comes from
 * ml-matrix; the inverse is formed from it with two triangular passes over Float64Arrays
 * (ml-matrix's many-right-hand-side solve measured ~12x slower at n = 200).
 */
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { coordinateDistance, matern52, matern52Slope, type KernelParams } from './gp-kernel.js';
import { minimizeLbfgs } from './lbfgs.js';

/** Smallest noise variance (keeps K well conditioned for noiseless objectives). */
export const MIN_NOISE = 1e-6;
const LOG_2PI = Math.log(2 * Math.PI);
/** Prior means and standard deviations of the log hyperparameters. */
const PRIOR = { logTheta: [Math.log(1), 1.5], logScale: [0, 1], logNoise: [Math.log(1e-3), 2] } as const;

/** K = scale * m(r2) + noise I, row-major n x n, from points and parameters. */
export function kernelMatrix(xs: readonly Float64Array[], categorical: readonly boolean[], p: KernelParams): Float64Array {
  const n = xs.length;
  const k = new Float64Array(n * n);
  const theta = p.invSquaredLengthscales;
  for (let a = 0; a < n; a++) {
    k[a * n + a] = p.scale + p.noise;
    for (let b = a + 1; b < n; b++) {
      let r2 = 0;
      for (let i = 0; i < theta.length; i++) r2 += theta[i]! * coordinateDistance(xs[a]![i]!, xs[b]![i]!, categorical[i]!);
      const v = p.scale * matern52(r2);
      k[a * n + b] = v;
      k[b * n + a] = v;
    }
  }
  return k;
}

/** Cholesky factor (lower, row-major) and log determinant of an SPD matrix, or undefined when it is not numerically positive definite. */
export function cholesky(k: Float64Array, n: number): { lower: Float64Array; logDet: number } | undefined {
  const chol = new CholeskyDecomposition(Matrix.from1DArray(n, n, k));
  if (!chol.isPositiveDefinite()) return undefined;
  const l = chol.lowerTriangularMatrix;
  const lower = new Float64Array(n * n);
  let logDet = 0;
  for (let a = 0; a < n; a++) {
    for (let b = 0; b <= a; b++) lower[a * n + b] = l.get(a, b);
    logDet += 2 * Math.log(lower[a * n + a]!);
  }
  return { lower, logDet };
}

/** K^-1 = L^-T L^-1 from the Cholesky factor L (row-major). */
export function inverseFromCholesky(lower: Float64Array, n: number): Float64Array {
  // Linv: forward substitution of the identity, one column at a time (lower triangular)
  const linv = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    for (let r = c; r < n; r++) {
      let s = r === c ? 1 : 0;
      for (let j = c; j < r; j++) s -= lower[r * n + j]! * linv[j * n + c]!;
      linv[r * n + c] = s / lower[r * n + r]!;
    }
  }
  const inv = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let j = a; j < n; j++) s += linv[j * n + a]! * linv[j * n + b]!;
      inv[a * n + b] = s;
      inv[b * n + a] = s;
    }
  }
  return inv;
}

/** Matrix-vector product of a row-major n x n matrix. */
export function multiply(m: Float64Array, v: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let a = 0; a < n; a++) {
    let s = 0;
    for (let b = 0; b < n; b++) s += m[a * n + b]! * v[b]!;
    out[a] = s;
  }
  return out;
}

/** The log vector of parameters (inverse of {@link paramsOf}). */
export function logParams(p: KernelParams): Float64Array {
  return Float64Array.from([...Array.from(p.invSquaredLengthscales, Math.log), Math.log(p.scale), Math.log(Math.max(p.noise - MIN_NOISE, 1e-12))]);
}

/** Parameters of the log vector [log theta_1..d, log scale, log(noise - MIN_NOISE)]. */
export function paramsOf(p: ArrayLike<number>): KernelParams {
  const d = p.length - 2;
  return { invSquaredLengthscales: Float64Array.from(Array.prototype.slice.call(p, 0, d) as number[], Math.exp), scale: Math.exp(p[d]!), noise: MIN_NOISE + Math.exp(p[d + 1]!) };
}

const logNormal = (x: number, [mean, sd]: readonly [number, number]) => -0.5 * ((x - mean) / sd) ** 2;
const logNormalSlope = (x: number, [mean, sd]: readonly [number, number]) => -(x - mean) / (sd * sd);

/**
 * Negative log marginal likelihood plus negative log prior at log parameters `p`, with its
 * gradient written into `grad`. Infinity when K is not positive definite.
 */
export function negativeLogPosterior(p: ArrayLike<number>, xs: readonly Float64Array[], y: Float64Array, categorical: readonly boolean[], grad?: Float64Array): number {
  const n = xs.length;
  const d = p.length - 2;
  const params = paramsOf(p);
  const k = kernelMatrix(xs, categorical, params);
  const chol = cholesky(k, n);
  if (!chol) {
    grad?.fill(0);
    return Infinity;
  }
  const inv = inverseFromCholesky(chol.lower, n);
  const alpha = multiply(inv, y, n);
  let fit = 0;
  for (let a = 0; a < n; a++) fit += y[a]! * alpha[a]!;
  let value = 0.5 * fit + 0.5 * chol.logDet + 0.5 * n * LOG_2PI;
  for (let i = 0; i < d; i++) value -= logNormal(p[i]!, PRIOR.logTheta);
  value -= logNormal(p[d]!, PRIOR.logScale) + logNormal(p[d + 1]!, PRIOR.logNoise);
  if (!grad) return value;
  // d(-LML)/dp = -0.5 tr(W dK/dp), W = alpha alpha^T - K^-1 (symmetric: off-diagonal pairs count twice)
  const g = new Float64Array(d + 2);
  const theta = params.invSquaredLengthscales;
  let traceW = 0;
  for (let a = 0; a < n; a++) {
    const waa = alpha[a]! * alpha[a]! - inv[a * n + a]!;
    traceW += waa;
    g[d]! += waa * params.scale; // m(0) = 1
    for (let b = a + 1; b < n; b++) {
      const w = 2 * (alpha[a]! * alpha[b]! - inv[a * n + b]!);
      let r2 = 0;
      for (let i = 0; i < d; i++) r2 += theta[i]! * coordinateDistance(xs[a]![i]!, xs[b]![i]!, categorical[i]!);
      g[d]! += w * params.scale * matern52(r2);
      const slope = w * params.scale * matern52Slope(r2);
      for (let i = 0; i < d; i++) g[i]! += slope * theta[i]! * coordinateDistance(xs[a]![i]!, xs[b]![i]!, categorical[i]!);
    }
  }
  g[d + 1] = traceW * (params.noise - MIN_NOISE);
  for (let i = 0; i < d + 2; i++) grad[i] = -0.5 * g[i]!;
  for (let i = 0; i < d; i++) grad[i]! -= logNormalSlope(p[i]!, PRIOR.logTheta);
  grad[d]! -= logNormalSlope(p[d]!, PRIOR.logScale);
  grad[d + 1]! -= logNormalSlope(p[d + 1]!, PRIOR.logNoise);
  return value;
}

/**
 * The MAP kernel parameters for points `xs` (coordinates as in {@link kernelMatrix}) and
 * standardized values `y`, starting from `from` or else lengthscale 0.5, scale 1 and noise 1e-3.
 */
export function fitKernel(xs: readonly Float64Array[], y: Float64Array, categorical: readonly boolean[], maxIterations = 40, from?: KernelParams): KernelParams {
  const d = categorical.length;
  const start = from ? logParams(from) : Float64Array.from([...new Array<number>(d).fill(Math.log(4)), 0, Math.log(1e-3)]);
  // lengthscales between 0.01 and 10 box widths, scale within e^+-5, noise at most 1 (the values' variance)
  const lower = Float64Array.from([...new Array<number>(d).fill(Math.log(1e-2)), -5, Math.log(1e-9)]);
  const upper = Float64Array.from([...new Array<number>(d).fill(Math.log(1e4)), 5, 0]);
  const best = minimizeLbfgs((p, grad) => negativeLogPosterior(p, xs, y, categorical, grad), start, { maxIterations, lower, upper });
  return paramsOf(Number.isFinite(best.value) ? best.x : start);
}
