import { seededRandom } from '@anneal/data';
import { describe, expect, it } from 'vitest';
import type { Distribution } from '../types.js';
import { ParzenEstimator, erfc, fromKernel, kernelSpace, normalMass, toKernel } from './parzen-estimator.js';

const options = { priorWeight: 1, considerEndpoints: false, multivariate: false, bandwidthWeighted: true };

/** Trapezoid integral of exp(logPdf) over the 1-D kernel range. */
function integrate(est: ParzenEstimator, low: number, high: number, n = 20001): number {
  const xs = Float64Array.from({ length: n }, (_, i) => low + ((high - low) * i) / (n - 1));
  const p = est.logPdf([xs], n).map(Math.exp);
  let sum = 0;
  for (let i = 1; i < n; i++) sum += 0.5 * (p[i]! + p[i - 1]!) * (xs[i]! - xs[i - 1]!);
  return sum;
}

describe('erfc and normalMass', () => {
  it('match reference values to 1.2e-7 relative error', () => {
    const ref: [number, number][] = [
      [0, 1],
      [0.5, 0.4795001221869535],
      [1, 0.15729920705028513],
      [2, 0.004677734981047266],
      [3, 2.209049699858544e-5],
      [-1, 1.8427007929497148],
    ];
    for (const [x, v] of ref) expect(Math.abs(erfc(x) - v) / v).toBeLessThan(1.2e-7);
    expect(normalMass(-1, 1)).toBeCloseTo(0.6826894921370859, 6);
    expect(normalMass(2, 3)).toBeCloseTo(0.0214002339165491, 8);
    expect(normalMass(-3, -2)).toBeCloseTo(0.0214002339165491, 8);
  });
});

describe('kernel coordinates', () => {
  it('widen int and step ranges by half a step, use logs for log ranges, and snap back', () => {
    const i: Distribution = { kind: 'int', low: 0, high: 10, step: 2 };
    expect(kernelSpace(i)).toMatchObject({ low: -1, high: 11 });
    expect(fromKernel(kernelSpace(i), 4.9)).toBe(4);
    const l: Distribution = { kind: 'int', low: 1, high: 100, log: true };
    expect(kernelSpace(l)).toMatchObject({ low: Math.log(0.5), high: Math.log(100.5) });
    expect(fromKernel(kernelSpace(l), toKernel(kernelSpace(l), 37))).toBe(37);
    const c: Distribution = { kind: 'categorical', choices: ['a', 'b', 'c'] };
    expect(fromKernel(kernelSpace(c), 2.2)).toBe(2);
  });
});

describe('ParzenEstimator', () => {
  it('with no observations is the prior: a Gaussian centred on the range, sigma = range, truncated to it', () => {
    const est = new ParzenEstimator([kernelSpace({ kind: 'float', low: 0, high: 1 })], [new Float64Array()], new Float64Array(), options);
    // phi(-0.3) / (Phi(0.5) - Phi(-0.5))
    const expected = Math.exp(-0.5 * 0.09) / Math.sqrt(2 * Math.PI) / 0.3829249225480262;
    expect(Math.exp(est.logPdf([Float64Array.of(0.2)], 1)[0]!)).toBeCloseTo(expected, 6);
  });

  it('univariate bandwidths: distance to the farther neighbour, prior sigma = range, clipped to [range / min(100, 1 + kernels), range]', () => {
    const tn = (x: number, mu: number, s: number) => Math.exp(-0.5 * ((x - mu) / s) ** 2) / (s * Math.sqrt(2 * Math.PI) * normalMass(-mu / s, (1 - mu) / s));
    // centres 0.2, 0.6 and the prior 0.5 on [0, 1]; min sigma = 1 / 4
    const cases = [
      { considerEndpoints: false, s02: 0.3, s06: 0.25 }, // 0.2 -> right gap 0.3; 0.6 -> left gap 0.1, clipped
      { considerEndpoints: true, s02: 0.3, s06: 0.4 }, // 0.2 -> max(0.2, 0.3); 0.6 -> max(0.1, 0.4)
    ];
    for (const { considerEndpoints, s02, s06 } of cases) {
      const est = new ParzenEstimator([kernelSpace({ kind: 'float', low: 0, high: 1 })], [Float64Array.of(0.2, 0.6)], Float64Array.of(1, 1), { ...options, considerEndpoints });
      for (const x of [0, 0.3, 0.77]) {
        const expected = (tn(x, 0.2, s02) + tn(x, 0.6, s06) + tn(x, 0.5, 1)) / 3;
        expect(Math.exp(est.logPdf([Float64Array.of(x)], 1)[0]!)).toBeCloseTo(expected, 10);
      }
    }
  });

  it('logScore weighs each kernel by its bandwidth (matches Optuna 3.1 TPE log_pdf values), or is logPdf when not bandwidth-weighted', () => {
    const tn = (x: number, mu: number, s: number) => Math.exp(-0.5 * ((x - mu) / s) ** 2) / (s * Math.sqrt(2 * Math.PI) * normalMass(-mu / s, (1 - mu) / s));
    const space = [kernelSpace({ kind: 'float', low: 0, high: 1 })];
    const obs = [Float64Array.of(0.2, 0.6)];
    const weighted = new ParzenEstimator(space, obs, Float64Array.of(1, 1), options);
    const plain = new ParzenEstimator(space, obs, Float64Array.of(1, 1), { ...options, bandwidthWeighted: false });
    const xs = Float64Array.of(0, 0.3, 0.77);
    // reference: Optuna 3.1.0 _ParzenEstimator(...).log_pdf for observations 0.2, 0.6 on [0, 1] (sigmas 0.3, 0.25, prior 1)
    const optuna31 = [-0.7817139138111766, -0.5470881368650079, -0.7404849253436612];
    const score = weighted.logScore([xs], 3);
    xs.forEach((x, i) => {
      expect(Math.exp(score[i]!)).toBeCloseTo((0.3 * tn(x, 0.2, 0.3) + 0.25 * tn(x, 0.6, 0.25) + tn(x, 0.5, 1)) / 3, 10);
      expect(score[i]!).toBeCloseTo(optuna31[i]!, 6);
    });
    expect([...plain.logScore([xs], 3)]).toEqual([...plain.logPdf([xs], 3)]);
    expect([...weighted.logPdf([xs], 3)]).toEqual([...plain.logPdf([xs], 3)]);
  });

  it('logScore of ints and steps is the log probability of the grid cell (matches Optuna 3.1 TPE log_pdf values)', () => {
    const ints = new ParzenEstimator([kernelSpace({ kind: 'int', low: 1, high: 10 })], [Float64Array.of(2, 3, 3, 8)], Float64Array.of(1, 1, 1, 1), options);
    const steps = new ParzenEstimator([kernelSpace({ kind: 'float', low: 0, high: 0.5, step: 0.05 })], [Float64Array.of(0.1, 0.25, 0.3)], Float64Array.of(1, 1, 1), options);
    // reference: Optuna 3.1.0 _ParzenEstimator(...).log_pdf for IntDistribution(1, 10) and FloatDistribution(0, 0.5, step=0.05)
    const intRef = [-2.1135754513891567, -1.8185779237480255, -2.263374574240211, -3.0545027792544013];
    const stepRef = [-2.735303127024834, -2.071474550842247, -3.2044100821350585];
    ints.logScore([Float64Array.of(1, 3, 5, 10)], 4).forEach((v, i) => expect(v).toBeCloseTo(intRef[i]!, 6));
    steps.logScore([Float64Array.of(0, 0.25, 0.5)], 3).forEach((v, i) => expect(v).toBeCloseTo(stepRef[i]!, 6));
    // cell probabilities of every grid value sum to 1
    const all = Float64Array.from({ length: 10 }, (_, i) => i + 1);
    expect(ints.logScore([all], 10).reduce((sum, v) => sum + Math.exp(v), 0)).toBeCloseTo(1, 6);
  });

  it('is a density: integrates to 1 over the range (univariate and multivariate bandwidths)', () => {
    const obs = Float64Array.of(0.05, 0.3, 0.31, 0.9, 1.7, 1.95);
    const w = Float64Array.of(0.2, 1, 1, 1, 0.5, 1);
    for (const multivariate of [false, true]) {
      const est = new ParzenEstimator([kernelSpace({ kind: 'float', low: 0, high: 2 })], [obs], w, { ...options, multivariate });
      expect(integrate(est, 0, 2)).toBeCloseTo(1, 5);
    }
  });

  it('categorical probabilities sum to 1 and favour observed choices: (1 + pw/k) / (1 + pw) per kernel', () => {
    const est = new ParzenEstimator([kernelSpace({ kind: 'categorical', choices: ['a', 'b', 'c', 'd'] })], [Float64Array.of(1, 1, 3)], new Float64Array(3).fill(1), options);
    const p = [...est.logPdf([Float64Array.of(0, 1, 2, 3)], 4)].map(Math.exp);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    // weights 1/4 per kernel (3 observations + prior); hit 1.25/2, miss 0.25/2, prior 1/4
    const hit = 1.25 / 2;
    const miss = 0.25 / 2;
    expect(p[1]).toBeCloseTo((2 * hit + miss + 0.25) / 4, 12);
    expect(p[0]).toBeCloseTo((3 * miss + 0.25) / 4, 12);
  });

  it('draws follow its density (bucket frequencies within 3 sigma of the integrated mass) and stay in range', () => {
    const est = new ParzenEstimator([kernelSpace({ kind: 'float', low: -1, high: 1 })], [Float64Array.of(-0.9, -0.5, 0.6)], Float64Array.of(1, 1, 1), options);
    const n = 20000;
    const draws = est.sample(seededRandom(4), n)[0]!;
    for (const x of draws) expect(x >= -1 && x <= 1).toBe(true);
    for (let b = 0; b < 4; b++) {
      const lo = -1 + 0.5 * b;
      const hi = lo + 0.5;
      const mass = integrate(est, lo, hi, 4001);
      const freq = draws.filter((x) => x >= lo && x < hi).length / n;
      expect(Math.abs(freq - mass)).toBeLessThan(3 * Math.sqrt((mass * (1 - mass)) / n));
    }
  });

  it('multivariate: one component per draw ties the dimensions together', () => {
    // two tight clusters on the diagonal: a joint model keeps draws near it, far more than independent models would
    const a = Float64Array.from({ length: 40 }, (_, i) => (i % 2 ? 0.1 : 0.9));
    const space = kernelSpace({ kind: 'float', low: 0, high: 1 });
    const est = new ParzenEstimator([space, space], [a, a], new Float64Array(40).fill(1), { ...options, multivariate: true });
    const [x, y] = est.sample(seededRandom(1), 2000);
    const offDiagonal = x!.filter((v, k) => Math.abs(v - y![k]!) > 0.5).length / 2000;
    expect(offDiagonal).toBeLessThan(0.1); // independent models: about 0.45
  });
});
