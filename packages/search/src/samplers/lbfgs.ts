/**
 * A small projected L-BFGS minimizer (box bounds optional) with a backtracking Armijo line
 * search, for the Gaussian-process sampler's kernel fit and acquisition search. Written here
 * because no maintained npm package offers one: `fmin` 0.0.4 ships a UMD build under
 * "type": "module" (no usable exports under Node ESM) and has no bound constraints.
 */

/** A function value, with its gradient written into `gradient`. */
export type Objective = (x: Float64Array, gradient: Float64Array) => number;

/** Options of {@link minimizeLbfgs}. */
export interface LbfgsOptions {
  readonly maxIterations?: number;
  /** Lower and upper bounds per coordinate (projected onto); unbounded when absent. */
  readonly lower?: Float64Array;
  readonly upper?: Float64Array;
  /** Stop when the projected gradient's largest component is below this (default 1e-6). */
  readonly tolerance?: number;
  /** Correction pairs kept (default 8). */
  readonly memory?: number;
}

const dot = (a: Float64Array, b: Float64Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

/**
 * Minimizes `f` from `x0`; returns the best point seen and its value. Non-finite values count as
 * failures of the line search (the step is halved).
 *
 * @example
 * minimizeLbfgs((x, g) => { g[0] = 2 * (x[0]! - 3); return (x[0]! - 3) ** 2; }, Float64Array.of(0)).x; // [3]
 */
export function minimizeLbfgs(f: Objective, x0: Float64Array, options: LbfgsOptions = {}): { x: Float64Array; value: number } {
  const n = x0.length;
  const { lower, upper } = options;
  const tol = options.tolerance ?? 1e-6;
  const memory = options.memory ?? 8;
  const project = (x: Float64Array): Float64Array => {
    if (lower) for (let i = 0; i < n; i++) if (x[i]! < lower[i]!) x[i] = lower[i]!;
    if (upper) for (let i = 0; i < n; i++) if (x[i]! > upper[i]!) x[i] = upper[i]!;
    return x;
  };
  let x: Float64Array = project(Float64Array.from(x0));
  let g: Float64Array = new Float64Array(n);
  let fx = f(x, g);
  if (!Number.isFinite(fx)) return { x, value: fx };
  const ss: Float64Array[] = [];
  const ys: Float64Array[] = [];
  const free = new Uint8Array(n);
  for (let iter = 0; iter < (options.maxIterations ?? 100); iter++) {
    // coordinates at a bound with the gradient pushing outward stay fixed
    let pg = 0;
    for (let i = 0; i < n; i++) {
      const atLow = lower && x[i]! <= lower[i]! && g[i]! > 0;
      const atHigh = upper && x[i]! >= upper[i]! && g[i]! < 0;
      free[i] = atLow || atHigh ? 0 : 1;
      if (free[i]) pg = Math.max(pg, Math.abs(g[i]!));
    }
    if (pg < tol) break;
    // two-loop recursion on the free coordinates
    const q = Float64Array.from(g, (v, i) => (free[i] ? v : 0));
    const alphas: number[] = [];
    for (let k = ss.length - 1; k >= 0; k--) {
      const a = dot(ss[k]!, q) / dot(ys[k]!, ss[k]!);
      alphas[k] = a;
      for (let i = 0; i < n; i++) q[i]! -= a * ys[k]![i]!;
    }
    const last = ss.length - 1;
    const gamma = last >= 0 ? dot(ss[last]!, ys[last]!) / dot(ys[last]!, ys[last]!) : 1 / Math.max(1, pg);
    for (let i = 0; i < n; i++) q[i]! *= gamma;
    for (let k = 0; k < ss.length; k++) {
      const b = dot(ys[k]!, q) / dot(ys[k]!, ss[k]!);
      for (let i = 0; i < n; i++) q[i]! += ss[k]![i]! * (alphas[k]! - b);
    }
    const d = Float64Array.from(q, (v, i) => (free[i] ? -v : 0));
    if (dot(d, g) >= 0) for (let i = 0; i < n; i++) d[i] = free[i] ? -g[i]! : 0;
    let t = 1;
    let accepted: { x: Float64Array; g: Float64Array; fx: number } | undefined;
    for (let k = 0; k < 30; k++, t *= 0.5) {
      const xn = project(Float64Array.from(x, (v, i) => v + t * d[i]!));
      const gn = new Float64Array(n);
      const fn = f(xn, gn);
      let decrease = 0;
      for (let i = 0; i < n; i++) decrease += g[i]! * (xn[i]! - x[i]!);
      if (Number.isFinite(fn) && fn <= fx + 1e-4 * decrease) {
        accepted = { x: xn, g: gn, fx: fn };
        break;
      }
    }
    if (!accepted) break;
    const s = Float64Array.from(accepted.x, (v, i) => v - x[i]!);
    const y = Float64Array.from(accepted.g, (v, i) => v - g[i]!);
    if (dot(s, y) > 1e-12) {
      ss.push(s);
      ys.push(y);
      if (ss.length > memory) {
        ss.shift();
        ys.shift();
      }
    }
    const change = fx - accepted.fx;
    x = accepted.x;
    g = accepted.g;
    fx = accepted.fx;
    if (change <= 1e-12 * Math.max(1, Math.abs(fx))) break;
  }
  return { x, value: fx };
}
