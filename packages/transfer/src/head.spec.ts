import { describe, expect, it } from 'vitest';
import { listParameters } from '@anneal/autograd';
import { DataType, encodeModel, type TensorValue } from '@anneal/onnx';
import { createSession, fromOrtTensorAsync } from '@anneal/runtime';
import { TransferError } from './errors.js';
import { buildHead, featureStatistics, headInputDim } from './head.js';

const features: TensorValue = { dataType: DataType.FLOAT, dims: [4, 3], data: Float32Array.from([1, 10, 5, 3, 10, -5, 5, 10, 5, 7, 10, -5]) };

async function logits(model: Parameters<typeof encodeModel>[0], x: TensorValue): Promise<number[]> {
  const s = await createSession(encodeModel(model));
  const out = await fromOrtTensorAsync((await s.run({ features: x }))['logits']!);
  await s.release();
  return Array.from(out.data as Float32Array);
}

describe('buildHead', () => {
  it('is a seeded linear or MLP head with head.* parameters', () => {
    const linear = buildHead({ inputDim: 3, classes: 2 });
    expect(listParameters(linear)).toEqual(['head.fc0.weight', 'head.fc0.bias']);
    expect(headInputDim(linear)).toBe(3);
    const mlp = buildHead({ inputDim: 3, classes: 2, hidden: [8, 4], dropout: 0.1 });
    expect(listParameters(mlp)).toEqual(['head.fc0.weight', 'head.fc0.bias', 'head.fc1.weight', 'head.fc1.bias', 'head.fc2.weight', 'head.fc2.bias']);
    expect(() => buildHead({ inputDim: 0, classes: 2 })).toThrow(TransferError);
  });

  it('feature statistics: per-column mean and sqrt(variance + eps), eps 1% of the mean variance', () => {
    const { mean, std } = featureStatistics(features);
    expect(Array.from(mean)).toEqual([4, 10, 0]);
    // variances 5, 0, 25: eps = 0.01 * 10
    expect(std[0]).toBeCloseTo(Math.sqrt(5.1), 6);
    expect(std[1]).toBeCloseTo(Math.sqrt(0.1), 6);
    expect(std[2]).toBeCloseTo(Math.sqrt(25.1), 6);
    expect(featureStatistics(features, { eps: 0 }).std[2]).toBeCloseTo(5, 6);
  });

  it('standardizes inside the graph: equal to the same head on (f - mean) / std, with no extra parameters', async () => {
    const stats = featureStatistics(features);
    const withStd = buildHead({ inputDim: 3, classes: 2, seed: 5, standardize: stats });
    expect(listParameters(withStd)).toEqual(['head.fc0.weight', 'head.fc0.bias']);
    const plain = buildHead({ inputDim: 3, classes: 2, seed: 5 });
    const x = features.data as Float32Array;
    const standardized: TensorValue = { ...features, data: Float32Array.from(x, (v, i) => (v - stats.mean[i % 3]!) / stats.std[i % 3]!) };
    const a = await logits(withStd, features);
    const b = await logits(plain, standardized);
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 5));
    expect(() => buildHead({ inputDim: 4, classes: 2, standardize: stats })).toThrow(/4 means and stds/);
  });
});
