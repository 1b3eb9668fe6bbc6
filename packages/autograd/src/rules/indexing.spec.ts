import { describe, expect, it } from 'vitest';
import { DataType, GraphBuilder, tensors, tensorValueInfo, type TensorValue } from '@anneal/onnx';
import { buildBackward } from '../backward.js';
import { defaultGradientRegistry } from '../default-registry.js';
import { BackwardError } from '../errors.js';
import { dynamicBatchError, gradCheckCase, values, type OpCase } from '../gradcheck-harness.js';
import { probeShapes } from '../probe-shapes.js';
import { f32, i64, nodeExecutor } from '../test-support.js';
import { modelToDouble, valueToDouble } from '../to-double.js';

const executor = nodeExecutor();
const worst: Record<string, number> = {};
const INT64_MAX = 9223372036854775807;
const INT64_MIN = -9223372036854775808;

async function check(op: string, c: OpCase): Promise<void> {
  const r = await gradCheckCase(c);
  expect(r.precision).toBe('double');
  worst[op] = Math.max(worst[op] ?? 0, r.maxRelError);
  expect(r.maxRelError).toBeLessThan(1e-6);
}


const joined = (b: GraphBuilder, outs: string[]) => b.op('Concat', outs.map((o) => b.op('Reshape', [o, b.ints([-1])])), { axis: 0 });

describe('indexing gradients (finite differences, float64)', () => {
  it('Slice with unit steps (Pad path): clamped INT64_MAX ends, negative starts/axes, default axes, int32 indices', () =>
    check('Slice', {
      params: { a: { dims: [4, 5] } },
      build: (b) => {
        const s32 = (name: string, v: number[]) => b.initializer(tensors.int32(name, [v.length], v));
        return joined(b, [
          b.op('Slice', ['a', b.ints([1, -4]), b.ints([INT64_MAX, 4]), b.ints([0, 1])]),
          b.op('Slice', ['a', b.ints([-100]), b.ints([3])]),
          b.op('Slice', ['a', b.ints([2]), b.ints([-1]), b.ints([-1]), b.ints([1])]),
          b.op('Slice', ['a', s32('s', [1, 0]), s32('e', [3, 100]), s32('ax', [-1, 0])]),
        ]);
      },
    }));
  it('Slice with negative and >1 steps (Scatter path)', () =>
    check('Slice', {
      params: { a: { dims: [4, 5] } },
      build: (b) =>
        joined(b, [
          b.op('Slice', ['a', b.ints([-1]), b.ints([INT64_MIN]), b.ints([0]), b.ints([-1])]),
          b.op('Slice', ['a', b.ints([0]), b.ints([100]), b.ints([1]), b.ints([2])]),
          b.op('Slice', ['a', b.ints([INT64_MAX, 0]), b.ints([0, 5]), b.ints([-1, 0]), b.ints([-2, 3])]),
        ]),
    }));
  it('Slice with starts/ends/axes/steps as fed (non-constant) inputs', () =>
    check('Slice', {
      params: { a: { dims: [3, 4, 5] } },
      inputs: { s: i64([2], [-1, 1]), e: i64([2], [0, INT64_MAX]), ax: i64([2], [-1, 0]), st: i64([2], [-2, 1]), s1: i64([1], [1]), e1: i64([1], [-1]), ax1: i64([1], [-2]) },
      build: (b) => joined(b, [b.op('Slice', ['a', 's', 'e', 'ax', 'st']), b.op('Slice', ['a', 's1', 'e1', 'ax1'])]),
    }));
  it('Gather axis 0 (embedding rows): repeated and negative ids accumulate, fed, constant and scalar ids', () =>
    check('Gather', {
      params: { w: { dims: [5, 3] } },
      inputs: { ids: i64([2, 3], [0, 2, -1, 2, 0, 4]) },
      build: (b) =>
        joined(b, [
          b.op('Gather', ['w', 'ids']),
          b.op('Gather', ['w', b.ints([3, 3, 1])]),
          b.op('Gather', ['w', b.scalar(-2, DataType.INT64)]),
        ]),
    }));
  it('Gather on axis 1 and -1 of a rank-3 tensor, with 2-D, 1-D and scalar indices', () =>
    check('Gather', {
      params: { a: { dims: [2, 4, 3] } },
      inputs: { ids: i64([2, 2], [1, -1, 1, 0]) },
      build: (b) =>
        joined(b, [
          b.op('Gather', ['a', 'ids'], { axis: 1 }),
          b.op('Gather', ['a', b.ints([2, 0, 2])], { axis: -1 }),
          b.op('Gather', ['a', b.scalar(3, DataType.INT64)], { axis: 1 }),
        ]),
    }));
  it('GatherElements on axes 0, 1 and -1 with repeated and negative indices', () =>
    check('GatherElements', {
      params: { a: { dims: [3, 4] } },
      inputs: { i0: i64([2, 4], [0, 2, -1, 1, 0, 0, 2, 1]), i1: i64([3, 3], [3, 3, 0, -1, 1, 2, 0, 0, 0]) },
      build: (b) =>
        joined(b, [
          b.op('GatherElements', ['a', 'i0'], { axis: 0 }),
          b.op('GatherElements', ['a', 'i1'], { axis: 1 }),
          b.op('GatherElements', ['a', 'i1'], { axis: -1 }),
        ]),
    }));
  it('Gather below opset 16 (no Scatter reduction) fails with a clear error', async () => {
    await expect(gradCheckCase({ opset: 15, params: { w: { dims: [3, 2] } }, build: (b) => b.op('Gather', ['w', b.ints([0, 0])]) })).rejects.toThrow(BackwardError);
    await expect(gradCheckCase({ opset: 15, params: { w: { dims: [3, 2] } }, build: (b) => b.op('Gather', ['w', b.ints([0, 0])]) })).rejects.toThrow(/opset 16/);
  });
  it('Slice takes the Pad path for unit steps and the index-grid Scatter path otherwise', async () => {
    const gradOps = async (steps: number[] | undefined) => {
      const b = new GraphBuilder({ opset: 17 });
      b.input('x', DataType.FLOAT, ['N', 5]);
      const y = b.op('Slice', ['x', b.ints([1]), b.ints([4]), b.ints([1]), ...(steps ? [b.ints(steps)] : [])]);
      const loss = b.op('ReduceSum', [y], { keepdims: 0 }, { output: 'loss' });
      b.output(loss, DataType.FLOAT, []);
      const model = b.build();
      const shapes = await probeShapes(model, { x: f32([2, 5], values(10, 1)) }, executor);
      const bw = buildBackward(model, { loss, wrt: ['x'], shapes, registry: defaultGradientRegistry() });
      return new Set(bw.model.graph.node.slice(model.graph.node.length).map((n) => n.opType));
    };
    for (const steps of [undefined, [1]]) {
      const ops = await gradOps(steps);
      expect(ops.has('Pad') && !ops.has('Range')).toBe(true);
    }
    const ops = await gradOps([2]);
    expect(ops.has('Range') && ops.has('ScatterElements') && !ops.has('Pad')).toBe(true);
  });
  it('rules read batch-dependent sizes at run time (probed at batch 2, run at batch 3)', async () => {
    const build = (b: GraphBuilder) => [
      b.op('Slice', ['x', b.ints([1, -4]), b.ints([INT64_MAX, 4]), b.ints([0, 1])]),
      b.op('Slice', ['x', b.ints([-1]), b.ints([INT64_MIN]), b.ints([0]), b.ints([-1])]),
      b.op('Gather', ['x', b.ints([0, 0, -1])]),
      b.op('Gather', ['x', b.ints([1, -1])], { axis: 1 }),
      b.op('GatherElements', ['x', 'idx'], { axis: 1 }),
    ];
    const probe = { x: f32([2, 5], values(10, 1)), idx: i64([2, 2], [0, 4, -1, 0]) };
    const run = { x: f32([3, 5], values(15, 2)), idx: i64([3, 2], [0, 4, -1, 0, 2, 2]) };
    const err = await dynamicBatchError(build, probe, run);
    worst['dynamic batch'] = err;
    expect(err).toBeLessThan(1e-6);
  });
  it('reports the worst relative error per op', () => {
    console.log(Object.entries(worst).map(([k, v]) => `${k}: ${v.toExponential(2)}`).join('\n'));
  });
});
