import { describe, expect, it } from 'vitest';
import { gradCheckCase, values } from '../gradcheck-harness.js';
import { f32 } from '../test-support.js';

describe('MatMul and Gemm gradients (finite differences, float64)', () => {
  it('MatMul 2-D x 2-D', async () => {
    const r = await gradCheckCase({ inputs: { x: f32([3, 4], values(12, 1)) }, params: { w: { dims: [4, 5] } }, build: (b) => b.op('MatMul', ['x', 'w']) });
    expect(r.maxRelError).toBeLessThan(1e-6);
  });
  it('MatMul batched 3-D x 2-D weight (Gemm path) and 3-D x 3-D with batch broadcast', async () => {
    const r = await gradCheckCase({
      inputs: { x: f32([2, 3, 4], values(24, 2)) },
      params: { w: { dims: [4, 5] }, v: { dims: [1, 5, 2] } },
      build: (b) => b.op('MatMul', [b.op('MatMul', ['x', 'w']), 'v']),
    });
    expect(r.maxRelError).toBeLessThan(1e-6);
  });
  it('MatMul with vectors on either side', async () => {
    const r = await gradCheckCase({
      inputs: { x: f32([2, 3, 4], values(24, 3)) },
      params: { u: { dims: [4] }, v: { dims: [2] }, m: { dims: [2, 3] } },
      build: (b) => b.op('MatMul', ['v', b.op('Mul', [b.op('MatMul', ['x', 'u']), 'm'])]),
    });
    expect(r.maxRelError).toBeLessThan(1e-6);
  });
  for (const [tA, tB] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) {
    it(`Gemm transA=${tA} transB=${tB} alpha=0.7 beta=1.3 with broadcast bias`, async () => {
      const r = await gradCheckCase({
        params: { a: { dims: tA ? [4, 3] : [3, 4] }, w: { dims: tB ? [5, 4] : [4, 5] }, c: { dims: [5] } },
        build: (b) => b.op('Gemm', ['a', 'w', 'c'], { alpha: 0.7, beta: 1.3, transA: tA, transB: tB }),
      });
      expect(r.maxRelError).toBeLessThan(1e-6);
    });
  }
});
