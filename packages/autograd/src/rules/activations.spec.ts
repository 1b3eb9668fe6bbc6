import { describe, expect, it } from 'vitest';
import type { GraphBuilder } from '@anneal/onnx';
import { gradCheckCase, values } from '../gradcheck-harness.js';
import { f32 } from '../test-support.js';

/** Values in [lo, hi) kept at least `gap` away from the kinks of piecewise ops. */
function awayFrom(n: number, seed: number, lo: number, hi: number, kinks: number[], gap = 0.05): number[] {
  return values(n, seed, lo, hi).map((v) => {
    for (const k of kinks) if (Math.abs(v - k) < gap) return v < k ? k - gap : k + gap;
    return v;
  });
}

interface ActivationCase {
  name: string;
  build: (b: GraphBuilder) => string;
  lo?: number;
  hi?: number;
  kinks?: number[];
  opset?: number;
  /** 'double' when ORT 1.30 CPU has a float64 kernel for the op; 'float' when the check falls back. */
  precision: 'double' | 'float';
}

const cases: ActivationCase[] = [
  { name: 'Relu', build: (b) => b.op('Relu', ['x']), kinks: [0], precision: 'double' },
  { name: 'LeakyRelu alpha=0.1', build: (b) => b.op('LeakyRelu', ['x'], { alpha: 0.1 }), kinks: [0], precision: 'double' },
  { name: 'LeakyRelu default alpha', build: (b) => b.op('LeakyRelu', ['x']), kinks: [0], precision: 'double' },
  { name: 'LeakyRelu alpha=-0.5 (mask from X: Y > 0 on both sides)', build: (b) => b.op('LeakyRelu', ['x'], { alpha: -0.5 }), kinks: [0], precision: 'double' },
  { name: 'Sigmoid', build: (b) => b.op('Sigmoid', ['x']), lo: -4, hi: 4, precision: 'double' },
  { name: 'Tanh', build: (b) => b.op('Tanh', ['x']), lo: -3, hi: 3, precision: 'double' },
  { name: 'Erf', build: (b) => b.op('Erf', ['x']), lo: -2, hi: 2, precision: 'float' },
  { name: 'Gelu erf form (opset 20)', build: (b) => b.op('Gelu', ['x']), lo: -3, hi: 3, opset: 20, precision: 'float' },
  { name: "Gelu approximate='tanh' (opset 20)", build: (b) => b.op('Gelu', ['x'], { approximate: 'tanh' }), lo: -3, hi: 3, opset: 20, precision: 'double' },
  { name: 'HardSigmoid alpha=0.3 beta=0.4', build: (b) => b.op('HardSigmoid', ['x'], { alpha: 0.3, beta: 0.4 }), lo: -4, hi: 4, kinks: [-0.4 / 0.3, 0.6 / 0.3], precision: 'float' },
  { name: 'HardSigmoid defaults', build: (b) => b.op('HardSigmoid', ['x']), lo: -4, hi: 4, kinks: [-2.5, 2.5], precision: 'float' },
  { name: 'HardSwish', build: (b) => b.op('HardSwish', ['x']), lo: -5, hi: 5, kinks: [-3, 3], opset: 14, precision: 'float' },
  { name: 'Clip ReLU6 (constant min 0, max 6)', build: (b) => b.op('Clip', ['x', b.scalar(0), b.scalar(6)]), lo: -2, hi: 8, kinks: [0, 6], precision: 'double' },
  { name: 'Clip max only', build: (b) => b.op('Clip', ['x', '', b.scalar(0.5)]), kinks: [0.5], precision: 'double' },
  { name: 'Clip min only', build: (b) => b.op('Clip', ['x', b.scalar(-0.5)]), kinks: [-0.5], precision: 'double' },
  { name: 'Clip without bounds', build: (b) => b.op('Clip', ['x']), precision: 'double' },
  { name: 'Elu alpha=0.7', build: (b) => b.op('Elu', ['x'], { alpha: 0.7 }), lo: -3, hi: 2, kinks: [0], precision: 'float' },
  { name: 'Selu defaults', build: (b) => b.op('Selu', ['x']), lo: -3, hi: 2, kinks: [0], precision: 'float' },
  { name: 'Selu alpha=1.2 gamma=0.9', build: (b) => b.op('Selu', ['x'], { alpha: 1.2, gamma: 0.9 }), lo: -3, hi: 2, kinks: [0], precision: 'float' },
  { name: 'Celu alpha=0.8', build: (b) => b.op('Celu', ['x'], { alpha: 0.8 }), lo: -3, hi: 2, kinks: [0], precision: 'float' },
  { name: 'Softplus', build: (b) => b.op('Softplus', ['x']), lo: -4, hi: 4, precision: 'float' },
  { name: 'Softsign', build: (b) => b.op('Softsign', ['x']), lo: -3, hi: 3, kinks: [0], precision: 'float' },
  { name: 'Mish (opset 18)', build: (b) => b.op('Mish', ['x']), lo: -4, hi: 4, opset: 18, precision: 'double' },
  { name: 'Sin', build: (b) => b.op('Sin', ['x']), lo: -3, hi: 3, precision: 'double' },
  { name: 'Cos', build: (b) => b.op('Cos', ['x']), lo: -3, hi: 3, precision: 'double' },
];

describe('activation gradients (finite differences)', () => {
  for (const c of cases) {
    const tol = c.precision === 'double' ? 1e-6 : 1e-2;
    it(`${c.name} (${c.precision}, maxRelError < ${tol})`, async () => {
      const r = await gradCheckCase({
        inputs: { x: f32([2, 4], awayFrom(8, c.name.length * 7 + 1, c.lo ?? -2, c.hi ?? 2, c.kinks ?? [])) },
        build: c.build,
        opset: c.opset,
      });
      expect(r.precision).toBe(c.precision);
      expect(r.maxRelError).toBeLessThan(tol);
    });
  }

  it('Clip with min and max as differentiated tensors (double)', async () => {
    const r = await gradCheckCase({
      inputs: { x: f32([4, 6], awayFrom(24, 5, -2, 2, [-0.6, 0.7])) },
      params: { lo: { dims: [], data: [-0.6] }, hi: { dims: [], data: [0.7] } },
      build: (b) => b.op('Clip', ['x', 'lo', 'hi']),
    });
    expect(r.precision).toBe('double');
    expect(r.maxRelError).toBeLessThan(1e-6);
  });

  for (const slope of [[3, 1], [4], [1]]) {
    it(`PRelu with slope [${slope}] broadcast to [2,3,4], gradient for the slope too (double)`, async () => {
      const n = slope.reduce((p, q) => p * q, 1);
      const r = await gradCheckCase({
        inputs: { x: f32([2, 3, 4], awayFrom(24, 9, -2, 2, [0])) },
        params: { slope: { dims: slope, data: values(n, 3, 0.05, 0.5) } },
        build: (b) => b.op('PRelu', ['x', 'slope']),
      });
      expect(r.precision).toBe('double');
      expect(r.maxRelError).toBeLessThan(1e-6);
    });
  }
});
