import { describe, expect, it } from 'vitest';
import { DataType, GraphBuilder, tensorValueInfo, type TensorValue } from '@anneal/onnx';
import { buildBackward } from '../backward.js';
import { defaultGradientRegistry } from '../default-registry.js';
import { dynamicBatchError, gradCheckCase, values, type OpCase } from '../gradcheck-harness.js';
import { probeShapes } from '../probe-shapes.js';
import { f32, i64, nodeExecutor } from '../test-support.js';
import { modelToDouble, valueToDouble } from '../to-double.js';

const executor = nodeExecutor();
const worst: Record<string, number> = {};

async function check(op: string, c: OpCase): Promise<void> {
  const r = await gradCheckCase(c);
  expect(r.precision).toBe('double');
  worst[op] = Math.max(worst[op] ?? 0, r.maxRelError);
  expect(r.maxRelError).toBeLessThan(1e-6);
}


describe('shape op gradients (finite differences, float64)', () => {
  // several variants in one graph: each output is flattened and concatenated, so every variant's gradient is checked
  const joined = (b: GraphBuilder, outs: string[]) => b.op('Concat', outs.map((o) => b.op('Reshape', [o, b.ints([-1])])), { axis: 0 });
  it('Flatten with axis 0, 1, 2, -1, -3', () =>
    check('Flatten', { params: { a: { dims: [2, 3, 4] } }, build: (b) => joined(b, [0, 1, 2, -1, -3].map((axis) => b.op('Flatten', [b.op('Mul', ['a', b.scalar(axis + 5)])], { axis }))) }));
  it('Reshape to [4,-1], [0,-1], [0,0,2,2], [-1]', () =>
    check('Reshape', {
      params: { a: { dims: [2, 3, 4] } },
      build: (b) => b.op('Mul', [joined(b, [[4, -1], [0, -1], [0, 0, 2, 2]].map((shape) => b.op('Reshape', ['a', b.ints(shape)]))), b.op('Reshape', [b.op('Concat', ['a', 'a', 'a'], { axis: 0 }), b.ints([-1])])]),
    }));
  it('Transpose default (reversed) and perm [1,2,0]', () =>
    check('Transpose', { params: { a: { dims: [2, 3, 4] } }, build: (b) => b.op('Transpose', [b.op('Transpose', ['a'])], { perm: [1, 2, 0] }) }));
  it('Squeeze with negative axes, Squeeze of all size-1 axes, Unsqueeze with negative axes', () =>
    check('Squeeze/Unsqueeze', {
      params: { a: { dims: [2, 1, 3, 1] }, c: { dims: [1, 3, 1] } },
      build: (b) => {
        const s = b.op('Squeeze', ['a', b.ints([1, -1])]);
        const u = b.op('Unsqueeze', [s, b.ints([0, -1])]);
        return b.op('Mul', [u, b.op('Unsqueeze', [b.op('Squeeze', ['c']), b.ints([0, 1, -1])])]);
      },
    }));
  it('Concat of 3 inputs on axis 0 and of 2 inputs on axis 1', () =>
    check('Concat', {
      params: { a: { dims: [2, 3] }, c: { dims: [1, 3] }, d: { dims: [3, 3] }, e: { dims: [2, 2] } },
      build: (b) => joined(b, [b.op('Concat', ['a', 'c', 'd'], { axis: 0 }), b.op('Concat', ['a', 'e'], { axis: 1 })]),
    }));
  it('Concat of 4 inputs on axis -1, two of them without gradients', () =>
    check('Concat', {
      params: { a: { dims: [2, 3, 2] }, c: { dims: [2, 3, 1] } },
      inputs: { x: f32([2, 3, 4], values(24, 3)), ids: i64([2, 3, 1], [1, 2, 3, 4, 5, 6]) },
      wrt: ['a', 'c'],
      build: (b) => b.op('Concat', ['x', 'a', b.op('Cast', ['ids'], { to: DataType.FLOAT }), 'c'], { axis: -1 }),
    }));
  it('Split with a split input on axis 1, only some outputs used', () =>
    check('Split', {
      params: { a: { dims: [2, 6] } },
      build: (b) => {
        const [p, , r] = b.node('Split', ['a', b.ints([1, 3, 2])], { axis: 1 }, { outputs: 3 });
        return b.op('Concat', [p!, r!], { axis: 1 });
      },
    }));
  it('Split equally on axis -1 (opset 17) and with num_outputs (opset 18)', async () => {
    await check('Split', {
      params: { a: { dims: [2, 3, 4] } },
      build: (b) => {
        const [p, q] = b.node('Split', ['a'], { axis: -1 }, { outputs: 2 });
        return b.op('Mul', [p!, q!]);
      },
    });
    await check('Split', {
      opset: 18,
      params: { a: { dims: [5, 2] } },
      build: (b) => {
        const [p, , r] = b.node('Split', ['a'], { axis: 0, num_outputs: 3 }, { outputs: 3 }); // sizes 2, 2, 1
        return b.op('Mul', [p!, b.op('Expand', [r!, b.ints([2, 2])])]);
      },
    });
  });
  it('Identity, Cast and CastLike (a cast to int64 stops the gradient)', () =>
    check('Identity/Cast', {
      params: { a: { dims: [3, 4], data: values(12, 5, -3, 3) }, t: { dims: [1] } },
      build: (b) => {
        const f = b.op('CastLike', [b.op('Cast', [b.op('Identity', ['a'])], { to: DataType.FLOAT }), 't']);
        const stopped = b.op('Cast', [b.op('Cast', ['a'], { to: DataType.INT64 })], { to: DataType.FLOAT });
        return b.op('Add', [b.op('Mul', [f, f]), stopped]);
      },
    }));
  it('Expand [3,1] and [4] to [2,3,4], [2,1,4] by a lower-rank shape', () =>
    check('Expand', {
      params: { a: { dims: [3, 1] }, c: { dims: [4] }, d: { dims: [2, 1, 4] } },
      build: (b) => {
        const e = b.op('Add', [b.op('Expand', ['a', b.ints([2, 3, 4])]), b.op('Expand', ['c', b.ints([2, 3, 4])])]);
        return b.op('Mul', [e, b.op('Expand', ['d', b.ints([3, 1])])]);
      },
    }));
  it('Tile with constant repeats [2,1], [1,4,2] and all-ones, and with fed repeats', () =>
    check('Tile', {
      params: { a: { dims: [2, 3] }, c: { dims: [2, 1, 3] }, d: { dims: [2, 3] } },
      inputs: { reps: i64([2], [3, 2]) },
      build: (b) => {
        const t1 = b.op('Tile', [b.op('Tile', ['a', b.ints([1, 1])]), b.ints([2, 1])]); // [4,3]
        const t2 = b.op('Tile', ['c', b.ints([1, 4, 2])]); // [2,4,6]
        const t3 = b.op('Tile', ['d', 'reps']); // [6,6]
        return b.op('Add', [b.op('Mul', [b.op('Reshape', [t1, b.ints([2, 6])]), b.op('ReduceSum', [t2, b.ints([1])], { keepdims: 0 })]), b.op('Slice', [t3, b.ints([0]), b.ints([2]), b.ints([0])])]);
      },
    }));
  it('Pad constant mode with a differentiated constant value and pads as a fed input', () =>
    check('Pad', {
      params: { a: { dims: [2, 3, 2] }, v: { dims: [], data: [0.37] } },
      inputs: { pads: i64([6], [1, 0, 2, 0, 3, 1]) },
      build: (b) => b.op('Pad', ['a', 'pads', 'v']),
    }));
  it('Pad with negative pads (cropping) and with an axes input (opset 18)', async () => {
    await check('Pad', { params: { a: { dims: [3, 4] } }, build: (b) => b.op('Pad', ['a', b.ints([1, -1, -2, 2])]) });
    await check('Pad', { opset: 18, params: { a: { dims: [2, 3, 4] }, v: { dims: [1] } }, build: (b) => b.op('Pad', ['a', b.ints([2, 1]), 'v', b.ints([-2])]) });
  });
  it('Pad in reflect mode is refused with a clear error', async () => {
    await expect(gradCheckCase({ params: { a: { dims: [3, 4] } }, build: (b) => b.op('Pad', ['a', b.ints([0, 1, 0, 1])], { mode: 'reflect' }) })).rejects.toThrow(/mode 'reflect'/);
  });
  it('Where with broadcasting; the condition gets no gradient', () =>
    check('Where', {
      params: { a: { dims: [3, 1] }, c: { dims: [4] } },
      inputs: { x: f32([2, 3, 4], values(24, 9)) },
      wrt: ['a', 'c'],
      build: (b) => b.op('Where', [b.op('Greater', ['x', b.scalar(0)]), 'a', 'c']),
    }));
  it('rules read batch-dependent sizes at run time (probed at batch 2, run at batch 3)', async () => {
    const build = (b: GraphBuilder) => {
      const t = b.op('Tile', ['x', b.ints([2, 1])]); // [2N,3]
      const c = b.op('Concat', ['x', t], { axis: 0 }); // [3N,3]
      const [s0, , s2] = b.node('Split', [c], { axis: 0 }, { outputs: 3 });
      const e = b.op('Expand', [b.op('Unsqueeze', ['x', b.ints([1])]), b.ints([1, 2, 1])]); // [N,2,3]
      const p = b.op('Pad', [e, b.ints([1, 0, 0, 0, 1, 0])]); // [N+1,3,3]
      const f = b.op('Flatten', [b.op('Transpose', [p], { perm: [2, 0, 1] })], { axis: 1 });
      return [b.op('Mul', [s0!, s2!]), f];
    };
    const err = await dynamicBatchError(build, { x: f32([2, 3], values(6, 1)) }, { x: f32([3, 3], values(9, 2)) });
    worst['dynamic batch'] = err;
    expect(err).toBeLessThan(1e-6);
  });
  it('reports the worst relative error per op', () => {
    console.log(Object.entries(worst).map(([k, v]) => `${k}: ${v.toExponential(2)}`).join('\n'));
  });
});
