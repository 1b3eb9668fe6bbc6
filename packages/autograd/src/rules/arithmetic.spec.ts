import { describe, expect, it } from 'vitest';
import { gradCheckCase, values } from '../gradcheck-harness.js';
import { f32 } from '../test-support.js';
import { backwardOps, relativeError } from './rule-spec-support.js';

describe('arithmetic and elementwise math gradients (finite differences, float64)', () => {
  for (const op of ['Add', 'Sub', 'Mul', 'Div']) {
    it(`${op} with broadcasting [2,3,4] ∘ [3,1] and [4]`, async () => {
      const r = await gradCheckCase({
        inputs: { x: f32([2, 3, 4], values(24, 3, 0.5, 1.5)) },
        params: { a: { dims: [3, 1], data: values(3, 4, 0.5, 1.5) }, c: { dims: [4], data: values(4, 5, 0.5, 1.5) } },
        build: (b) => b.op(op, [b.op(op, ['x', 'a']), 'c']),
      });
      expect(r.precision).toBe('double');
      expect(r.maxRelError).toBeLessThan(1e-6);
    });
  }
  it('Pow (both operands), Sqrt, Exp, Log, Neg, Reciprocal, Abs, Sum', async () => {
    const r = await gradCheckCase({
      inputs: { x: f32([3, 4], values(12, 7, 0.5, 2)) },
      params: { p: { dims: [4], data: values(4, 8, 0.5, 2.5) }, q: { dims: [1], data: [0.3] } },
      build: (b) => {
        const pw = b.op('Pow', ['x', 'p']);
        const s = b.op('Sqrt', [b.op('Exp', [b.op('Mul', [b.op('Log', ['x']), 'q'])])]);
        const r = b.op('Reciprocal', [b.op('Abs', [b.op('Neg', ['x'])])]);
        return b.op('Sum', [pw, s, r, 'q']);
      },
    });
    expect(r.maxRelError).toBeLessThan(1e-6);
  });
});

describe('Mul of x and Sigmoid(x) (SiLU)', () => {
  // ORT fuses x·Sigmoid(x) into com.microsoft QuickGelu, which has no float64 kernel, so the
  // finite differences of the fused form run in float32; the analytic gradients are also compared
  // with the product rule's (the same graph with one more, zero-weighted reader of Sigmoid(x)) in float64
  const x = f32([2, 3, 5], values(30, 9, -4, 4));
  const params = { w: { dims: [5], data: values(5, 10, 0.5, 1.5) } };
  it('is differentiated as one SiLU (no Sigmoid backward), as the product rule would', async () => {
    const fused = await gradCheckCase({
      inputs: { x },
      params,
      build: (b) => {
        const h = b.op('Mul', ['x', 'w']);
        return b.op('Mul', [b.op('Sigmoid', [h]), h]); // σ first: the gate may be either input
      },
    });
    for (const t of fused.tensors) expect(t.maxAbsError, t.name).toBeLessThan(5e-3);
    const productRule = await gradCheckCase({
      inputs: { x },
      params,
      build: (b) => {
        const h = b.op('Mul', ['x', 'w']);
        const s = b.op('Sigmoid', [h]);
        return b.op('Add', [b.op('Mul', [s, h]), b.op('Mul', [s, b.scalar(0)])]);
      },
    });
    expect(productRule.precision).toBe('double');
    expect(productRule.maxRelError).toBeLessThan(1e-6);
    for (const name of ['x', 'w']) expect(relativeError(fused.gradients[name]!.data as Float32Array, Array.from(productRule.gradients[name]!.data as Float64Array))).toBeLessThan(1e-6);
    const ops = await backwardOps((b) => b.op('Mul', ['x', b.op('Sigmoid', ['x'])]), { x: f32([2, 3], values(6, 11, -3, 3)) }, ['x']);
    expect(ops.slice(-4)).toEqual(['Sub', 'Mul', 'Add', 'Mul']); // after ReduceSum's backward (Reshape, Shape, Expand)
    expect(ops).toHaveLength(7);
  });
});
