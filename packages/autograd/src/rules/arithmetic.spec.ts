import { describe, expect, it } from 'vitest';
import { gradCheckCase, values } from '../gradcheck-harness.js';
import { f32 } from '../test-support.js';

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
