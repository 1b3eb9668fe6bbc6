/**
 * The posterior of a fitted Gaussian process: mean k*^T K^-1 y and latent variance
 * scale - k*^T K^-1 k* at any point, with their gradients along the numeric coordinates.
 */
import { unscaledKernel, type KernelParams } from './gp-kernel.js';
import { cholesky, inverseFromCholesky, kernelMatrix, multiply } from './gp-fit.js';
import { SamplerError } from './sampler-error.js';

/**
 * A Gaussian process conditioned on points `xs` (box coordinates, categoricals as indices) and
 * values `y`.
 *
 * @example
 * ```ts
 * const gp = new GaussianProcess(xs, y, [false, false], fitKernel(xs, y, [false, false]));
 * const { mean, variance } = gp.predict(Float64Array.of(0.3, 0.6));
 * ```
 */
export class GaussianProcess {
  private readonly inv: Float64Array;
  private readonly alpha: Float64Array;
  readonly n: number;

  constructor(
    private readonly xs: readonly Float64Array[],
    y: Float64Array,
    private readonly categorical: readonly boolean[],
    readonly params: KernelParams,
  ) {
    this.n = xs.length;
    let chol = cholesky(kernelMatrix(xs, categorical, params), this.n);
    for (let jitter = 1e-8; !chol && jitter < 1; jitter *= 10) chol = cholesky(kernelMatrix(xs, categorical, { ...params, noise: params.noise + jitter }), this.n);
    if (!chol) throw new SamplerError('gp', `the kernel matrix of ${this.n} trials is not positive definite even with added jitter; are values NaN or Infinity?`);
    this.inv = inverseFromCholesky(chol.lower, this.n);
    this.alpha = multiply(this.inv, y, this.n);
  }

  /** Posterior mean and latent variance at `x`. */
  predict(x: Float64Array): { mean: number; variance: number } {
    return this.evaluate(x);
  }

  /** Posterior mean and variance at `x` with their gradients along every coordinate (zero along categorical ones). */
  predictWithGradient(x: Float64Array): { mean: number; variance: number; meanGrad: Float64Array; varianceGrad: Float64Array } {
    const r = this.evaluate(x, true);
    return r as Required<typeof r>;
  }

  private evaluate(x: Float64Array, withGradient = false): { mean: number; variance: number; meanGrad?: Float64Array; varianceGrad?: Float64Array } {
    const { n, params, categorical } = this;
    const d = x.length;
    const theta = params.invSquaredLengthscales;
    const ks = new Float64Array(n);
    // per trial a and coordinate i: dk_a / d(theta_i delta_ai) / scale
    const slopes = withGradient ? new Float64Array(n * d) : undefined;
    for (let a = 0; a < n; a++) ks[a] = params.scale * unscaledKernel(x, this.xs[a]!, params, categorical, slopes, a * d).value;
    let mean = 0;
    for (let a = 0; a < n; a++) mean += ks[a]! * this.alpha[a]!;
    const v = multiply(this.inv, ks, n);
    let explained = 0;
    for (let a = 0; a < n; a++) explained += ks[a]! * v[a]!;
    const variance = Math.max(1e-12, params.scale - explained);
    if (!slopes) return { mean, variance };
    // dk_a/dx_i = scale * slope_ai * 2 theta_i (x_i - p_ai) for numeric i
    const meanGrad = new Float64Array(d);
    const varianceGrad = new Float64Array(d);
    for (let a = 0; a < n; a++) {
      const p = this.xs[a]!;
      for (let i = 0; i < d; i++) {
        if (categorical[i]) continue;
        const dk = params.scale * slopes[a * d + i]! * 2 * theta[i]! * (x[i]! - p[i]!);
        meanGrad[i]! += this.alpha[a]! * dk;
        varianceGrad[i]! -= 2 * v[a]! * dk;
      }
    }
    return { mean, variance, meanGrad, varianceGrad };
  }
}
