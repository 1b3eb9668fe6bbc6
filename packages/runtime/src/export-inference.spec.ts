import { describe, expect, it } from 'vitest';
import { DataType, GraphBuilder, UnknownTensorError, decodeModel, encodeModel, tensors } from '@anneal/onnx';
import { createSession } from './create-session.js';
import { exportInferenceModel } from './export-inference.js';
import { TensorMismatchError } from './errors.js';
import type { Device } from './warnings.js';

/**
 * A train-step-shaped graph: inputs x, labels, lr and the trainable w; a frozen initializer b.
 * logits = x @ w + b; loss = sum((logits - labels)^2); w_new = w - lr * x^T (2 (logits - labels)).
 */
function trainStep() {
  const b = new GraphBuilder({ opset: 17, name: 'train_step' });
  b.input('x', DataType.FLOAT, ['N', 2]);
  b.input('labels', DataType.FLOAT, ['N', 1]);
  b.input('lr', DataType.FLOAT, []);
  b.input('w', DataType.FLOAT, [2, 1]);
  const bias = b.initializer(tensors.float('b', [1], [0.5]));
  const logits = b.op('Add', [b.op('MatMul', ['x', 'w']), bias], {}, { output: 'logits' });
  const diff = b.op('Sub', [logits, 'labels']);
  b.op('ReduceSumSquare', [diff], { keepdims: 0 }, { output: 'loss' });
  const grad = b.op('MatMul', [b.op('Transpose', ['x'], { perm: [1, 0] }), b.op('Mul', [diff, b.scalar(2)])]);
  b.op('Sub', ['w', b.op('Mul', ['lr', grad])], {}, { output: 'w_new' });
  b.output('logits', DataType.FLOAT, ['N', 1]);
  b.output('loss', DataType.FLOAT, []);
  b.output('w_new', DataType.FLOAT, [2, 1]);
  return b.build();
}

const trained = { dataType: DataType.FLOAT, dims: [2, 1], data: new Float32Array([3, -1]) };

describe('exportInferenceModel', () => {
  it('turns trained parameters into initializers and drops non-inference inputs; node and wasm both run it', async () => {
    const source = trainStep();
    const model = exportInferenceModel(source, { w: trained }, { outputs: ['logits'] });
    expect(model.graph.input.map((i) => i.name)).toEqual(['x']);
    expect(model.graph.output.map((o) => o.name)).toEqual(['logits']);
    expect(model.graph.initializer.map((t) => t.name).sort()).toEqual(['b', 'w']);
    expect(model.graph.node.map((n) => n.opType)).toEqual(['MatMul', 'Add']);
    expect(source.graph.input).toHaveLength(4); // source untouched
    const bytes = encodeModel(model); // a plain ONNX file
    decodeModel(bytes);
    const x = { dataType: DataType.FLOAT, dims: [2, 2], data: new Float32Array([1, 2, -1, 0.5]) };
    for (const device of ['cpu', 'wasm'] as Device[]) {
      const s = await createSession(bytes, { device });
      expect(s.device).toBe(device);
      const { logits } = await s.run({ x });
      expect(Array.from(logits!.data as Float32Array), device).toEqual([3 - 2 + 0.5, -3 - 0.5 + 0.5]);
      await s.release();
    }
  });

  it('replaces existing initializers and keeps all outputs by default', async () => {
    const model = exportInferenceModel(trainStep(), { w: trained, b: { dataType: DataType.FLOAT, dims: [1], data: new Float32Array([10]) } }, { outputs: ['logits'] });
    const s = await createSession(model);
    const { logits } = await s.run({ x: { dataType: DataType.FLOAT, dims: [1, 2], data: new Float32Array([1, 1]) } });
    expect(Array.from(logits!.data as Float32Array)).toEqual([12]);
    await s.release();
    const full = exportInferenceModel(trainStep(), { w: trained });
    expect(full.graph.input.map((i) => i.name)).toEqual(['x', 'labels', 'lr']);
  });

  it('rejects unknown parameter names, dtype and shape mismatches', () => {
    expect(() => exportInferenceModel(trainStep(), { W: trained })).toThrow(UnknownTensorError);
    expect(() => exportInferenceModel(trainStep(), { w: { ...trained, dims: [1, 2] } })).toThrow(/has shape \[1, 2\] but the model declares \[2, 1\]/);
    expect(() => exportInferenceModel(trainStep(), { w: { dataType: DataType.DOUBLE, dims: [2, 1], data: new Float64Array(2) } })).toThrow(TensorMismatchError);
  });
});
