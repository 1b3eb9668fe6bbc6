/**
 * The Parzen estimator of TPE: a weighted mixture with one kernel per observation plus a prior
 * kernel. Numerical parameters use Gaussians truncated to the range, in log space for log
 * distributions and with the range widened by half a step for ints and steps (values are snapped
 * afterwards); categoricals use a kernel that puts extra mass on the observed choice. Each
 * component spans all dimensions, so a multivariate estimator models parameters jointly.
 *
 * Besides its density, an estimator gives TPE's score: the mixture with each kernel's weight
 * multiplied by its bandwidths (see {@link ParzenEstimator.logScore}). That is what Optuna 3.1's
 * TPE evaluates in effect (its truncated-normal log-pdf leaves out the -log(sigma) term), and on
 * one-parameter-at-a-time models it finds better values than the normalized density.
 */
import { adjustedHigh, fromInternal } from '../distributions.js';
import type { Distribution } from '../types.js';

/** A distribution as the estimator sees it: a numeric interval or a number of categories. */
export type KernelSpace =
  | { readonly kind: 'numeric'; readonly low: number; readonly high: number; readonly distribution: Exclude<Distribution, { kind: 'categorical' }> }
  | { readonly kind: 'categorical'; readonly size: number };

/** The estimator's coordinates for a distribution. */
export function kernelSpace(d: Distribution): KernelSpace {
  if (d.kind === 'categorical') return { kind: 'categorical', size: d.choices.length };
  if (d.log) {
    const low = d.kind === 'int' ? d.low - 0.5 : d.low;
    const high = d.kind === 'int' ? d.high + 0.5 : d.high;
    return { kind: 'numeric', low: Math.log(low), high: Math.log(high), distribution: d };
  }
  if (d.kind === 'int' || d.step !== undefined) {
    const half = (d.step ?? 1) / 2;
    return { kind: 'numeric', low: d.low - half, high: adjustedHigh(d) + half, distribution: d };
  }
  return { kind: 'numeric', low: d.low, high: d.high, distribution: d };
}

/** Estimator coordinate of an internal value (a number, or a choice index for categoricals). */
export function toKernel(space: KernelSpace, internal: number): number {
  return space.kind === 'numeric' && space.distribution.log ? Math.log(internal) : internal;
}

/** Internal value (snapped to the distribution's grid, clamped) of an estimator coordinate. */
export function fromKernel(space: KernelSpace, x: number): number {
  if (space.kind === 'categorical') return Math.min(space.size - 1, Math.max(0, Math.round(x)));
  const d = space.distribution;
  return fromInternal(d, d.log ? Math.exp(x) : x) as number;
}

/** Options of {@link ParzenEstimator}. */
export interface ParzenOptions {
  /** Weight of the prior component relative to observation weights (Optuna: 1). */
  readonly priorWeight: number;
  /** Univariate bandwidths: let the range ends count as neighbours of the outermost kernels. */
  readonly considerEndpoints: boolean;
  /** Bandwidths from Scott's rule on the joint space (true) or from neighbour distances per dimension (false). */
  readonly multivariate: boolean;
  /** {@link ParzenEstimator.logScore} weighs each kernel by its bandwidths (true) or is the log density (false). */
  readonly bandwidthWeighted: boolean;
}

type Dim =
  | { readonly kind: 'numeric'; readonly low: number; readonly high: number; readonly mus: Float64Array; readonly sigmas: Float64Array; readonly logNorm: Float64Array; readonly logMass: Float64Array; readonly step: number }
  | { readonly kind: 'categorical'; readonly size: number; readonly observed: Int32Array; readonly logHit: number; readonly logMiss: number; readonly hit: number };

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** erfc(x) with fractional error below 1.2e-7 (Chebyshev fit, Numerical Recipes' erfcc). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** P(a <= Z <= b) for a standard normal Z, accurate in either tail. */
export function normalMass(a: number, b: number): number {
  const s = Math.SQRT1_2;
  if (a >= 0) return 0.5 * (erfc(a * s) - erfc(b * s));
  if (b <= 0) return 0.5 * (erfc(-b * s) - erfc(-a * s));
  return 1 - 0.5 * erfc(-a * s) - 0.5 * erfc(b * s);
}

function numericDim(space: Extract<KernelSpace, { kind: 'numeric' }>, obs: Float64Array, nParams: number, options: ParzenOptions): Dim {
  const { low, high } = space;
  const n = obs.length;
  const range = high - low;
  const mus = new Float64Array(n + 1);
  mus.set(obs);
  mus[n] = 0.5 * (low + high);
  const sigmas = new Float64Array(n + 1);
  if (options.multivariate) {
    sigmas.fill(0.2 * Math.pow(Math.max(n, 1), -1 / (nParams + 4)) * range);
  } else {
    // distance to the farther neighbour among the sorted kernel centres (range ends included)
    const sorted = new Float64Array(n + 3);
    sorted.set(mus, 1);
    sorted[0] = -Infinity;
    sorted[n + 2] = Infinity;
    sorted.sort();
    sorted[0] = low;
    sorted[n + 2] = high;
    const m = n + 1;
    const sortedSigma = new Float64Array(m);
    for (let k = 0; k < m; k++) {
      let s = Math.max(sorted[k + 1]! - sorted[k]!, sorted[k + 2]! - sorted[k + 1]!);
      if (!options.considerEndpoints && m >= 2) {
        if (k === 0) s = sorted[2]! - sorted[1]!;
        else if (k === m - 1) s = sorted[k + 1]! - sorted[k]!;
      }
      sortedSigma[k] = s;
    }
    // back to observation order; equal centres take consecutive sorted slots
    const used = new Uint32Array(m);
    for (let c = 0; c < m; c++) {
      let lo = 1;
      let hi = m + 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (sorted[mid]! < mus[c]!) lo = mid + 1;
        else hi = mid;
      }
      const slot = lo - 1;
      sigmas[c] = sortedSigma[slot + used[slot]!++]!;
    }
  }
  sigmas[n] = range;
  // "magic clip": no kernel narrower than range / min(100, 1 + kernels) or wider than the range
  const minSigma = range / Math.min(100, 1 + n + 1);
  // log normalizer of each truncated kernel, with (logNorm) and without (logMass) the log sigma term
  const logNorm = new Float64Array(n + 1);
  const logMass = new Float64Array(n + 1);
  for (let c = 0; c <= n; c++) {
    const s = Math.min(range, Math.max(minSigma, sigmas[c]!));
    sigmas[c] = s;
    const mass = normalMass((low - mus[c]!) / s, (high - mus[c]!) / s);
    logMass[c] = Math.log(Math.max(mass, 1e-300)) + LOG_SQRT_2PI;
    logNorm[c] = Math.log(s) + logMass[c]!;
  }
  const d = space.distribution;
  // grid spacing in estimator coordinates (0: continuous, including log ints)
  const step = d.log ? 0 : d.kind === 'int' ? (d.step ?? 1) : (d.step ?? 0);
  return { kind: 'numeric', low, high, mus, sigmas, logNorm, logMass, step };
}

function categoricalDim(size: number, obs: Float64Array, options: ParzenOptions): Dim {
  const observed = new Int32Array(obs.length + 1);
  for (let i = 0; i < obs.length; i++) observed[i] = obs[i]!;
  observed[obs.length] = -1;
  const pw = options.priorWeight;
  return {
    kind: 'categorical',
    size,
    observed,
    logHit: Math.log((1 + pw / size) / (1 + pw)),
    logMiss: Math.log(pw / size / (1 + pw)),
    hit: 1 / (1 + pw),
  };
}

function normal(rand: () => number): number {
  const u = 1 - rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/**
 * A mixture of one kernel per observation (weights `weights`) plus the prior (a wide kernel
 * centred on the range, or uniform over choices) with weight `priorWeight`.
 */
export class ParzenEstimator {
  private readonly dims: Dim[];
  private readonly logWeights: Float64Array;
  private readonly cumulative: Float64Array;
  readonly components: number;
  private readonly bandwidthWeighted: boolean;

  /** `observations[d][i]` is observation i in dimension d (estimator coordinates, see {@link toKernel}). */
  constructor(spaces: readonly KernelSpace[], observations: readonly Float64Array[], weights: Float64Array, options: ParzenOptions) {
    const n = weights.length;
    this.components = n + 1;
    this.bandwidthWeighted = options.bandwidthWeighted;
    this.dims = spaces.map((space, d) =>
      space.kind === 'numeric' ? numericDim(space, observations[d]!, spaces.length, options) : categoricalDim(space.size, observations[d]!, options),
    );
    const total = weights.reduce((a, b) => a + b, 0) + options.priorWeight;
    this.logWeights = new Float64Array(n + 1);
    this.cumulative = new Float64Array(n + 1);
    let acc = 0;
    for (let c = 0; c <= n; c++) {
      const w = (c < n ? weights[c]! : options.priorWeight) / total;
      this.logWeights[c] = Math.log(w);
      acc += w;
      this.cumulative[c] = acc;
    }
  }

  /** `count` draws; result[d][k] is draw k in dimension d (categoricals as indices, numerics unsnapped). */
  sample(rand: () => number, count: number): Float64Array[] {
    const out = this.dims.map(() => new Float64Array(count));
    for (let k = 0; k < count; k++) {
      const c = this.pickComponent(rand());
      this.dims.forEach((dim, d) => {
        out[d]![k] = dim.kind === 'numeric' ? this.drawNumeric(dim, c, rand) : this.drawCategory(dim, c, rand);
      });
    }
    return out;
  }

  /** Log density at `count` points (same layout as {@link sample}). */
  logPdf(points: readonly Float64Array[], count: number): Float64Array {
    return this.mixture(points, count, false);
  }

  /**
   * TPE's log score at `count` points: with `bandwidthWeighted`, log sum_c w_c prod_d sigma_cd k_cd(x)
   * (each continuous kernel weighted by its bandwidth; ints and steps, which must sit on their grid,
   * by the kernel's probability of the value's grid cell, as Optuna 3.1 does; not a normalized
   * density, so only differences between points or ratios of two estimators mean something), else
   * {@link logPdf}.
   */
  logScore(points: readonly Float64Array[], count: number): Float64Array {
    return this.mixture(points, count, this.bandwidthWeighted);
  }

  private mixture(points: readonly Float64Array[], count: number, bandwidthWeighted: boolean): Float64Array {
    const C = this.components;
    const out = new Float64Array(count);
    const acc = new Float64Array(C);
    for (let k = 0; k < count; k++) {
      acc.set(this.logWeights);
      for (let d = 0; d < this.dims.length; d++) {
        const dim = this.dims[d]!;
        const x = points[d]![k]!;
        if (dim.kind === 'numeric') {
          const { mus, sigmas } = dim;
          const logNorm = bandwidthWeighted ? dim.logMass : dim.logNorm;
          if (x < dim.low || x > dim.high) acc.fill(-Infinity);
          else if (bandwidthWeighted && dim.step > 0) {
            const lo = Math.max(dim.low, x - dim.step / 2);
            const hi = Math.min(dim.high, x + dim.step / 2);
            for (let c = 0; c < C; c++) {
              const cell = normalMass((lo - mus[c]!) / sigmas[c]!, (hi - mus[c]!) / sigmas[c]!);
              acc[c] = acc[c]! + Math.log(Math.max(cell, 1e-300)) - (logNorm[c]! - LOG_SQRT_2PI);
            }
          } else
            for (let c = 0; c < C; c++) {
              const z = (x - mus[c]!) / sigmas[c]!;
              acc[c] = acc[c]! - 0.5 * z * z - logNorm[c]!;
            }
        } else {
          const { observed, logHit, logMiss } = dim;
          const logUniform = -Math.log(dim.size);
          for (let c = 0; c < C; c++) {
            const o = observed[c]!;
            acc[c] = acc[c]! + (o < 0 ? logUniform : o === x ? logHit : logMiss);
          }
        }
      }
      let max = -Infinity;
      for (let c = 0; c < C; c++) if (acc[c]! > max) max = acc[c]!;
      if (max === -Infinity) {
        out[k] = -Infinity;
        continue;
      }
      let sum = 0;
      for (let c = 0; c < C; c++) sum += Math.exp(acc[c]! - max);
      out[k] = max + Math.log(sum);
    }
    return out;
  }

  private pickComponent(u: number): number {
    const cum = this.cumulative;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cum[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private drawNumeric(dim: Extract<Dim, { kind: 'numeric' }>, c: number, rand: () => number): number {
    const mu = dim.mus[c]!;
    const sigma = dim.sigmas[c]!;
    // rejection from the untruncated Gaussian: the centre lies in the range and sigma <= range,
    // so at least ~1/3 of the draws are accepted
    for (let attempt = 0; attempt < 64; attempt++) {
      const x = mu + sigma * normal(rand);
      if (x >= dim.low && x <= dim.high) return x;
    }
    return Math.min(dim.high, Math.max(dim.low, mu));
  }

  private drawCategory(dim: Extract<Dim, { kind: 'categorical' }>, c: number, rand: () => number): number {
    const o = dim.observed[c]!;
    if (o >= 0 && rand() < dim.hit) return o;
    return Math.min(dim.size - 1, Math.floor(rand() * dim.size));
  }
}
