import { describe, expect, it } from 'vitest';
import { randn } from '@anneal/testing';
import { cloneModel } from '../clone-model.js';
import { GraphBuilder } from '../graph-builder.js';
import { tensors } from '../tensor.js';
import { DataType } from '../types.js';
import { blockDepthwiseConvs, NCHWC_DOMAIN } from './block-depthwise-convs.js';
import { maxAbsDiff, runModel } from './test-harness.js';

/** This CPU's NCHWc block (channels of a 4-channel ReorderInput), or undefined without those kernels. */
async function blockSize(): Promise<number | undefined> {
  const b = new GraphBuilder({ opset: 17 });
  b.input('x', DataType.FLOAT, [1, 4, 1, 1]);
  b.output(b.op('ReorderInput', ['x'], {}, { domain: NCHWC_DOMAIN, output: 'y' }), DataType.FLOAT);
  try {
    return (await runModel(b.build([{ domain: NCHWC_DOMAIN, version: 1 }]), { x: { data: new Float32Array(4), dims: [1, 4, 1, 1] } })).y!.dims[1];
  } catch {
    return undefined;
  }
}

/** Depthwise convs (12 channels with bias, stride 2; 8 channels with a weight input) and two that must stay. */
function convsModel() {
  const b = new GraphBuilder({ opset: 17 });
  b.input('x', DataType.FLOAT, ['N', 12, 9, 10]);
  b.input('w2', DataType.FLOAT, [12, 1, 5, 5]);
  const w1 = b.initializer(tensors.float('w1', [12, 1, 3, 3], randn(108, 1)));
  const bias = b.initializer(tensors.float('bias', [12], randn(12, 2)));
  const a = b.op('Conv', ['x', w1, bias], { group: 12, strides: [2, 2], pads: [1, 1, 1, 1] }, { name: 'depthwise_a' });
  const c = b.op('Conv', [a, 'w2'], { group: 12, pads: [2, 2, 2, 2], kernel_shape: [5, 5] }, { name: 'depthwise_b' });
  const grouped = b.initializer(tensors.float('wg', [12, 3, 1, 1], randn(36, 3)));
  const d = b.op('Conv', [c, grouped], { group: 4 }, { name: 'grouped' }); // 3 channels per group: not depthwise
  const six = b.initializer(tensors.float('w6', [6, 1, 3, 3], randn(54, 4)));
  const e = b.op('Conv', [b.op('Slice', [d, b.ints([0]), b.ints([6]), b.ints([1])]), six], { group: 6, pads: [1, 1, 1, 1] }, { name: 'six_channels' }); // ReorderInput needs 4 | C
  b.output(b.op('Identity', [e], {}, { output: 'y' }), DataType.FLOAT);
  return b.build();
}

describe('blockDepthwiseConvs', async () => {
  const block = await blockSize();

  it('lowers depthwise convs with 4 | channels, keeps the others, and adds the opset import', () => {
    const model = convsModel();
    const { lowered } = blockDepthwiseConvs(model, 16);
    expect(lowered).toEqual(['depthwise_a', 'depthwise_b']);
    expect(model.opsetImport).toContainEqual({ domain: NCHWC_DOMAIN, version: 1 });
    const ops = model.graph.node.map((n) => `${n.domain ? 'nchwc:' : ''}${n.opType}`);
    expect(ops.filter((o) => o === 'Conv')).toHaveLength(2); // grouped and six_channels
    expect(ops.filter((o) => o === 'nchwc:Conv')).toHaveLength(2);
    const padded = model.graph.node.find((n) => n.opType === 'Pad')!; // 12 channels -> 16: the bias is padded
    expect(padded.input[0]).toBe('bias');
  });

  it.skipIf(!block)('gives the outputs of the standard kernels, at any batch size', async () => {
    const model = convsModel();
    const lowered = cloneModel(model);
    blockDepthwiseConvs(lowered, block!);
    for (const n of [1, 3]) {
      const feeds = { x: { data: randn(n * 12 * 90, 5), dims: [n, 12, 9, 10] }, w2: { data: randn(300, 6), dims: [12, 1, 5, 5] } };
      const [want, got] = [await runModel(model, feeds), await runModel(lowered, feeds)];
      expect(got.y!.dims).toEqual(want.y!.dims);
      expect(maxAbsDiff(got.y!.data, want.y!.data)).toBeLessThan(1e-4);
    }
  });
});
