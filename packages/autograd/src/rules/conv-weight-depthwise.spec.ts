import { describe, expect, it } from 'vitest';
import { blockConvs, DataType, GraphBuilder, NCHWC_DOMAIN, type AttrValue, type TensorValue } from '@anneal/onnx';
import { nchwcBlockSize } from '@anneal/runtime';
import { buildBackward } from '../backward.js';
import { defaultGradientRegistry } from '../default-registry.js';
import { values } from '../gradcheck-harness.js';
import { probeShapes } from '../probe-shapes.js';
import { f32, nodeExecutor } from '../test-support.js';
import { convGradReference, relativeError } from './rule-spec-support.js';

// Depthwise Conv gradients for direct kernels (hints.directDepthwise): dW as one tall depthwise Conv,
// then every depthwise Conv lowered to ORT's NCHWc kernels where this CPU has them (else the tall
// Conv runs on the standard kernels, still exact). Against a float64 direct-loop reference, with the
// shapes probed at one batch size and the graph run at another (the tall axis depends on the batch).
interface Case {
  name: string;
  channels: number;
  size: [number, number];
  kernel: [number, number];
  attrs: Record<string, AttrValue>;
}

const cases: Case[] = [
  { name: '3x3, stride 1, pads 1 (MobileNet blocks)', channels: 8, size: [9, 10], kernel: [3, 3], attrs: { pads: [1, 1, 1, 1] } },
  { name: '5x5, stride 1, pads 2, 12 channels (not a multiple of the block)', channels: 12, size: [7, 8], kernel: [5, 5], attrs: { pads: [2, 2, 2, 2] } },
  { name: '3x3, stride 2, pads 1, odd input (a downsampling block)', channels: 8, size: [11, 9], kernel: [3, 3], attrs: { strides: [2, 2], pads: [1, 1, 1, 1] } },
  { name: '5x5, stride 2, asymmetric pads (TF-style SAME)', channels: 4, size: [12, 13], kernel: [5, 5], attrs: { strides: [2, 2], pads: [1, 2, 2, 2] } },
  { name: '3x3, strides (1, 3), no pads, rows no tap reads', channels: 16, size: [8, 14], kernel: [3, 3], attrs: { strides: [1, 3] } },
  { name: '1x1, stride 2 (stride above the kernel)', channels: 8, size: [7, 7], kernel: [1, 1], attrs: { strides: [2, 2] } },
];

async function gradients(c: Case, probeBatch: number, runBatch: number, block: number | undefined) {
  const [h, w] = c.size;
  const wDims = [c.channels, 1, ...c.kernel];
  const b = new GraphBuilder({ opset: 17 });
  b.input('x', DataType.FLOAT, ['N', c.channels, h, w]);
  const weight = values(wDims.reduce((p, q) => p * q, 1), 91);
  const bias = values(c.channels, 92);
  // weights are inputs, as in a train step (the lowering leaves constant weights to ORT)
  b.input('w', DataType.FLOAT, wDims);
  b.input('b', DataType.FLOAT, [c.channels]);
  const params = { w: f32(wDims, weight), b: f32([c.channels], bias) };
  const y = b.op('Conv', ['x', 'w', 'b'], { ...c.attrs, group: c.channels, kernel_shape: c.kernel });
  // loss = Σ sin(0.7·k + 0.5)·y[k] (the reference's lossWeight), built from y's runtime shape
  const shape = b.op('Shape', [y]);
  const ramp = b.op('Cast', [b.op('Range', [b.scalar(0, DataType.INT64), b.op('ReduceProd', [shape], { keepdims: 0 }), b.scalar(1, DataType.INT64)])], { to: DataType.FLOAT });
  const weights = b.op('Reshape', [b.op('Sin', [b.op('Add', [b.op('Mul', [ramp, b.scalar(0.7)]), b.scalar(0.5)])]), shape]);
  const loss = b.op('ReduceSum', [b.op('Mul', [y, weights])], { keepdims: 0 }, { output: 'loss' });
  b.output(loss, DataType.FLOAT, []);
  const model = b.build();
  const input = (n: number) => values(n * c.channels * h * w, 93);
  const shapes = await probeShapes(model, { x: f32([probeBatch, c.channels, h, w], input(probeBatch)), ...params }, nodeExecutor());
  const bw = buildBackward(model, { loss, wrt: ['w', 'b', 'x'], shapes, registry: defaultGradientRegistry(), hints: { directDepthwise: true } });
  for (const name of ['w', 'b', 'x']) bw.model.graph.output.push({ name: bw.gradients[name]!, type: { tensorType: { elemType: DataType.FLOAT } } } as never);
  const lowered = block ? blockConvs(bw.model, block).lowered : [];
  const x = input(runBatch);
  const out = await nodeExecutor().run(bw.model, { x: f32([runBatch, c.channels, h, w], x), ...params } as Record<string, TensorValue>);
  const ref = convGradReference({ x: Float32Array.from(x), xDims: [runBatch, c.channels, h, w], w: Float32Array.from(weight), wDims, group: c.channels, strides: c.attrs.strides as number[] | undefined, pads: c.attrs.pads as number[] | undefined });
  return { out: (name: string) => out[bw.gradients[name]!]!.data as Float32Array, ref, lowered, nodes: bw.model.graph.node };
}

describe('depthwise Conv gradients on direct kernels (hints.directDepthwise, blockConvs)', async () => {
  const block = await nchwcBlockSize();
  for (const c of cases) {
    it(c.name, async () => {
      const r = await gradients(c, 2, 3, block);
      expect(relativeError(r.out('w'), r.ref.dW)).toBeLessThan(1e-5);
      expect(relativeError(r.out('b'), r.ref.dB)).toBeLessThan(1e-5);
      expect(relativeError(r.out('x'), r.ref.dX)).toBeLessThan(1e-5);
      // the weight gradient is one depthwise Conv with a batch-dependent kernel, lowered where the CPU allows
      const tall = r.nodes.filter((n) => n.opType === 'Conv' && n.name?.startsWith('grad/'));
      expect(tall.length).toBeGreaterThanOrEqual(1);
      if (block) {
        expect(r.lowered.length).toBeGreaterThanOrEqual(2); // the forward and the weight gradient at least
        expect(r.nodes.filter((n) => n.opType === 'Conv' && !n.domain)).toHaveLength(0); // forward, dX (stride 1) and dW all lowered
        expect(r.nodes.some((n) => n.domain === NCHWC_DOMAIN && n.opType === 'ReorderOutput')).toBe(true);
      }
    });
  }
});
