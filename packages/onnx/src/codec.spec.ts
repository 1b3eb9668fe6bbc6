import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { ocrModels } from '@anneal/testing';
import { DataType, GraphBuilder, decodeModel, encodeModel, tensors, tensorToValue, attrs } from './index.js';


describe('ONNX codec', () => {
  it('round-trips a real PaddleOCR model byte-for-byte in meaning', () => {
    const bytes = readFileSync(ocrModels.classifier);
    const model = decodeModel(bytes, 'cls.onnx');
    expect(model.graph.node.length).toBeGreaterThan(50);
    expect(model.opsetImport[0]!.version).toBe(9);
    const again = decodeModel(encodeModel(model));
    expect(again.graph.node.map((n) => n.opType)).toEqual(model.graph.node.map((n) => n.opType));
    expect(again.graph.node.filter((n) => n.opType === 'Constant').length).toBeGreaterThan(10);
  });

  it('keeps zero-valued attributes through a round trip (keepdims=0, axis=0, beta=0.0)', () => {
    const b = new GraphBuilder({ opset: 17 });
    b.input('x', DataType.FLOAT, [2]);
    b.op('ReduceMean', ['x'], { keepdims: 0, axes: [0] });
    b.op('HardSigmoid', ['x'], { beta: 0 });
    const m = decodeModel(encodeModel(b.build()));
    expect(m.graph.node[0]!.attribute.find((a) => a.name === 'keepdims')!.i).toBe(0);
    expect(attrs(m.graph.node[0]!).int('keepdims', 1)).toBe(0);
    expect(m.graph.node[1]!.attribute[0]!.f).toBe(0);
    expect(attrs(m.graph.node[1]!).float('beta', 0.5)).toBe(0);
  });

  it('rejects bytes that are not a model with a typed error', () => {
    expect(() => decodeModel(new Uint8Array([1, 2, 3, 255, 255]), 'junk.onnx')).toThrow(/junk.onnx is not a valid ONNX model/);
  });

  it('builds a graph that ONNX Runtime runs', async () => {
    const b = new GraphBuilder({ opset: 17 });
    b.input('x', DataType.FLOAT, ['N', 3]);
    const w = b.initializer(tensors.float('w', [3, 2], [1, 2, 3, 4, 5, 6]));
    const y = b.op('Gemm', ['x', w], { alpha: 2 });
    const z = b.op('Add', [y, b.scalar(0.5)]);
    b.output(z, DataType.FLOAT, ['N', 2]);
    const model = b.build();
    const gemm = model.graph.node[0]!;
    expect(attrs(gemm).float('alpha', 1)).toBe(2);
    const session = await ort.InferenceSession.create(encodeModel(model));
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 1, 1]), [1, 3]) });
    expect(Array.from(out[z]!.data as Float32Array)).toEqual([2 * 9 + 0.5, 2 * 12 + 0.5]);
    const w2 = tensorToValue(model.graph.initializer[0]!);
    expect(Array.from(w2.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
