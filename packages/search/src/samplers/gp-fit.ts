/**
 * Fitting the Gaussian process: the kernel hyperparameters that maximize the log marginal
 * likelihood of the standardized values plus weak log-normal priors (lengthscales around the box
 * size, the scale around the values' variance, a small noise, the additive weight's logit around
 * 0), by L-BFGS with
 * the analytic gradient 0.5 tr((alpha alpha^T - K^-1) dK/dp). The Cholesky factor comes from
 * ml-matrix; the inverse is formed from it with two triangular passes over Float64Arrays
 * (ml-matrix's many-right-hand-side solve measured ~12x slower at n = 200).
 */
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { coordinateDistance, unscaledKernel, type KernelParams } from './gp-kernel.js';
import { minimizeLbfgs } from './lbfgs.js';

/** Smallest noise variance (keeps K well conditioned for noiseless objectives). */
export const MIN_NOISE = 1e-6;
const LOG_2PI = Math.log(2 * Math.PI);
/** Prior means and standard deviations of the log hyperparameters. */
const PRIOR = { logTheta: [Math.log(1), 1.5], logScale: [0, 1], logNoise: [Math.log(1e-3), 2], logitAdditive: [0, 2] } as const;

/** K = scale * m(r2) + noise I, row-major n x n, from points and parameters. */
export function kernelMatrix(xs: readonly Float64Array[], categorical: readonly boolean[], p: KernelParams): Float64Array {
  const n = xs.length;
  const k = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    k[a * n + a] = p.scale + p.noise;
    for (let b = a + 1; b < n; b++) {
      const v = p.scale * unscaledKernel(xs[a]!, xs[b]!, p, categorical).value;
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

/** The log vector of parameters (inverse of {@link paramsOf}); with `additive`, the logit of the additive weight last. */
export function logParams(p: KernelParams, additive = false): Float64Array {
  const w = Math.min(Math.max(p.additive ?? 0.5, 1e-6), 1 - 1e-6);
  return Float64Array.from([...Array.from(p.invSquaredLengthscales, Math.log), Math.log(p.scale), Math.log(Math.max(p.noise - MIN_NOISE, 1e-12)), ...(additive ? [Math.log(w / (1 - w))] : [])]);
}

/** Parameters of the log vector [log theta_1..d, log scale, log(noise - MIN_NOISE)(, logit additive weight)] over `d` coordinates. */
export function paramsOf(p: ArrayLike<number>, d = p.length - 2): KernelParams {
  const params = { invSquaredLengthscales: Float64Array.from(Array.prototype.slice.call(p, 0, d) as number[], Math.exp), scale: Math.exp(p[d]!), noise: MIN_NOISE + Math.exp(p[d + 1]!) };
  return p.length > d + 2 ? { ...params, additive: 1 / (1 + Math.exp(-p[d + 2]!)) } : params;
}

const logNormal = (x: number, [mean, sd]: readonly [number, number]) => -0.5 * ((x - mean) / sd) ** 2;
const logNormalSlope = (x: number, [mean, sd]: readonly [number, number]) => -(x - mean) / (sd * sd);

/**
 * Negative log marginal likelihood plus negative log prior at log parameters `p` (see
 * {@link paramsOf}; d = categorical.length), with its gradient written into `grad`. Infinity when
 * K is not positive definite.
 */
export function negativeLogPosterior(p: ArrayLike<number>, xs: readonly Float64Array[], y: Float64Array, categorical: readonly boolean[], grad?: Float64Array): number {
  const n = xs.length;
  const d = categorical.length;
  const withAdditive = p.length > d + 2;
  const params = paramsOf(p, d);
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
  if (withAdditive) value -= logNormal(p[d + 2]!, PRIOR.logitAdditive);
  if (!grad) return value;
  // d(-LML)/dp = -0.5 tr(W dK/dp), W = alpha alpha^T - K^-1 (symmetric: off-diagonal pairs count twice)
  const g = new Float64Array(p.length);
  const theta = params.invSquaredLengthscales;
  const additive = params.additive ?? 0;
  const slopes = new Float64Array(d);
  let traceW = 0;
  for (let a = 0; a < n; a++) {
    const waa = alpha[a]! * alpha[a]! - inv[a * n + a]!;
    traceW += waa;
    g[d]! += waa * params.scale; // the unscaled kernel is 1 at distance 0
    for (let b = a + 1; b < n; b++) {
      const w = 2 * (alpha[a]! * alpha[b]! - inv[a * n + b]!);
      const k = unscaledKernel(xs[a]!, xs[b]!, params, categorical, slopes);
      g[d]! += w * params.scale * k.value;
      for (let i = 0; i < d; i++) g[i]! += w * params.scale * slopes[i]! * theta[i]! * coordinateDistance(xs[a]![i]!, xs[b]![i]!, categorical[i]!);
      // dk / d logit(w) = scale (additive - joint) w (1 - w)
      if (withAdditive) g[d + 2]! += w * params.scale * (k.additive - k.joint) * additive * (1 - additive);
    }
  }
  g[d + 1] = traceW * (params.noise - MIN_NOISE);
  for (let i = 0; i < p.length; i++) grad[i] = -0.5 * g[i]!;
  for (let i = 0; i < d; i++) grad[i]! -= logNormalSlope(p[i]!, PRIOR.logTheta);
  grad[d]! -= logNormalSlope(p[d]!, PRIOR.logScale);
  grad[d + 1]! -= logNormalSlope(p[d + 1]!, PRIOR.logNoise);
  if (withAdditive) grad[d + 2]! -= logNormalSlope(p[d + 2]!, PRIOR.logitAdditive);
  return value;
}

/**
 * The MAP kernel parameters for points `xs` (coordinates as in {@link kernelMatrix}) and
 * standardized values `y`, starting from `from` or else lengthscale 0.5, scale 1, noise 1e-3 and
 * (with `additive`, which fits the additive weight too) additive weight 0.5.
 */
export function fitKernel(xs: readonly Float64Array[], y: Float64Array, categorical: readonly boolean[], maxIterations = 40, from?: KernelParams, additive = false): KernelParams {
  const d = categorical.length;
  const start = from ? logParams(from, additive) : Float64Array.from([...new Array<number>(d).fill(Math.log(4)), 0, Math.log(1e-3), ...(additive ? [0] : [])]);
  // lengthscales between 0.01 and 10 box widths, scale within e^+-5, noise at most 1 (the values' variance), additive weight within logit +-6
  const lower = Float64Array.from([...new Array<number>(d).fill(Math.log(1e-2)), -5, Math.log(1e-9), ...(additive ? [-6] : [])]);
  const upper = Float64Array.from([...new Array<number>(d).fill(Math.log(1e4)), 5, 0, ...(additive ? [6] : [])]);
  const best = minimizeLbfgs((p, grad) => negativeLogPosterior(p, xs, y, categorical, grad), start, { maxIterations, lower, upper });
  return paramsOf(Number.isFinite(best.value) ? best.x : start, d);
}
