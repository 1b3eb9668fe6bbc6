import { describe, expect, it } from 'vitest';
import type { Distribution } from '../types.js';
import { fitKernel, negativeLogPosterior } from './gp-fit.js';
import { matern52 } from './gp-kernel.js';
import { GaussianProcess } from './gp-posterior.js';
import { GpSampler } from './gp-sampler.js';
import { minimizeLbfgs } from './lbfgs.js';
import { logExpectedImprovement } from './log-ei.js';
import { normalMass } from './parzen-estimator.js';
import { runSamplerLoop } from './sampler-test-loop.js';

/** Solves a small dense system by Gaussian elimination (the spec's own reference). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) x[r] = (m[r]![n]! - m[r]!.slice(r + 1, n).reduce((s, v, k) => s + v * x[r + 1 + k]!, 0)) / m[r]![r]!;
  return x;
}

/** Central difference of f along coordinate i of x (step 1e-6). */
function centralDifference(f: (x: Float64Array) => number, x: Float64Array, i: number): number {
  const up = Float64Array.from(x);
  const down = Float64Array.from(x);
  up[i]! += 1e-6;
  down[i]! -= 1e-6;
  return (f(up) - f(down)) / 2e-6;
}

/** The posterior's mean and variance gradients at x against central differences. */
function expectPredictionGradients(gp: GaussianProcess, x: Float64Array): void {
  const g = gp.predictWithGradient(x);
  for (let i = 0; i < x.length; i++) {
    expect(g.meanGrad[i]).toBeCloseTo(centralDifference((v) => gp.predict(v).mean, x, i), 5);
    expect(g.varianceGrad[i]).toBeCloseTo(centralDifference((v) => gp.predict(v).variance, x, i), 5);
  }
}

/** Four points with a categorical second coordinate, for the fit objective's checks. */
const cx = [Float64Array.of(0.1, 0), Float64Array.of(0.5, 1), Float64Array.of(0.8, 2), Float64Array.of(0.3, 1)];
const cy = Float64Array.of(1, -0.5, 0.3, 0.1);
const cat = [false, true];

/** negativeLogPosterior's analytic gradient at p against central differences. */
function expectObjectiveGradient(p: Float64Array): void {
  const grad = new Float64Array(p.length);
  negativeLogPosterior(p, cx, cy, cat, grad);
  for (let i = 0; i < p.length; i++) expect(grad[i]).toBeCloseTo(centralDifference((q) => negativeLogPosterior(q, cx, cy, cat), p, i), 5);
}

describe('Gaussian process', () => {
  const xs = [Float64Array.of(0.1, 0.2), Float64Array.of(0.5, 0.9), Float64Array.of(0.8, 0.4)];
  const y = Float64Array.of(1, -0.5, 0.3);
  const params = { invSquaredLengthscales: Float64Array.of(3, 0.5), scale: 1.7, noise: 0.01 };
  const k = (a: Float64Array, b: Float64Array) => params.scale * matern52(3 * (a[0]! - b[0]!) ** 2 + 0.5 * (a[1]! - b[1]!) ** 2);

  it('gives the posterior mean and variance of the direct formula k*^T K^-1 y, s - k*^T K^-1 k*', () => {
    const gp = new GaussianProcess(xs, y, [false, false], params);
    const K = xs.map((a, i) => xs.map((b, j) => k(a, b) + (i === j ? params.noise : 0)));
    const x = Float64Array.of(0.3, 0.6);
    const ks = xs.map((a) => k(x, a));
    const mean = ks.reduce((s, v, i) => s + v * solve(K, [...y])[i]!, 0);
    const variance = params.scale - ks.reduce((s, v, i) => s + v * solve(K, ks)[i]!, 0);
    const p = gp.predict(x);
    expect(p.mean).toBeCloseTo(mean, 10);
    expect(p.variance).toBeCloseTo(variance, 10);
    // gradients against central differences
    expectPredictionGradients(gp, x);
  });

  it('has the analytic gradient of the negative log posterior (with a categorical coordinate)', () => {
    expectObjectiveGradient(Float64Array.of(Math.log(2), Math.log(0.7), 0.2, Math.log(0.05)));
    // the fit lowers the objective from its start
    const fitted = fitKernel(cx, cy, cat);
    const start = Float64Array.of(Math.log(4), Math.log(4), 0, Math.log(1e-3));
    const at = Float64Array.of(...Array.from(fitted.invSquaredLengthscales, Math.log), Math.log(fitted.scale), Math.log(fitted.noise - 1e-6));
    expect(negativeLogPosterior(at, cx, cy, cat)).toBeLessThan(negativeLogPosterior(start, cx, cy, cat));
  });

  it('with the additive part: the kernel of the formula, analytic gradients of the posterior and of the fit objective', () => {
    const additive = { ...params, additive: 0.4 };
    const m = (r2: number) => matern52(r2);
    const kAdd = (a: Float64Array, b: Float64Array) => additive.scale * (0.6 * m(3 * (a[0]! - b[0]!) ** 2 + 0.5 * (a[1]! - b[1]!) ** 2) + 0.4 * ((m(3 * (a[0]! - b[0]!) ** 2) + m(0.5 * (a[1]! - b[1]!) ** 2)) / 2));
    const gp = new GaussianProcess(xs, y, [false, false], additive);
    const K = xs.map((a, i) => xs.map((b, j) => kAdd(a, b) + (i === j ? additive.noise : 0)));
    const x = Float64Array.of(0.3, 0.6);
    const ks = xs.map((a) => kAdd(x, a));
    expect(gp.predict(x).mean).toBeCloseTo(ks.reduce((s, v, i) => s + v * solve(K, [...y])[i]!, 0), 10);
    expect(gp.predict(x).variance).toBeCloseTo(additive.scale - ks.reduce((s, v, i) => s + v * solve(K, ks)[i]!, 0), 10);
    expectPredictionGradients(gp, x);
    // [log theta_1, log theta_2, log scale, log(noise - min), logit w], with a categorical coordinate
    expectObjectiveGradient(Float64Array.of(Math.log(2), Math.log(0.7), 0.2, Math.log(0.05), -0.3));
    const fitted = fitKernel(cx, cy, cat, 40, undefined, true);
    expect(fitted.additive).toBeGreaterThan(0);
    expect(fitted.additive).toBeLessThan(1);
  });

  it('computes log EI as log(sd (z Phi(z) + phi(z))) and stays finite far in the tail', () => {
    for (const [mean, variance, best] of [[0, 1, 0], [0.3, 0.04, -0.1], [-1, 2, 0.5]] as const) {
      const sd = Math.sqrt(variance);
      const z = (best - mean) / sd;
      const direct = Math.log(sd * (z * normalMass(-Infinity, z) + Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI)));
      expect(logExpectedImprovement(mean, variance, best).value).toBeCloseTo(direct, 6);
    }
    // around the switch to the asymptotic series the value is continuous and its slope matches differences
    const a = logExpectedImprovement(8 - 1e-7, 1, 0).value;
    const b = logExpectedImprovement(8 + 1e-7, 1, 0).value;
    expect(Math.abs(a - b)).toBeLessThan(1e-4);
    const far = logExpectedImprovement(40, 1, 0);
    expect(Number.isFinite(far.value)).toBe(true);
    expect(far.dMean).toBeCloseTo((logExpectedImprovement(40 + 1e-5, 1, 0).value - logExpectedImprovement(40 - 1e-5, 1, 0).value) / 2e-5, 3);
  });

  it('L-BFGS finds the minimum of a convex quadratic and respects bounds', () => {
    const f = (x: Float64Array, g: Float64Array) => {
      g[0] = 2 * (x[0]! - 3) + x[1]!;
      g[1] = 8 * (x[1]! + 1) + x[0]!;
      return (x[0]! - 3) ** 2 + 4 * (x[1]! + 1) ** 2 + x[0]! * x[1]!;
    };
    const free = minimizeLbfgs(f, Float64Array.of(0, 0));
    // gradient zero: [[2, 1], [1, 8]] x = [6 - 0, -8] -> x = (56/15, -22/15)
    expect(free.x[0]).toBeCloseTo(56 / 15, 5);
    expect(free.x[1]).toBeCloseTo(-22 / 15, 5);
    const boxed = minimizeLbfgs(f, Float64Array.of(0.5, 0.5), { lower: Float64Array.of(0, 0), upper: Float64Array.of(1, 1) });
    expect(boxed.x[0]).toBe(1);
    expect(boxed.x[1]).toBe(0);
  });
});

describe('GpSampler', () => {
  const space: Record<string, Distribution> = { x: { kind: 'float', low: -5, high: 5 }, y: { kind: 'float', low: 1e-3, high: 10, log: true } };
  const bowl = (p: Readonly<Record<string, unknown>>) => ((p.x as number) - 1.3) ** 2 + (Math.log10(p.y as number) - 0.5) ** 2;

  it('finds the minimum of a smooth bowl within 25 trials (random search needs ~1000 for 1e-3)', () => {
    for (const seed of [1, 2]) {
      const trials = runSamplerLoop(new GpSampler({ seed }), space, 25, 'minimize', { value: bowl });
      expect(Math.min(...trials.map((t) => t.value!))).toBeLessThan(1e-3);
    }
  });

  it('on an integer space finds the optimum and never evaluates a point twice', () => {
    const ints: Record<string, Distribution> = { a: { kind: 'int', low: 0, high: 12 }, b: { kind: 'int', low: 0, high: 12 } };
    const trials = runSamplerLoop(new GpSampler({ seed: 5 }), ints, 30, 'minimize', { value: (p) => ((p.a as number) - 4) ** 2 + ((p.b as number) - 9) ** 2 });
    expect(new Set(trials.map((t) => `${t.params.a},${t.params.b}`)).size).toBe(30);
    expect(Math.min(...trials.map((t) => t.value!))).toBe(0);
  });

  it('maximizes, handles a categorical coordinate, and refuses bad options', () => {
    const mixed: Record<string, Distribution> = { x: { kind: 'float', low: 0, high: 1 }, c: { kind: 'categorical', choices: ['a', 'b', 'c'] } };
    const trials = runSamplerLoop(new GpSampler({ seed: 3 }), mixed, 25, 'maximize', { value: (p) => (p.c === 'b' ? 1 : 0) - ((p.x as number) - 0.7) ** 2 });
    const best = trials.reduce((a, b) => (b.value! > a.value! ? b : a));
    expect(best.params.c).toBe('b');
    expect(best.value).toBeGreaterThan(1 - 1e-3);
    expect(() => new GpSampler({ nStartupTrials: 0 })).toThrow(/nStartupTrials/);
  });
});
