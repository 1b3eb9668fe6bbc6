import { describe, expect, it } from 'vitest';
import { TrainSession } from '@anneal/engine';
import { DataType, encodeModel, type TensorValue } from '@anneal/onnx';
import { adam } from '@anneal/optim';
import { createSession, fromOrtTensorAsync } from '@anneal/runtime';
import { ocrModels } from '@anneal/testing';
import { attachHead } from './attach.js';
import { loadBackbone } from './backbone.js';
import { extractFeatures } from './features.js';
import { buildHead } from './head.js';

const n = 6;
const x: TensorValue = { dataType: DataType.FLOAT, dims: [n, 3, 48, 192], data: Float32Array.from({ length: n * 3 * 48 * 192 }, (_, i) => Math.sin(i * 0.0021) * Math.cos(i * 0.013)) };
const y: TensorValue = { dataType: DataType.INT64, dims: [n], data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i % 3)) };

async function run(bytes: Uint8Array, device: 'cpu' | 'wasm'): Promise<Float32Array> {
  const s = await createSession(bytes, { device });
  expect(s.device).toBe(device);
  const out = await fromOrtTensorAsync((await s.run({ x }))[s.outputNames[0]!]!);
  await s.release();
  return out.data as Float32Array;
}

describe('exporting backbone + head as one inference model', () => {
  it('a head trained on cached PaddleOCR features, attached to the backbone, runs the same in onnxruntime-node and onnxruntime-web', async () => {
    const backbone = loadBackbone(ocrModels.classifier);
    const { dataset } = await extractFeatures(backbone, { x, y });
    const head = buildHead({ inputDim: 200, classes: 3, hidden: [16], seed: 1 });
    const session = await TrainSession.create({ model: head, loss: { kind: 'cross-entropy' }, optimizer: { optimizer: adam(), lr: 1e-2 }, sample: { features: dataset.x, labels: y } });
    for (let i = 0; i < 10; i++) await session.step({ features: dataset.x, labels: y });
    const trainedHead = await session.exportInference(head);
    const fromFeatures = (await session.predict({ features: dataset.x })).data as Float32Array;
    await session.release();
    const bytes = encodeModel(attachHead(backbone, trainedHead));
    const node = await run(bytes, 'cpu');
    const web = await run(bytes, 'wasm');
    expect(node.length).toBe(n * 3);
    const scale = Math.max(...node.map(Math.abs));
    let webErr = 0;
    let headErr = 0;
    node.forEach((v, i) => {
      webErr = Math.max(webErr, Math.abs(web[i]! - v));
      headErr = Math.max(headErr, Math.abs(fromFeatures[i]! - v));
    });
    expect(webErr / scale).toBeLessThan(1e-4);
    expect(headErr / scale).toBeLessThan(1e-5);
  });
});
