import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ocrModels, randn } from '@anneal/testing';
import { attr } from '../attributes.js';
import { decodeModel } from '../codec.js';
import { GraphBuilder } from '../graph-builder.js';
import { tensorToNumbers, tensorToValue, tensors } from '../tensor.js';
import { DataType } from '../types.js';
import { promoteConstants } from './promote-constants.js';
import { maxAbsDiff, runModel } from './test-harness.js';

function constantsModel() {
  const b = new GraphBuilder({ opset: 17 });
  b.input('x', DataType.FLOAT, [2, 3]);
  const w = b.op('Constant', [], { value: tensors.float('', [3], [1, 2, 3]) }, { output: 'w' });
  const wf = b.op('Constant', [], { value_floats: attr.floats([0.5, 0.5, 0.5]) }, { output: 'wf' });
  const s = b.op('Constant', [], { value_float: attr.float(2) }, { output: 's' });
  const shape = b.op('Constant', [], { value_ints: attr.ints([3, 2]) }, { output: 'shape' });
  const one = b.op('Constant', [], { value_int: attr.int(1) }, { output: 'one' });
  const y = b.op('Mul', [b.op('Add', [b.op('Mul', ['x', w]), wf]), s]);
  const r = b.op('Reshape', [y, shape]);
  b.output(b.op('Unsqueeze', [r, b.op('Reshape', [one, b.ints([1])])]), DataType.FLOAT, [3, 1, 2]);
  return b.build();
}

describe('promoteConstants', () => {
  it('moves float weights (value and value_floats) and keeps scalars and int shapes as nodes', async () => {
    const model = constantsModel();
    const { model: out, promoted, kept } = promoteConstants(model);
    expect(promoted).toEqual(['w', 'wf']);
    expect(kept).toEqual(['s', 'shape', 'one']);
    const wf = out.graph.initializer.find((t) => t.name === 'wf')!;
    expect(Array.from(tensorToValue(wf).data as Float32Array)).toEqual([0.5, 0.5, 0.5]);
    expect(out.graph.node.filter((n) => n.opType === 'Constant')).toHaveLength(3);
    expect(model.graph.node.filter((n) => n.opType === 'Constant')).toHaveLength(5); // input untouched
    const feeds = { x: { data: randn(6, 1), dims: [2, 3] } };
    const [a, b] = [await runModel(model, feeds), await runModel(out, feeds)];
    expect(maxAbsDiff(Object.values(a)[0]!.data, Object.values(b)[0]!.data)).toBe(0);
  });

  it('promotes everything with all: true and honours minElements', async () => {
    const { model: out, promoted } = promoteConstants(constantsModel(), { all: true });
    expect(promoted).toEqual(['w', 'wf', 's', 'shape', 'one']);
    expect(tensorToNumbers(out.graph.initializer.find((t) => t.name === 'shape')!)).toEqual([3, 2]);
    expect(out.graph.initializer.find((t) => t.name === 'one')!.dims).toEqual([]);
    const feeds = { x: { data: randn(6, 2), dims: [2, 3] } };
    expect(Object.values(await runModel(out, feeds))[0]!.dims).toEqual([3, 1, 2]);
    expect(promoteConstants(constantsModel(), { minElements: 4 }).promoted).toEqual([]);
  });

  it('turns the real classifier weights into initializers without changing its outputs', async () => {
    const model = decodeModel(readFileSync(ocrModels.classifier), 'cls');
    const { model: out, promoted, kept } = promoteConstants(model);
    expect(promoted).toContain('fc_0.w_0');
    expect(promoted.filter((p) => /^conv2d_\d+\.w_0$/.test(p)).length).toBeGreaterThan(40);
    expect(out.graph.initializer.find((t) => t.name === 'fc_0.w_0')!.dims.map(Number)).toEqual([200, 2]);
    expect(promoted.length + kept.length).toBe(250);
    expect(kept.length).toBeGreaterThan(0);
    const feeds = { x: { data: randn(3 * 48 * 192, 9), dims: [1, 3, 48, 192] } };
    const [a, b] = [await runModel(model, feeds), await runModel(out, feeds)];
    expect(maxAbsDiff(a['softmax_0.tmp_0']!.data, b['softmax_0.tmp_0']!.data)).toBe(0);
  });
});
