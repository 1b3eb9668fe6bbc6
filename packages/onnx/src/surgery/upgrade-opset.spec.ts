import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ocrModels, randn } from '@anneal/testing';
import { attr, attrs } from '../attributes.js';
import { decodeModel } from '../codec.js';
import { UnsupportedOpError } from '../errors.js';
import { GraphBuilder } from '../graph-builder.js';
import { tensors } from '../tensor.js';
import { DataType, type ModelProto } from '../types.js';
import { defaultOpset, emptyGraph, makeModel, type Dim } from '../value-info.js';
import { maxAbsDiff, runModel, type Feeds } from './test-harness.js';
import { upgradeOpset } from './upgrade-opset.js';

/** Upgrades `model`, runs both versions on the same feeds and checks every output matches. */
async function expectSameOutputs(model: ModelProto, feeds: Feeds, target = 17, tolerance = 1e-6): Promise<ModelProto> {
  const upgraded = upgradeOpset(model, target);
  expect(defaultOpset(upgraded)).toBe(target);
  const before = await runModel(model, feeds);
  const after = await runModel(upgraded, feeds);
  expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
  for (const name of Object.keys(before)) {
    expect(after[name]!.dims, name).toEqual(before[name]!.dims);
    expect(maxAbsDiff(before[name]!.data, after[name]!.data), name).toBeLessThan(tolerance);
  }
  return upgraded;
}

/** A one-node model at `opset` reading float input x of `dims`. */
function single(opset: number, dims: readonly Dim[] | undefined, op: string, attributes: Parameters<GraphBuilder['op']>[2], extraInputs: (b: GraphBuilder) => string[] = () => [], outputs = 1) {
  const b = new GraphBuilder({ opset });
  b.input('x', DataType.FLOAT, dims);
  const outs = b.node(op, ['x', ...extraInputs(b)], attributes, { outputs, name: `my_${op}` });
  for (const o of outs) b.output(o, DataType.FLOAT);
  return b.build();
}

const x = (dims: number[], seed = 1): Feeds => ({ x: { data: randn(dims.reduce((a, c) => a * c, 1), seed), dims } });
const opsOf = (m: ModelProto) => m.graph.node.map((n) => n.opType);

describe('upgradeOpset on hand-built graphs (ORT outputs before == after)', () => {
  it('Clip-6 min/max attributes become inputs', async () => {
    const both = await expectSameOutputs(single(9, [2, 5], 'Clip', { min: attr.float(-0.5), max: attr.float(0.7) }), x([2, 5]));
    expect(both.graph.node[0]!.input).toHaveLength(3);
    expect(attrs(both.graph.node[0]!).has('min')).toBe(false);
    const onlyMax = await expectSameOutputs(single(9, [2, 5], 'Clip', { max: attr.float(0.3) }), x([2, 5]));
    expect(onlyMax.graph.node[0]!.input).toEqual(['x', '', expect.any(String)]);
    // element type unknown to the upgrader (DepthToSpace is not modelled): min/max are cast like the input
    const b = new GraphBuilder({ opset: 9 });
    b.input('x', DataType.FLOAT, [1, 4, 2, 2]);
    b.output(b.op('Clip', [b.op('DepthToSpace', ['x'], { blocksize: 2 })], { min: attr.float(0) }));
    const untyped = await expectSameOutputs(b.build(), x([1, 4, 2, 2]));
    expect(opsOf(untyped)).toContain('CastLike');
  });

  it('Slice-1 attributes become int64 inputs (INT64_MAX ends saturate)', async () => {
    const m = single(9, [4, 6], 'Slice', { starts: [1, -4], ends: [9223372036854775807, -1], axes: [0, 1] });
    const up = await expectSameOutputs(m, x([4, 6]));
    expect(up.graph.node[0]!.input).toHaveLength(4);
    await expectSameOutputs(single(9, [4, 6], 'Slice', { starts: [1], ends: [3] }), x([4, 6]));
  });

  it('Squeeze/Unsqueeze-11 axes move to an input at 13', async () => {
    const b = new GraphBuilder({ opset: 11 });
    b.input('x', DataType.FLOAT, [3, 1, 4]);
    const s = b.op('Squeeze', ['x'], { axes: [1] });
    const u = b.op('Unsqueeze', [s], { axes: [0, -1] });
    const all = b.op('Squeeze', ['x'], {});
    b.output(u);
    b.output(all);
    const up = await expectSameOutputs(b.build(), x([3, 1, 4]));
    expect(up.graph.node.map((n) => n.input.length)).toEqual([2, 2, 1]);
  });

  it('reductions: ReduceSum axes move at 13, the others at 18 only', async () => {
    const b = new GraphBuilder({ opset: 11 });
    b.input('x', DataType.FLOAT, [2, 3, 4]);
    b.output(b.op('ReduceSum', ['x'], { axes: [1], keepdims: 0 }));
    b.output(b.op('ReduceMean', ['x'], { axes: [-1] }));
    b.output(b.op('ReduceMax', ['x'], { axes: [0, 2], keepdims: 0 }));
    b.output(b.op('ReduceL2', ['x'], { axes: [2] }));
    b.output(b.op('ReduceLogSumExp', ['x'], {}));
    const to17 = await expectSameOutputs(b.build(), x([2, 3, 4]));
    expect(to17.graph.node.map((n) => n.input.length)).toEqual([2, 1, 1, 1, 1]);
    const to18 = await expectSameOutputs(b.build(), x([2, 3, 4]), 18);
    expect(to18.graph.node.map((n) => n.input.length)).toEqual([2, 2, 2, 2, 1]);
  });

  it('Softmax family: axis semantics before 13 are kept (Flatten/Reshape when the axis is not last)', async () => {
    // known rank 3, axis 1: the old op normalized over the last two axes together
    const known = await expectSameOutputs(single(11, [2, 3, 4], 'Softmax', { axis: 1 }), x([2, 3, 4]));
    expect(opsOf(known)).toEqual(['Flatten', 'Softmax', 'Shape', 'Reshape']);
    // unknown rank and the old default axis 1
    const unknown = await expectSameOutputs(single(9, undefined, 'LogSoftmax', {}), x([2, 3, 4]));
    expect(opsOf(unknown)).toEqual(['Flatten', 'LogSoftmax', 'Shape', 'Reshape']);
    await expectSameOutputs(single(11, undefined, 'Hardmax', { axis: 2 }), x([2, 3, 4, 5]));
    // last axis: the op stays, with the axis written explicitly (the default changed from 1 to -1)
    const last = await expectSameOutputs(single(9, [2, 3, 4], 'Softmax', { axis: 2 }), x([2, 3, 4]));
    expect(opsOf(last)).toEqual(['Softmax']);
    const rank2 = await expectSameOutputs(single(9, ['N', 5], 'Softmax', {}), x([3, 5]));
    expect(attrs(rank2.graph.node[0]!).int('axis', -1)).toBe(1);
    expect(opsOf(await expectSameOutputs(single(12, undefined, 'Softmax', { axis: -1 }), x([2, 3, 4])))).toEqual(['Softmax']);
  });

  it('Upsample-9 (nearest and linear) becomes Resize', async () => {
    for (const mode of ['nearest', 'linear']) {
      const m = single(9, [1, 2, 3, 4], 'Upsample', { mode }, (b) => [b.initializer(tensors.float('scales', [4], [1, 1, 2, 3]))]);
      const up = await expectSameOutputs(m, x([1, 2, 3, 4]), 17, 1e-5);
      expect(opsOf(up)).toEqual(['Resize']);
    }
  });

  it('Resize-10 gets roi and the old coordinate rules (up- and downsampling)', async () => {
    for (const mode of ['nearest', 'linear']) {
      for (const scales of [[1, 1, 2, 1.5], [1, 1, 0.6, 0.5]]) {
        const m = single(10, [1, 1, 5, 6], 'Resize', { mode }, (b) => [b.initializer(tensors.float('scales', [4], scales))]);
        const up = await expectSameOutputs(m, x([1, 1, 5, 6]), 17, 1e-5);
        expect(up.graph.node[0]!.input).toEqual(['x', '', 'scales']);
      }
    }
  });

  it('Pad-2 pads/value attributes become inputs', async () => {
    await expectSameOutputs(single(9, [1, 2, 3], 'Pad', { pads: [0, 1, 2, 0, 0, 1], value: 1.5 }), x([1, 2, 3]));
    await expectSameOutputs(single(9, [1, 2, 4], 'Pad', { pads: [0, 0, 2, 0, 0, 1], mode: 'reflect' }), x([1, 2, 4]));
  });

  it('Dropout-7 ratio becomes an input and a used mask is cast back', async () => {
    const up = await expectSameOutputs(single(9, [2, 3], 'Dropout', { ratio: 0.3 }), x([2, 3]));
    expect(up.graph.node[0]!.input).toHaveLength(2);
    // the mask: ONNX Runtime's Dropout-7..9 returns zeros in inference, Dropout-12 all true ("kept");
    // the upgrade keeps the documented meaning (1 = kept) and casts it back to the input type
    const b = new GraphBuilder({ opset: 9 });
    b.input('x', DataType.FLOAT, [2, 3]);
    const [y, mask] = b.node('Dropout', ['x'], {}, { outputs: 2 });
    b.output(y!);
    b.output(b.op('Identity', [mask!]));
    const withMask = upgradeOpset(b.build());
    expect(opsOf(withMask)).toEqual(['Dropout', 'CastLike', 'Identity']);
    const out = await runModel(withMask, x([2, 3]));
    expect(Array.from(out[withMask.graph.output[1]!.name]!.data)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('BatchNormalization-9: inference nodes stay, multi-output (training) nodes get training_mode=1', async () => {
    const bn = (outputs: number) => {
      const b = new GraphBuilder({ opset: 9 });
      b.input('x', DataType.FLOAT, [2, 3, 2, 2]);
      const p = (n: string, v: number[]) => b.initializer(tensors.float(n, [3], v));
      const [y] = b.node('BatchNormalization', ['x', p('s', [1, 2, 3]), p('b', [0, 1, -1]), p('m', [0.1, 0.2, 0.3]), p('v', [1, 2, 0.5])], { epsilon: 1e-3 }, { outputs });
      b.output(y!);
      return b.build();
    };
    const inference = await expectSameOutputs(bn(1), x([2, 3, 2, 2]));
    expect(inference.graph.node[0]!.output).toHaveLength(1);
    const training = await expectSameOutputs(bn(5), x([2, 3, 2, 2]), 17, 1e-5);
    expect(training.graph.node[0]!.output).toHaveLength(3);
    expect(attrs(training.graph.node[0]!).int('training_mode', 0)).toBe(1);
  });

  it('Split-11 split attribute becomes an input at 13, num_outputs at 18', async () => {
    const withSizes = single(11, [2, 6], 'Split', { axis: 1, split: [1, 2, 3] }, () => [], 3);
    const up = await expectSameOutputs(withSizes, x([2, 6]));
    expect(up.graph.node[0]!.input).toHaveLength(2);
    const equal = single(11, [2, 6], 'Split', { axis: 1 }, () => [], 3);
    const up18 = await expectSameOutputs(equal, x([2, 6]), 18);
    expect(attrs(up18.graph.node[0]!).int('num_outputs', 0)).toBe(3);
  });

  it('TopK-1 k attribute becomes an input', async () => {
    const b = new GraphBuilder({ opset: 9 });
    b.input('x', DataType.FLOAT, [2, 7]);
    const [values, indices] = b.node('TopK', ['x'], { k: 3 }, { outputs: 2 });
    b.output(values!);
    b.output(indices!, DataType.INT64);
    const up = await expectSameOutputs(b.build(), x([2, 7]));
    expect(up.graph.node[0]!.input).toHaveLength(2);
  });

  it('ops inside If branches are upgraded too', async () => {
    const branch = (axes: number[]) => {
      const g = new GraphBuilder({ graph: emptyGraph('branch') });
      g.output(g.op('Unsqueeze', ['x'], { axes }), DataType.FLOAT);
      return g.graph;
    };
    const b = new GraphBuilder({ opset: 11 });
    b.input('x', DataType.FLOAT, [2, 3]);
    b.input('c', DataType.BOOL, []);
    b.output(b.op('If', ['c'], { then_branch: branch([0]), else_branch: branch([-1]) }));
    for (const c of [0, 1]) {
      const upgraded = await expectSameOutputs(b.build(), { ...x([2, 3]), c: { data: Uint8Array.of(c), dims: [] } });
      expect(upgraded.graph.node[0]!.attribute[0]!.g!.node[0]!.input).toHaveLength(2);
    }
  });

  it('rejects what it cannot convert with a typed error naming op and node', () => {
    expect(() => upgradeOpset(single(9, [1, 3, 2, 2], 'ImageScaler', { scale: 2 }), 17)).toThrow(UnsupportedOpError);
    expect(() => upgradeOpset(single(9, [1, 3, 2, 2], 'ImageScaler', { scale: 2 }), 17)).toThrow(/ImageScaler \(node 'my_ImageScaler'\)/);
    const bn = single(9, [2, 3], 'BatchNormalization', {}, (b) => ['s', 'b', 'm', 'v'].map((n) => b.initializer(tensors.float(n, [3], [1, 1, 1, 1]))), 5);
    expect(() => upgradeOpset(bn, 17)).toThrow(/saved mean\/variance/);
    expect(() => upgradeOpset(makeModel(emptyGraph(), 6), 17)).toThrow(/starts from opset 7/);
    expect(() => upgradeOpset(makeModel(emptyGraph(), 13), 22)).toThrow(/between 13 and 21/);
  });

  it('does not modify its input', () => {
    const m = single(9, [2, 5], 'Clip', { min: attr.float(-0.5) });
    const before = JSON.stringify(m.graph.node);
    upgradeOpset(m);
    expect(JSON.stringify(m.graph.node)).toBe(before);
  });
});

describe('upgradeOpset on real PaddleOCR models', () => {
  it('classifier (opset 9) -> 17 and 21 gives the same outputs', async () => {
    const model = decodeModel(readFileSync(ocrModels.classifier), 'cls');
    expect(defaultOpset(model)).toBe(9);
    const feeds = x([2, 3, 48, 192], 42);
    const up = await expectSameOutputs(model, feeds, 17, 1e-5);
    expect(up.irVersion).toBeGreaterThanOrEqual(8);
    expect(up.graph.node.filter((n) => n.opType === 'Clip').every((n) => n.input.length >= 2)).toBe(true);
    await expectSameOutputs(model, feeds, 21, 1e-5);
  });

  it('recognizer (opset 9, ReduceMean/Squeeze/Slice/Softmax) -> 17 and 18 gives the same outputs', async () => {
    const model = decodeModel(readFileSync(ocrModels.recognizer), 'rec');
    expect(defaultOpset(model)).toBe(9);
    const feeds = x([1, 3, 48, 64], 7);
    await expectSameOutputs(model, feeds, 17, 1e-5);
    const up18 = await expectSameOutputs(model, feeds, 18, 1e-5);
    expect(up18.graph.node.filter((n) => n.opType === 'ReduceMean').every((n) => n.input.length === 2)).toBe(true);
  });
});
