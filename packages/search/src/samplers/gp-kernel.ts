/**
 * The Matern 5/2 kernel with automatic relevance determination over a mixed box: numeric
 * coordinates in [0, 1] contribute theta_i (a_i - b_i)^2 to the squared distance, categorical
 * coordinates (choice indices) theta_i when they differ (a Hamming distance).
 * m(r2) = (1 + sqrt(5) r + 5 r2 / 3) exp(-sqrt(5) r), and with the additive weight w
 * k(a, b) = scale * ((1 - w) m(r2) + w mean_i m(theta_i delta_i)), the mean over the numeric
 * coordinates i: the joint ARD Matern plus a sum of one-coordinate Materns (same lengthscales), so
 * that what was learnt along one coordinate (a better basin, say) carries over to points that
 * differ elsewhere (Duvenaud et al., Additive Gaussian processes, 2011). Categorical coordinates
 * stay in the joint part only: with them in the sum, a choice tried at another choice's best lr
 * looked bad everywhere (the bench's mixed space stayed on the wrong optimizer in 6 of 30 seeds).
 * w = 0 is the plain ARD Matern.
 */

const SQRT5 = Math.sqrt(5);

/** The kernel's hyperparameters. */
export interface KernelParams {
  /** theta_i = 1 / lengthscale_i^2, one per coordinate. */
  readonly invSquaredLengthscales: Float64Array;
  readonly scale: number;
  /** Observation noise variance added to the diagonal. */
  readonly noise: number;
  /** Weight w in [0, 1) of the additive part (absent: 0; only for spaces with a numeric coordinate). */
  readonly additive?: number;
}

/** Squared contribution of coordinate i to the distance (before theta). */
export function coordinateDistance(a: number, b: number, categorical: boolean): number {
  return categorical ? (a === b ? 0 : 1) : (a - b) ** 2;
}

/** Weighted squared distance between two points. */
export function squaredDistance(a: Float64Array, b: Float64Array, theta: Float64Array, categorical: readonly boolean[]): number {
  let r2 = 0;
  for (let i = 0; i < a.length; i++) r2 += theta[i]! * coordinateDistance(a[i]!, b[i]!, categorical[i]!);
  return r2;
}

/** m(r2). */
export function matern52(r2: number): number {
  const r = Math.sqrt(r2);
  return (1 + SQRT5 * r + (5 / 3) * r2) * Math.exp(-SQRT5 * r);
}

/** dm / d(r2) = -(5/6) (1 + sqrt(5) r) exp(-sqrt(5) r) (finite at r = 0). */
export function matern52Slope(r2: number): number {
  const r = Math.sqrt(r2);
  return -(5 / 6) * (1 + SQRT5 * r) * Math.exp(-SQRT5 * r);
}

/**
 * The kernel between two points without its scale, and optionally its pieces for gradients:
 * `joint` = m(r2), `additive` = mean over the numeric i of m(theta_i delta_i), and per coordinate
 * the slope dk/d(theta_i delta_i) / scale = (1 - w) m'(r2) (+ w m'(theta_i delta_i) / #numeric for
 * a numeric i) written into `slopes[offset + i]`.
 */
export function unscaledKernel(a: Float64Array, b: Float64Array, p: KernelParams, categorical: readonly boolean[], slopes?: Float64Array, offset = 0): { value: number; joint: number; additive: number } {
  const theta = p.invSquaredLengthscales;
  const w = p.additive ?? 0;
  const d = theta.length;
  let r2 = 0;
  for (let i = 0; i < d; i++) r2 += theta[i]! * coordinateDistance(a[i]!, b[i]!, categorical[i]!);
  const joint = matern52(r2);
  if (w === 0) {
    if (slopes) slopes.fill(matern52Slope(r2), offset, offset + d);
    return { value: joint, joint, additive: 0 };
  }
  const jointSlope = slopes ? (1 - w) * matern52Slope(r2) : 0;
  let numeric = 0;
  for (let i = 0; i < d; i++) if (!categorical[i]) numeric++;
  let sum = 0;
  for (let i = 0; i < d; i++) {
    if (categorical[i]) {
      if (slopes) slopes[offset + i] = jointSlope;
      continue;
    }
    const t = theta[i]! * (a[i]! - b[i]!) ** 2;
    sum += matern52(t);
    if (slopes) slopes[offset + i] = jointSlope + (w / numeric) * matern52Slope(t);
  }
  const additive = numeric ? sum / numeric : joint;
  return { value: (1 - w) * joint + w * additive, joint, additive };
}
