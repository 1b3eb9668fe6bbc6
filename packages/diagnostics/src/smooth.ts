/**
 * Small numeric helpers the learning-curve doctor judges curves with. Plain loops over short
 * arrays (a run's losses), never on a training hot path.
 */

/**
 * Median of the values (the mean of the two middle ones for an even count); NaN when empty.
 *
 * @example
 * ```ts
 * median([3, 1, 2]); // 2
 * median([4, 1, 3, 2]); // 2.5
 * ```
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Exponential moving average with bias correction (as in Adam): `m_t = beta m_{t-1} + (1 - beta) x_t`,
 * reported as `m_t / (1 - beta^(t+1))`, so the first values are not pulled toward 0.
 *
 * @example
 * ```ts
 * emaSmooth([2, 2, 2], 0.9); // [2, 2, 2] (no bias toward the zero start)
 * ```
 */
export function emaSmooth(values: readonly number[], beta: number): number[] {
  if (!(beta >= 0 && beta < 1)) throw new RangeError(`emaSmooth: beta must be in [0, 1), got ${beta}`);
  const out: number[] = [];
  let m = 0;
  let power = 1;
  for (const x of values) {
    m = beta * m + (1 - beta) * x;
    power *= beta;
    out.push(m / (1 - power));
  }
  return out;
}

/**
 * Centered moving median over `window` points (odd; an even window is widened by one). Near the
 * ends the window shrinks symmetrically, so a monotone series is returned unchanged and the
 * smoothed curve never lags the raw one.
 *
 * @example
 * ```ts
 * movingMedian([1, 9, 1, 1, 1], 3); // [1, 1, 1, 1, 1] (the spike is gone)
 * ```
 */
export function movingMedian(values: readonly number[], window: number): number[] {
  const half = Math.max(0, Math.floor(window / 2));
  return values.map((_, i) => {
    const h = Math.min(half, i, values.length - 1 - i);
    return median(values.slice(i - h, i + h + 1));
  });
}

/**
 * Slope of the least-squares line through (xs[i], ys[i]); NaN with fewer than 2 points or when
 * all xs are equal.
 *
 * @example
 * ```ts
 * leastSquaresSlope([0, 1, 2], [1, 3, 5]); // 2
 * ```
 */
export function leastSquaresSlope(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return NaN;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i]!;
    my += ys[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  return sxx === 0 ? NaN : sxy / sxx;
}

/**
 * `(to - from) / |from|`: -0.25 is a 25% drop. NaN when `from` is 0.
 *
 * @example
 * ```ts
 * relativeChange(2, 1.5); // -0.25
 * ```
 */
export function relativeChange(from: number, to: number): number {
  return from === 0 ? NaN : (to - from) / Math.abs(from);
}

/**
 * Piecewise-linear interpolation of (xs, ys) at `x`; xs ascending. Clamped to the first/last
 * value outside the range; NaN when empty.
 *
 * @example
 * ```ts
 * interpolate([0, 10], [1, 3], 5); // 2
 * interpolate([0, 10], [1, 3], 20); // 3
 * ```
 */
export function interpolate(xs: readonly number[], ys: readonly number[], x: number): number {
  const n = Math.min(xs.length, ys.length);
  if (n === 0) return NaN;
  if (x <= xs[0]!) return ys[0]!;
  if (x >= xs[n - 1]!) return ys[n - 1]!;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! <= x) lo = mid;
    else hi = mid;
  }
  const span = xs[hi]! - xs[lo]!;
  return span === 0 ? ys[hi]! : ys[lo]! + ((ys[hi]! - ys[lo]!) * (x - xs[lo]!)) / span;
}

/**
 * Index of the first value at or below `level`, from index `from` on; -1 when none is.
 *
 * @example
 * ```ts
 * firstIndexAtOrBelow([3, 2, 1], 2); // 1
 * ```
 */
export function firstIndexAtOrBelow(values: readonly number[], level: number, from = 0): number {
  for (let i = Math.max(0, from); i < values.length; i++) if (values[i]! <= level) return i;
  return -1;
}
