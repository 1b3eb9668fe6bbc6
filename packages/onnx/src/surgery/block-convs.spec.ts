import { describe, expect, it } from 'vitest';
import { randn } from '@anneal/testing';
import { cloneModel } from '../clone-model.js';
import { GraphBuilder } from '../graph-builder.js';
import { tensors } from '../tensor.js';
import { DataType } from '../types.js';
import { blockConvs, NCHWC_DOMAIN } from './block-convs.js';
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

/**
 * Depthwise convs (12 channels with bias, stride 2; a weight input), a dense 3x3 (12 -> 20 channels,
 * bias) and a dense 5x5 stride 2 (20 -> 16) from weight inputs, and convs that must stay: a constant
 * dense 3x3 (ORT's own transformer takes those), a 1x1, a grouped one and one on 6 channels.
 */
function convsModel() {
  const b = new GraphBuilder({ opset: 17 });
  b.input('x', DataType.FLOAT, ['N', 12, 9, 10]);
  b.input('w2', DataType.FLOAT, [12, 1, 5, 5]);
  b.input('w3', DataType.FLOAT, [20, 12, 3, 3]);
  b.input('w4', DataType.FLOAT, [16, 20, 5, 5]);
  const w1 = b.initializer(tensors.float('w1', [12, 1, 3, 3], randn(108, 1)));
  const bias = b.initializer(tensors.float('bias', [12], randn(12, 2)));
  const bias3 = b.initializer(tensors.float('bias3', [20], randn(20, 7)));
  const a = b.op('Conv', ['x', w1, bias], { group: 12, strides: [2, 2], pads: [1, 1, 1, 1] }, { name: 'depthwise_a' });
  const c = b.op('Conv', [a, 'w2'], { group: 12, pads: [2, 2, 2, 2], kernel_shape: [5, 5] }, { name: 'depthwise_b' });
  const d3 = b.op('Conv', [c, 'w3', bias3], { pads: [1, 1, 1, 1] }, { name: 'dense_3x3' });
  const d5 = b.op('Conv', [d3, 'w4'], { strides: [2, 2], pads: [2, 2, 2, 2] }, { name: 'dense_5x5' });
  const fixed = b.op('Conv', [d5, b.initializer(tensors.float('wc', [16, 16, 3, 3], randn(2304, 8)))], { pads: [1, 1, 1, 1] }, { name: 'constant_weights' });
  const one = b.op('Conv', [fixed, b.initializer(tensors.float('w11', [12, 16, 1, 1], randn(192, 9)))], {}, { name: 'pointwise' });
  const grouped = b.initializer(tensors.float('wg', [12, 3, 1, 1], randn(36, 3)));
  const e = b.op('Conv', [one, grouped], { group: 4 }, { name: 'grouped' }); // 3 channels per group: neither kind
  const six = b.initializer(tensors.float('w6', [6, 1, 3, 3], randn(54, 4)));
  const f = b.op('Conv', [b.op('Slice', [e, b.ints([0]), b.ints([6]), b.ints([1])]), six], { group: 6, pads: [1, 1, 1, 1] }, { name: 'six_channels' }); // ReorderInput needs 4 | C
  b.output(b.op('Identity', [f], {}, { output: 'y' }), DataType.FLOAT);
  return b.build();
}

describe('blockConvs', async () => {
  const block = await blockSize();

  it('lowers depthwise and dense kxk convs with computed weights, keeps the others, adds the opset import', () => {
    const model = convsModel();
    // constant weights: the depthwise_a weight is an initializer too, so only the weight inputs' convs change
    const { lowered } = blockConvs(model, 16);
    expect(lowered).toEqual(['depthwise_b', 'dense_3x3', 'dense_5x5']);
    expect(model.opsetImport).toContainEqual({ domain: NCHWC_DOMAIN, version: 1 });
    const kept = model.graph.node.filter((n) => n.opType === 'Conv' && !n.domain).map((n) => n.name);
    expect(kept).toEqual(['depthwise_a', 'constant_weights', 'pointwise', 'grouped', 'six_channels']);
    const pads = model.graph.node.filter((n) => n.opType === 'Pad').map((n) => n.input[0]);
    expect(pads).toEqual(['w3', 'bias3']); // 20 output channels -> 32: the dense weight and its bias are padded
  });

  it.skipIf(!block)('gives the outputs of the standard kernels, at any batch size', async () => {
    const model = convsModel();
    const lowered = cloneModel(model);
    blockConvs(lowered, block!);
    for (const n of [1, 3]) {
      const feeds = {
      x: { data: randn(n * 12 * 90, 5), dims: [n, 12, 9, 10] },
      w2: { data: randn(300, 6), dims: [12, 1, 5, 5] },
      w3: { data: randn(2160, 10), dims: [20, 12, 3, 3] },
      w4: { data: randn(8000, 11), dims: [16, 20, 5, 5] },
    };
      const [want, got] = [await runModel(model, feeds), await runModel(lowered, feeds)];
      expect(got.y!.dims).toEqual(want.y!.dims);
      expect(maxAbsDiff(got.y!.data, want.y!.data) / Math.max(...Array.from(want.y!.data, Math.abs))).toBeLessThan(1e-5);
    }
  });
});
