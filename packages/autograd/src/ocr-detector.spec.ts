// End-to-end gradients through the real PaddleOCR text detector (PP-OCRv4 DBNet: MobileNetV3-style
// backbone, FPN with nearest Resize upsampling, a head with two ConvTranspose upsamplings).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DataType, GraphBuilder, decodeModel, promoteConstants, tensorValueInfo, upgradeOpset, type ModelProto, type TensorValue } from '@anneal/onnx';
import { ocrModels } from '@anneal/testing';
import { buildBackward } from './backward.js';
import { checkGradients } from './gradcheck.js';
import { defaultGradientRegistry } from './default-registry.js';
import { listParameters } from './parameters.js';
import { probeShapes } from './probe-shapes.js';
import { nodeExecutor } from './test-support.js';

/** The detector with Constant weights promoted, upgraded to opset 17, and loss = Σ out². */
function detectorWithLoss(): { model: ModelProto; loss: string; input: string } {
  const source = decodeModel(readFileSync(ocrModels.detector), ocrModels.detector);
  const model = upgradeOpset(promoteConstants(source).model, 17);
  const b = new GraphBuilder({ graph: model.graph, opset: 17 });
  const out = model.graph.output[0]!.name; // [N, 1, H, W] text probability map
  const loss = b.op('ReduceSum', [b.op('Mul', [out, out])], { keepdims: 0 }, { output: 'loss' });
  model.graph.output = [tensorValueInfo(loss, DataType.FLOAT, [])];
  return { model, loss, input: model.graph.input[0]!.name };
}

/**
 * A dark "text line" of vertical strokes on a light background (normalized-image range): on smooth or
 * noise inputs the detector's probability map saturates to exactly 0, where every gradient vanishes.
 */
function textLike(i: number): number {
  const x = i % 64;
  const y = Math.floor(i / 64) % 64;
  return y > 20 && y < 30 && x > 8 && x < 56 && x % 6 < 3 ? -1.5 : 1.5;
}

describe('gradients through the real PaddleOCR text detector (DBNet)', () => {
  it('builds the backward pass w.r.t. every parameter and matches finite differences for conv and ConvTranspose weights', async () => {
    const { model, loss, input } = detectorWithLoss();
    const ops = new Set(model.graph.node.map((n) => n.opType));
    for (const op of ['Resize', 'ConvTranspose', 'HardSigmoid', 'GlobalAveragePool']) expect(ops.has(op), op).toBe(true);
    const params = listParameters(model);
    expect(params.length).toBeGreaterThan(100);
    const executor = nodeExecutor();
    const feeds: Record<string, TensorValue> = {
      [input]: { dataType: DataType.FLOAT, dims: [1, 3, 64, 64], data: Float32Array.from({ length: 3 * 64 * 64 }, (_, i) => textLike(i)) },
    };

    const shapes = await probeShapes(model, feeds, executor);
    const full = buildBackward(model, { loss, wrt: params, shapes, registry: defaultGradientRegistry() });
    expect(full.unreachable).toEqual([]);
    const backwardNodes = full.model.graph.node.length - model.graph.node.length;
    console.log(`detector: ${model.graph.node.length} forward nodes, ${params.length} parameters, ${backwardNodes} backward nodes`);
    expect(backwardNodes).toBeGreaterThan(model.graph.node.length);
    // the whole backward graph runs: every parameter gets a finite gradient, most of them nonzero
    const t0 = performance.now();
    full.model.graph.output = params.map((p) => tensorValueInfo(full.gradients[p]!, DataType.FLOAT));
    const all = await executor.run(full.model, feeds);
    const grads = params.map((p) => all[full.gradients[p]!]!.data as Float32Array);
    expect(grads.every((g) => g.every(Number.isFinite))).toBe(true);
    const nonZero = grads.filter((g) => g.some((v) => v !== 0)).length;
    console.log(`full backward ran in ${(performance.now() - t0).toFixed(0)} ms; ${nonZero}/${params.length} gradients nonzero`);
    expect(nonZero).toBeGreaterThan(0.9 * params.length);

    const convs = model.graph.node.filter((n) => n.opType === 'Conv');
    const transposed = model.graph.node.filter((n) => n.opType === 'ConvTranspose');
    const pick = [convs[0]!.input[1]!, transposed[0]!.input[1]!, transposed[1]!.input[1]!, convs[convs.length - 1]!.input[1]!];
    const r = await checkGradients({ model, loss, wrt: pick, feeds, executor, registry: defaultGradientRegistry(), precision: 'float', eps: 3e-3, samplesPerTensor: 4 });
    for (const t of r.tensors) console.log(`det ${t.name}: max abs err ${t.maxAbsError.toExponential(2)}, max rel err ${t.maxRelError.toExponential(2)} over ${t.checked}`);
    // Behind many ReLU/HardSwish kinks the float32 loss is only piecewise smooth at the scale of the
    // perturbation, so the bound is absolute, relative to the largest gradient entry of the checked tensors.
    for (const t of r.tensors) {
      const scale = Math.max(...Array.from(r.gradients[t.name]!.data as Float32Array, Math.abs));
      console.log(`det ${t.name}: gradient scale ${scale.toExponential(2)}`);
      expect(scale, t.name).toBeGreaterThan(0);
      expect(t.maxAbsError, t.name).toBeLessThan(2e-2 * scale);
    }
  }, 30_000);
});
