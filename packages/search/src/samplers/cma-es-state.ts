/**
 * The CMA-ES update (Hansen's tutorial, "The CMA Evolution Strategy", 2016) on a box [0, 1]^d,
 * as plain immutable data: `initialCma` makes a state, `sampleCma` draws a candidate, `updateCma`
 * turns one generation's evaluated candidates into the next state. The eigen decomposition of the
 * covariance comes from ml-matrix.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/** One CMA-ES distribution and its evolution paths. Arrays are never mutated after creation. */
export interface CmaState {
  readonly dim: number;
  readonly lambda: number;
  readonly mean: Float64Array;
  readonly sigma: number;
  /** Covariance, row-major d x d. */
  readonly cov: Float64Array;
  /** Eigenvectors (columns of B, row-major) and square roots of the eigenvalues of `cov`. */
  readonly basis: Float64Array;
  readonly scales: Float64Array;
  readonly pathSigma: Float64Array;
  readonly pathC: Float64Array;
  /** Generations updated so far. */
  readonly generation: number;
  /** Best value of each past generation (for the stagnation test of restarts). */
  readonly bests: readonly number[];
}

/** Strategy constants for dimension d and population lambda (Hansen's defaults). */
function constants(d: number, lambda: number) {
  const mu = Math.floor(lambda / 2);
  const raw = Array.from({ length: mu }, (_, i) => Math.log((lambda + 1) / 2) - Math.log(i + 1));
  const sum = raw.reduce((a, b) => a + b, 0);
  const weights = raw.map((w) => w / sum);
  const mueff = 1 / weights.reduce((a, w) => a + w * w, 0);
  const cc = (4 + mueff / d) / (d + 4 + (2 * mueff) / d);
  const cs = (mueff + 2) / (d + mueff + 5);
  const c1 = 2 / ((d + 1.3) ** 2 + mueff);
  const cmu = Math.min(1 - c1, (2 * (mueff - 2 + 1 / mueff)) / ((d + 2) ** 2 + mueff));
  const damps = 1 + 2 * Math.max(0, Math.sqrt((mueff - 1) / (d + 1)) - 1) + cs;
  const chiN = Math.sqrt(d) * (1 - 1 / (4 * d) + 1 / (21 * d * d));
  return { mu, weights, mueff, cc, cs, c1, cmu, damps, chiN };
}

/** Hansen's default population size 4 + floor(3 ln d). */
export function defaultPopulation(d: number): number {
  return 4 + Math.floor(3 * Math.log(d));
}

function decompose(d: number, cov: Float64Array): { basis: Float64Array; scales: Float64Array } {
  const m = new Matrix(d, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) m.set(i, j, 0.5 * (cov[i * d + j]! + cov[j * d + i]!));
  const evd = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  const vectors = evd.eigenvectorMatrix;
  const basis = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) basis[i * d + j] = vectors.get(i, j);
  const scales = Float64Array.from(evd.realEigenvalues, (v) => Math.sqrt(Math.max(v, 1e-20)));
  return { basis, scales };
}

/** A state centred on `mean` with step size `sigma` and covariance `diag(variances)` (default identity). */
export function initialCma(mean: Float64Array, sigma: number, lambda: number, variances?: Float64Array): CmaState {
  const d = mean.length;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < d; i++) cov[i * d + i] = variances ? variances[i]! : 1;
  return { dim: d, lambda, mean: Float64Array.from(mean), sigma, cov, ...decompose(d, cov), pathSigma: new Float64Array(d), pathC: new Float64Array(d), generation: 0, bests: [] };
}

function gaussian(rand: () => number): number {
  const u = 1 - rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/**
 * A candidate m + sigma * B D z inside [0, 1]^d: resampled up to 100 times, then clipped.
 * `minStd[i]` (optional) is a floor on the candidate's spread along axis i (for integer axes,
 * so that a collapsed distribution still leaves its grid cell now and then).
 */
export function sampleCma(state: CmaState, rand: () => number, minStd?: Float64Array): Float64Array {
  const d = state.dim;
  const x = new Float64Array(d);
  for (let attempt = 0; attempt < 100; attempt++) {
    const z = Float64Array.from({ length: d }, () => gaussian(rand));
    let inside = true;
    for (let i = 0; i < d; i++) {
      let y = 0;
      for (let j = 0; j < d; j++) y += state.basis[i * d + j]! * state.scales[j]! * z[j]!;
      let v = state.mean[i]! + state.sigma * y;
      if (minStd) {
        const spread = state.sigma * Math.sqrt(state.cov[i * d + i]!);
        if (spread < minStd[i]!) v += Math.sqrt(minStd[i]! ** 2 - spread ** 2) * gaussian(rand);
      }
      x[i] = v;
      if (v < 0 || v > 1) inside = false;
    }
    if (inside) return x;
  }
  return x.map((v) => Math.min(1, Math.max(0, v)));
}

/**
 * The next state from one generation's candidates `xs` (points in [0, 1]^d) and their values
 * (lower is better). Fewer than lambda candidates are fine (failed members): the best half of
 * those given are recombined.
 */
export function updateCma(state: CmaState, xs: readonly Float64Array[], values: readonly number[]): CmaState {
  const d = state.dim;
  const { weights: fullWeights, cc, cs, c1, cmu: cmuFull, damps, chiN } = constants(d, state.lambda);
  const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const mu = Math.max(1, Math.min(fullWeights.length, Math.floor(xs.length / 2)));
  const wsum = fullWeights.slice(0, mu).reduce((a, b) => a + b, 0);
  const weights = fullWeights.slice(0, mu).map((w) => w / wsum);
  const mueff = 1 / weights.reduce((a, w) => a + w * w, 0);
  const cmu = mu === fullWeights.length ? cmuFull : Math.min(1 - c1, (2 * (mueff - 2 + 1 / mueff)) / ((d + 2) ** 2 + mueff));
  const ys = order.slice(0, mu).map((k) => Float64Array.from(xs[k]!, (v, i) => (v - state.mean[i]!) / state.sigma));
  const yw = new Float64Array(d);
  ys.forEach((y, k) => y.forEach((v, i) => (yw[i]! += weights[k]! * v)));
  const mean = Float64Array.from(state.mean, (m, i) => m + state.sigma * yw[i]!);
  // C^(-1/2) yw = B D^-1 B^T yw
  const bt = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    let s = 0;
    for (let i = 0; i < d; i++) s += state.basis[i * d + j]! * yw[i]!;
    bt[j] = s / state.scales[j]!;
  }
  const invSqrtYw = new Float64Array(d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) invSqrtYw[i]! += state.basis[i * d + j]! * bt[j]!;
  const ps = Float64Array.from(state.pathSigma, (p, i) => (1 - cs) * p + Math.sqrt(cs * (2 - cs) * mueff) * invSqrtYw[i]!);
  const psNorm = Math.hypot(...ps);
  const g = state.generation + 1;
  const hsig = psNorm / Math.sqrt(1 - (1 - cs) ** (2 * g)) < (1.4 + 2 / (d + 1)) * chiN ? 1 : 0;
  const pc = Float64Array.from(state.pathC, (p, i) => (1 - cc) * p + hsig * Math.sqrt(cc * (2 - cc) * mueff) * yw[i]!);
  const cov = new Float64Array(d * d);
  const keep = 1 - c1 - cmu + (1 - hsig) * c1 * cc * (2 - cc);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let rankMu = 0;
      ys.forEach((y, k) => (rankMu += weights[k]! * y[i]! * y[j]!));
      cov[i * d + j] = keep * state.cov[i * d + j]! + c1 * pc[i]! * pc[j]! + cmu * rankMu;
    }
  }
  const sigma = state.sigma * Math.exp(Math.min(1, (cs / damps) * (psNorm / chiN - 1)));
  return { ...state, mean, sigma, cov, ...decompose(d, cov), pathSigma: ps, pathC: pc, generation: g, bests: [...state.bests, values[order[0]!]!] };
}

/**
 * Whether the run has converged or stalled and should restart (IPOP): the step along the widest
 * axis below `tolX`, a condition number above 1e14, or the best values of the last
 * 10 + ceil(30 d / lambda) generations within `tolFun` of each other.
 */
export function shouldRestart(state: CmaState, tolX = 1e-8, tolFun = 1e-12): boolean {
  const maxScale = Math.max(...state.scales);
  const minScale = Math.min(...state.scales);
  if (state.sigma * maxScale < tolX) return true;
  if ((maxScale / minScale) ** 2 > 1e14) return true;
  const window = 10 + Math.ceil((30 * state.dim) / state.lambda);
  if (state.bests.length >= window) {
    const recent = state.bests.slice(-window);
    if (Math.max(...recent) - Math.min(...recent) < tolFun) return true;
  }
  return false;
}
