import { describe, expect, it } from 'vitest';
import { cutModel, DataType, loadModel, UnknownTensorError, type TensorValue } from '@anneal/onnx';
import { createSession, fromOrtTensorAsync } from '@anneal/runtime';
import { ocrModels } from '@anneal/testing';
import { attachHead } from './attach.js';
import { loadBackbone } from './backbone.js';
import { ShapeMismatchError } from './errors.js';
import { extractFeatures } from './features.js';
import { buildHead } from './head.js';

const images = (n: number): TensorValue => ({ dataType: DataType.FLOAT, dims: [n, 3, 48, 192], data: Float32Array.from({ length: n * 3 * 48 * 192 }, (_, i) => Math.sin(i * 0.013) * Math.cos(i * 0.0007)) });
const labels = (n: number): TensorValue => ({ dataType: DataType.INT64, dims: [n], data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i % 2)) });

describe('loadBackbone on the real PaddleOCR classifier', () => {
  it('cuts at the penultimate 200-d feature by default, after promoting weights and upgrading opset 9 -> 17', () => {
    const bb = loadBackbone(ocrModels.classifier);
    expect(bb.opset).toEqual({ from: 9, to: 17 });
    expect(bb.promotedConstants).toBeGreaterThan(50);
    expect(bb.cutAt).toBe('reshape2_0.tmp_0');
    expect(bb.pool).toBe('none');
    expect(bb.featureDim).toBe(200);
    expect(bb.input.name).toBe('x');
    expect(bb.input.dims[0]).toBe(3);
    expect(bb.hash).toMatch(/^[0-9a-f]{64}$/);
    // the classifier's own head is gone
    expect(bb.model.graph.initializer.some((t) => t.name === 'fc_0.w_0')).toBe(false);
  });

  it('extracts features equal to the original opset-9 model run by plain ORT, and pooling the 4-D tensor gives the same vector', async () => {
    const x = images(3);
    const bb = loadBackbone(ocrModels.classifier);
    const pooled = loadBackbone(ocrModels.classifier, { at: 'p2o.GlobalAveragePool.19', pool: 'avg' });
    expect(pooled.pool).toBe('avg');
    expect(pooled.featureDim).toBe(200);
    const a = (await extractFeatures(bb, { x, y: labels(3) }, { batchSize: 2 })).dataset.x;
    const b = (await extractFeatures(pooled, { x, y: labels(3) })).dataset.x;
    expect(a.dims).toEqual([3, 200]);
    // reference: the untouched model file (opset 9, Constant weights) cut at the same tensor, run by ORT
    const original = cutModel(loadModel(ocrModels.classifier), 'reshape2_0.tmp_0');
    const s = await createSession(original);
    const ref = await fromOrtTensorAsync((await s.run({ x }))['reshape2_0.tmp_0']!);
    await s.release();
    const scale = Math.max(...(ref.data as Float32Array).map(Math.abs));
    let errA = 0;
    let errB = 0;
    (ref.data as Float32Array).forEach((v, i) => {
      errA = Math.max(errA, Math.abs((a.data as Float32Array)[i]! - v));
      errB = Math.max(errB, Math.abs((b.data as Float32Array)[i]! - v));
    });
    expect(scale).toBeGreaterThan(0);
    expect(errA / scale).toBeLessThan(1e-5);
    expect(errB / scale).toBeLessThan(1e-5);
  });

  it('names close tensors when the cut point does not exist', () => {
    expect(() => loadBackbone(ocrModels.classifier, { at: 'reshape2_0.tmp' })).toThrow(UnknownTensorError);
    try {
      loadBackbone(ocrModels.classifier, { at: 'reshape2_0.tmp' });
    } catch (e) {
      expect((e as UnknownTensorError).candidates).toContain('reshape2_0.tmp_0');
    }
  });

  it('rejects channels-last data for a channels-first backbone with a layout hint', async () => {
    const bb = loadBackbone(ocrModels.classifier);
    const nhwc: TensorValue = { dataType: DataType.FLOAT, dims: [2, 48, 192, 3], data: new Float32Array(2 * 48 * 192 * 3) };
    const err = await extractFeatures(bb, { x: nhwc, y: labels(2) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShapeMismatchError);
    expect((err as Error).message).toMatch(/backbone input 'x'.*NHWC.*layout: 'NCHW'/s);
  });

  it('refuses a head whose input width differs from the feature width', () => {
    const bb = loadBackbone(ocrModels.classifier);
    expect(() => attachHead(bb, buildHead({ inputDim: 128, classes: 3 }))).toThrow(/expected dims \[N, 128\] but got \[N, 200\].*inputDim 200/);
    const merged = attachHead(bb, buildHead({ inputDim: 200, classes: 3 }));
    expect(merged.graph.output.map((o) => o.name)).toEqual(['logits']);
    expect(merged.graph.input.map((i) => i.name)).toEqual(['x']);
  });
});
