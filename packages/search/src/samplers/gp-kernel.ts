/**
 * The Matern 5/2 kernel with automatic relevance determination over a mixed box: numeric
 * coordinates in [0, 1] contribute theta_i (a_i - b_i)^2 to the squared distance, categorical
 * coordinates (choice indices) theta_i when they differ (a Hamming distance).
 * k(a, b) = scale * m(r2), m(r2) = (1 + sqrt(5) r + 5 r2 / 3) exp(-sqrt(5) r).
 */

const SQRT5 = Math.sqrt(5);

/** The kernel's hyperparameters. */
export interface KernelParams {
  /** theta_i = 1 / lengthscale_i^2, one per coordinate. */
  readonly invSquaredLengthscales: Float64Array;
  readonly scale: number;
  /** Observation noise variance added to the diagonal. */
  readonly noise: number;
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
