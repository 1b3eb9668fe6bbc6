import { describeModelConformance, type ModelConformanceCases } from '@anneal/testing';
import { encodeModel } from '@anneal/onnx';
import { describe, expect, it } from 'vitest';
import { buildCnn, buildMlp, builtinModels } from './index.js';

/** Every built-in model through the model conformance suite. */

const flat = { inputDims: [6], classes: 3 };
const image = { inputDims: [1, 8, 8], classes: 3 };
// an ONNX file the `onnx` model reads by relative path: a small CNN, batch axis symbolic
const file = encodeModel(buildCnn({ input: [1, 8, 8], classes: 3, channels: [3], hidden: [], seed: 4 }));

const MODELS: Record<string, ModelConformanceCases> = {
  mlp: {
    valid: [{ hidden: [8] }, { hidden: [5, 4], activation: 'tanh', dropout: 0.2, seed: 3 }, { hidden: [6], activation: 'gelu' }],
    invalid: [{ hidden: [0] }, { activation: 'sigmoid' }, { dropout: 1 }],
    data: flat,
  },
  cnn: {
    valid: [{ channels: [4], hidden: [8] }, { channels: [2, 3], kernel: 1, downsample: 'stride', hidden: [], batchNorm: true, dropout: 0.1 }],
    invalid: [{ channels: [] as number[], kernel: 0 }, { downsample: 'avgpool' }, { kernel: 2.5 }],
    data: image,
  },
  onnx: {
    valid: [{ path: 'models/tiny-cnn.onnx' }, { path: 'models/tiny-cnn.onnx', inputName: 'x', trainable: ['fc0.weight', 'fc0.bias'] }],
    invalid: [{}, { path: '' }, { path: 'm.onnx', trainable: [] }],
    data: image,
    files: { 'models/tiny-cnn.onnx': file },
  },
};

describe('model conformance of the built-ins', () => {
  it('covers every built-in model', () => {
    expect(Object.keys(MODELS).sort()).toEqual(builtinModels.map((d) => d.id).sort());
  });

  it('the onnx fixture names the tensors its option sets train', () => {
    const names = buildCnn({ input: [1, 8, 8], classes: 3, channels: [3], hidden: [], seed: 4 }).graph.initializer.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['fc0.weight', 'fc0.bias']));
    expect(buildMlp({ sizes: [6, 8, 3] }).graph.input.map((i) => i.name)).toEqual(['x']);
  });
});

for (const d of builtinModels) if (MODELS[d.id]) describeModelConformance(d, MODELS[d.id]!);
