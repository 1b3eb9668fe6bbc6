import { describe, expect, it } from 'vitest';
import { DataType, GraphBuilder, tensors, tensorValueInfo } from '@anneal/onnx';
import { gradCheckCase, values } from '../gradcheck-harness.js';
import { buildBackward } from '../backward.js';
import { defaultGradientRegistry } from '../default-registry.js';
import { probeShapes } from '../probe-shapes.js';
import { f32, nodeExecutor } from '../test-support.js';

// Values are drawn from disjoint-enough pseudo-random sets, so no two inputs tie at a checked point
// (and the ±1e-6 finite-difference steps never cross a tie); ties are tested separately below.

describe('Max, Min, Mean gradients (finite differences; float64 where ORT has the kernels)', () => {
  for (const op of ['Max', 'Min']) {
    it(`${op} of two inputs with broadcasting [2,3,4] and [3,1]`, async () => {
      const r = await gradCheckCase({
        inputs: { x: f32([2, 3, 4], values(24, 81, -1, 1)) },
        params: { a: { dims: [3, 1], data: [-0.31, 0.07, 0.42] } },
        build: (b) => b.op(op, ['x', 'a']),
      });
      expect(r.precision).toBe('double');
      expect(r.maxRelError).toBeLessThan(1e-6);
    });
    it(`${op} of three inputs ([2,3], [3], [2,1]) and of one input`, async () => {
      const r = await gradCheckCase({
        inputs: { x: f32([2, 3], values(6, 82, -1, 1)) },
        params: { a: { dims: [3], data: [-0.23, 0.11, 0.37] }, c: { dims: [2, 1], data: [-0.05, 0.29] } },
        build: (b) => b.op('Add', [b.op(op, ['x', 'a', 'c']), b.op(op, ['x'])]),
        samplesPerTensor: 6,
      });
      expect(r.maxRelError).toBeLessThan(1e-6);
    });
  }

  it('Mean of three inputs with broadcasting', async () => {
    const r = await gradCheckCase({
      inputs: { x: f32([2, 3, 4], values(24, 83)) },
      params: { a: { dims: [4], data: values(4, 84) }, c: { dims: [3, 1], data: values(3, 85) } },
      build: (b) => b.op('Mean', ['x', 'a', 'c']),
    });
    // ORT has no float64 Mean kernel: float32 differences of a linear op, bounded absolutely
    expect(r.precision).toBe('float');
    for (const t of r.tensors) expect(t.maxAbsError, t.name).toBeLessThan(2e-3);
  });

  it('ties split dY evenly between the tied inputs (gradients still sum to dY)', async () => {
    const b = new GraphBuilder({ opset: 17 });
    b.input('x', DataType.FLOAT, [4]);
    b.initializer(tensors.float('a', [4], [1, 2, 3, 4]));
    b.initializer(tensors.float('c', [4], [1, 0, 3, 5]));
    const loss = b.op('ReduceSum', [b.op('Max', ['x', 'a', 'c'])], { keepdims: 0 }, { output: 'loss' });
    b.output(loss, DataType.FLOAT, []);
    const model = b.build();
    const feeds = { x: f32([4], [1, 2, 0, 4]) };
    const executor = nodeExecutor();
    const bw = buildBackward(model, { loss, wrt: ['x', 'a', 'c'], shapes: await probeShapes(model, feeds, executor), registry: defaultGradientRegistry() });
    bw.model.graph.output = ['x', 'a', 'c'].map((t) => tensorValueInfo(bw.gradients[t]!, DataType.FLOAT));
    const out = await executor.run(bw.model, feeds);
    const g = (t: string) => Array.from(out[bw.gradients[t]!]!.data as Float32Array);
    // column 0: x = a = c (3-way tie); 1: x = a; 2: a = c; 3: c wins alone
    expect(g('x')).toEqual([1 / 3, 0.5, 0, 0].map(Math.fround));
    expect(g('a')).toEqual([1 / 3, 0.5, 0.5, 0].map(Math.fround));
    expect(g('c')).toEqual([1 / 3, 0, 0.5, 1].map(Math.fround));
  });
});

describe('zero-gradient ops', () => {
  for (const op of ['Floor', 'Ceil', 'Round', 'Sign']) {
    it(`${op}: zeros of the input's shape (away from its jumps)`, async () => {
      // x·2 + op(x)·3: op contributes nothing, which finite differences confirm (a wrong nonzero rule
      // would be off by 3·weight); the float64 steps of 1e-6 never cross a jump at these values
      const x = values(12, 86, -3, 3).map((v) => (Math.abs(v - Math.round(v)) < 0.01 || Math.abs(Math.abs(v - Math.trunc(v)) - 0.5) < 0.01 ? v + 0.05 : v));
      const r = await gradCheckCase({
        inputs: { x: f32([3, 4], x) },
        build: (b) => b.op('Add', [b.op('Mul', ['x', b.scalar(2)]), b.op('Mul', [b.op(op, ['x']), b.scalar(3)])]),
      });
      expect(r.precision).toBe('double');
      expect(r.maxRelError).toBeLessThan(1e-6);
    });
  }
});
