import { describe, expect, it } from 'vitest';
import { dynamicBatchError, gradCheckCase, values } from '../gradcheck-harness.js';
import { f32 } from '../test-support.js';

describe('reduction gradients (finite differences, float64)', () => {
  const x = () => ({ x: f32([2, 3, 4], values(24, 21, -2, 2)) });
  for (const op of ['ReduceSum', 'ReduceMean', 'ReduceSumSquare', 'ReduceL2', 'ReduceMax', 'ReduceMin']) {
    for (const [axes, keepdims] of [[[1], 1], [[0, 2], 0], [[-1], 0], [undefined, 0], [undefined, 1]] as const) {
      it(`${op} axes=${axes ? `[${axes}]` : 'all'} keepdims=${keepdims}`, async () => {
        const r = await gradCheckCase({
          inputs: x(),
          opset: op === 'ReduceSum' ? 17 : 18, // opset 18: axes as an input for every Reduce*
          build: (b) => b.op(op, axes ? ['x', b.ints([...axes])] : ['x'], { keepdims }),
        });
        expect(r.precision).toBe('double');
        expect(r.maxRelError).toBeLessThan(1e-6);
      });
    }
  }
  it('ReduceMean with the axes attribute (opset 17) over the batch axis', async () => {
    const r = await gradCheckCase({ inputs: x(), opset: 17, build: (b) => b.op('ReduceMean', ['x'], { axes: [0, 1], keepdims: 0 }) });
    expect(r.maxRelError).toBeLessThan(1e-6);
  });
  it('ReduceMean/ReduceSum/ReduceMax built at batch 2 and run at batch 3', async () => {
    const err = await dynamicBatchError(
      (b) => [b.op('ReduceMean', ['x'], { axes: [0], keepdims: 0 }), b.op('ReduceSum', ['x', b.ints([0, 1])], { keepdims: 1 }), b.op('ReduceMax', ['x'], { axes: [1], keepdims: 0 })],
      { x: f32([2, 3], values(6, 1)) },
      { x: f32([3, 3], values(9, 2)) },
    );
    expect(err).toBeLessThan(1e-6);
  });
  it('ReduceSum with noop_with_empty_axes=1 and empty axes is the identity', async () => {
    const r = await gradCheckCase({ inputs: x(), build: (b) => b.op('ReduceSum', ['x', b.ints([])], { noop_with_empty_axes: 1 }) });
    expect(r.maxRelError).toBeLessThan(1e-6);
  });
});
