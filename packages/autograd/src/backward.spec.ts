import { describe, expect, it } from 'vitest';
import { DataType, GraphBuilder, tensors, tensorValueInfo } from '@anneal/onnx';
import { buildBackward } from './backward.js';
import { defaultGradientRegistry } from './default-registry.js';
import { BackwardError, UnsupportedGradientError } from './errors.js';
import { gradCheckCase, values } from './gradcheck-harness.js';
import { probeShapes } from './probe-shapes.js';
import { GradientRegistry } from './registry.js';
import { f32, nodeExecutor } from './test-support.js';

const executor = nodeExecutor();

function graphWith(op: string) {
  const b = new GraphBuilder({ opset: 17 });
  b.input('x', DataType.FLOAT, ['N', 3]);
  b.initializer(tensors.float('w', [3, 3], values(9, 1)));
  b.initializer(tensors.float('frozen', [3], values(3, 2)));
  const h = b.op('MatMul', ['x', 'w'], {}, { name: 'first_matmul' });
  const odd = b.op(op, [h], op === 'Einsum' ? { equation: 'ij->ij' } : {}, { name: 'the_odd_node' });
  const loss = b.op('ReduceSum', [b.op('Add', [odd, 'frozen'])], { keepdims: 0 }, { output: 'loss' });
  b.output(loss, DataType.FLOAT, []);
  return b.build();
}

describe('buildBackward', () => {
  it('names the op, the node and the path from the trainable tensor to the loss when a rule is missing', async () => {
    const model = graphWith('Einsum');
    const shapes = await probeShapes(model, { x: f32([2, 3], values(6, 3)) }, executor);
    let error: unknown;
    try {
      buildBackward(model, { loss: 'loss', wrt: ['w'], shapes, registry: defaultGradientRegistry() });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnsupportedGradientError);
    const e = error as UnsupportedGradientError;
    expect(e.opType).toBe('Einsum');
    expect(e.nodeName).toBe('the_odd_node');
    expect(e.path[0]).toBe('w');
    expect(e.path).toContain('MatMul(first_matmul)');
    expect(e.path).toContain('Einsum(the_odd_node)');
    expect(e.path[e.path.length - 1]).toBe('loss');
    expect(e.message).toMatch(/no gradient rule for op Einsum \(node 'the_odd_node'\).*w -> MatMul\(first_matmul\) -> .* -> loss/);
  });

  it('does not need rules for ops off the path (only the frozen tensor flows through them)', async () => {
    const b = new GraphBuilder({ opset: 17 });
    b.input('x', DataType.FLOAT, ['N', 3]);
    b.initializer(tensors.float('w', [3], values(3, 1)));
    const frozenPart = b.op('Einsum', ['x'], { equation: 'ij->ij' }); // no rule, but nothing trainable flows through it
    const loss = b.op('ReduceSum', [b.op('Mul', [frozenPart, 'w'])], { keepdims: 0 }, { output: 'loss' });
    b.output(loss, DataType.FLOAT, []);
    const model = b.build();
    const shapes = await probeShapes(model, { x: f32([2, 3], values(6, 3)) }, executor);
    const r = buildBackward(model, { loss, wrt: ['w'], shapes, registry: defaultGradientRegistry() });
    expect(r.differentiated.map((n) => n.opType)).toEqual(['Mul', 'ReduceSum']);
  });

  it('sums the gradients of a tensor used several times, and gives zeros (listed as unreachable) for unused ones', async () => {
    const r = await gradCheckCase({
      params: { w: { dims: [3] }, unused: { dims: [2] } },
      inputs: { x: f32([2, 3], values(6, 4)) },
      build: (b) => {
        b.op('Neg', ['unused']); // consumed, but not on the way to the loss
        return b.op('Sum', [b.op('Mul', ['x', 'w']), b.op('Mul', ['w', 'w']), b.op('Exp', ['w'])]);
      },
    });
    expect(r.maxRelError).toBeLessThan(1e-6);
    expect(Array.from(r.gradients['unused']!.data as Float64Array)).toEqual([0, 0]);
  });

  it('refuses opsets below 13 with advice to upgrade, and unknown tensors by name', async () => {
    const b = new GraphBuilder({ opset: 11 });
    b.input('x', DataType.FLOAT, [2]);
    b.initializer(tensors.float('w', [2], [1, 2]));
    b.op('Mul', ['x', 'w'], {}, { output: 'loss' });
    b.output('loss');
    const shapes = new Map([['x', { dims: [2], dataType: DataType.FLOAT }]]);
    expect(() => buildBackward(b.build(), { loss: 'loss', wrt: ['w'], shapes, registry: new GradientRegistry() })).toThrow(BackwardError);
    expect(() => buildBackward(b.build(), { loss: 'loss', wrt: ['w'], shapes, registry: new GradientRegistry() })).toThrow(/upgradeOpset/);
    const m17 = graphWith('Relu');
    expect(() => buildBackward(m17, { loss: 'loss', wrt: ['nope'], shapes, registry: defaultGradientRegistry() })).toThrow(/'nope' does not exist/);
  });

  it('leaves the source model untouched', async () => {
    const model = graphWith('Relu');
    const before = JSON.stringify(model.graph.node.map((n) => [n.opType, n.output]));
    const shapes = await probeShapes(model, { x: f32([2, 3], values(6, 3)) }, executor);
    const r = buildBackward(model, { loss: 'loss', wrt: ['w'], shapes, registry: defaultGradientRegistry() });
    expect(JSON.stringify(model.graph.node.map((n) => [n.opType, n.output]))).toBe(before);
    expect(r.model.graph.node.length).toBeGreaterThan(model.graph.node.length);
    r.model.graph.output = [tensorValueInfo(r.gradients.w!, DataType.FLOAT)];
    const g = (await executor.run(r.model, { x: f32([2, 3], values(6, 3)) }))[r.gradients.w!]!;
    expect(g.dims).toEqual([3, 3]);
  });
});
