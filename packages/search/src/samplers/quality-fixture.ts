/**
 * Spec support for the sampler specs (not exported): test functions with known optima,
 * best-value statistics and a discrepancy measure.
 */
import type { Direction, Distribution, ParamValue, Sampler } from '../types.js';
import { runSamplerLoop } from './sampler-test-loop.js';

/** A test function over a space, with its known minimum. */
export interface TestFunction {
  readonly name: string;
  readonly space: Record<string, Distribution>;
  readonly minimum: number;
  readonly f: (p: Readonly<Record<string, ParamValue>>) => number;
}

/** (x - 1.3)^2 + (y + 0.7)^2 on [-5, 5]^2; minimum 0. */
export const shiftedQuadratic: TestFunction = {
  name: 'quadratic',
  space: { x: { kind: 'float', low: -5, high: 5 }, y: { kind: 'float', low: -5, high: 5 } },
  minimum: 0,
  f: (p) => ((p.x as number) - 1.3) ** 2 + ((p.y as number) + 0.7) ** 2,
};

/** Branin-Hoo on [-5, 10] x [0, 15]; minimum 0.397887 at three points. */
export const branin: TestFunction = {
  name: 'branin',
  space: { x1: { kind: 'float', low: -5, high: 10 }, x2: { kind: 'float', low: 0, high: 15 } },
  minimum: 0.397887,
  f: (p) => {
    const x1 = p.x1 as number;
    const x2 = p.x2 as number;
    const b = 5.1 / (4 * Math.PI ** 2);
    const c = 5 / Math.PI;
    const t = 1 / (8 * Math.PI);
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
  },
};

/** Best objective value of `n` trials of `make(seed)` on `fn`, per seed. */
export function bestValues(make: (seed: number) => Sampler, fn: TestFunction, n: number, seeds: readonly number[], direction: Direction = 'minimize'): number[] {
  const sign = direction === 'minimize' ? 1 : -1;
  return seeds.map((seed) => {
    const trials = runSamplerLoop(make(seed), fn.space, n, direction, { value: (p) => sign * fn.f(p) });
    return Math.min(...trials.map((t) => sign * t.value!));
  });
}

export function meanStd(xs: readonly number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  return { mean, std };
}

/** L2-star discrepancy of points in [0,1]^d (Warnock's closed form): lower is more even. */
export function l2StarDiscrepancy(points: readonly (readonly number[])[]): number {
  const n = points.length;
  const d = points[0]!.length;
  let single = 0;
  for (const p of points) single += p.reduce((acc, x) => acc * (1 - x * x), 1);
  let pair = 0;
  for (const p of points) for (const q of points) pair += p.reduce((acc, x, k) => acc * (1 - Math.max(x, q[k]!)), 1);
  return Math.sqrt(3 ** -d - (2 ** (1 - d) / n) * single + pair / (n * n));
}
