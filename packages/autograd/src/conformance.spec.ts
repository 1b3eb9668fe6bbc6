import { describeGradientRuleConformance, describeLossConformance, randn, type GradientTestModel, type LossConformanceCases } from '@anneal/testing';
import { DataType, GraphBuilder, tensors, type TensorValue } from '@anneal/onnx';
import { describe, expect, it } from 'vitest';
import { builtinGradientRuleSets, builtinLosses } from './index.js';

/** Every built-in loss and gradient-rule set through its kind's conformance suite. */

const LOSSES: Record<string, LossConformanceCases> = {
  'cross-entropy': {
    valid: [{}, { labelSmoothing: 0.1 }, { classWeights: [1, 0.5, 2, 0.25] }, { labelSmoothing: 0.2, classWeights: [0.5, 1, 1, 3] }],
    invalid: [{ labelSmoothing: 1 }, { classWeights: [] }, { classWeights: [-1, 1, 1, 1] }, { reduction: 'sum' }],
  },
  'soft-target-cross-entropy': { valid: [{}, { labelSmoothing: 0.1 }], invalid: [{ labelSmoothing: 1 }, { classWeights: [1, 1, 1, 1] }] },
  'bce-with-logits': { valid: [{}, { posWeight: [2, 0.5, 1, 3] }], invalid: [{ posWeight: [] }, { posWeight: 2 }] },
  mse: { valid: [{}], invalid: [{ reduction: 'sum' }] },
};

const float = (dims: number[], seed: number, scale = 1): TensorValue => ({ dataType: DataType.FLOAT, dims, data: randn(dims.reduce((a, b) => a * b, 1), seed, scale) });
const init = (b: GraphBuilder, name: string, dims: number[], seed: number, scale = 0.5) => b.initializer(tensors.float(name, dims, randn(dims.reduce((a, c) => a * c, 1), seed, scale)));
/** Every branch flattened and concatenated: one output, every element of every branch weighted. */
const collect = (b: GraphBuilder, outputs: string[]) => {
  const out = b.op('Concat', outputs.map((t) => b.op('Reshape', [t, b.ints([-1])])), { axis: 0 }, { output: 'out' });
  b.output(out, DataType.FLOAT);
  return b.build();
};

/** Small graphs over most op families of the built-in rules (each family also has its own spec under rules/). */
function builtinRuleModels(): GradientTestModel[] {
  const models: GradientTestModel[] = [];
  {
    const b = new GraphBuilder({ opset: 17 });
    const x = b.input('x', DataType.FLOAT, [3, 4]);
    const h = b.op('Tanh', [b.op('Add', [b.op('MatMul', [x, init(b, 'w1', [4, 5], 1)]), init(b, 'b1', [5], 2)])]);
    const y = b.op('Gemm', [h, init(b, 'w2', [2, 5], 3), init(b, 'b2', [2], 4)], { transB: 1, alpha: 0.7 });
    const z = b.op('Sigmoid', [b.op('Mul', [b.op('Sub', [y, b.op('Neg', [y])]), b.op('LeakyRelu', [y], { alpha: 0.1 })])]);
    models.push({ name: 'dense layers (MatMul, Gemm, Add, Sub, Mul, Neg, Tanh, Sigmoid, LeakyRelu)', model: collect(b, [z, b.op('Elu', [h])]), feeds: { x: float([3, 4], 5) }, wrt: ['x', 'w1', 'b1', 'w2', 'b2'] });
  }
  {
    const b = new GraphBuilder({ opset: 17 });
    const x = b.input('x', DataType.FLOAT, [2, 5]);
    const positive = b.op('Add', [b.op('Mul', [x, x]), b.scalar(0.5)]);
    const math = b.op('Div', [b.op('Sqrt', [positive]), b.op('Add', [b.op('Exp', [x]), b.op('Log', [positive])])]);
    const more = b.op('Sum', [b.op('Pow', [positive, b.scalar(1.5)]), b.op('Reciprocal', [positive]), b.op('Softplus', [x]), b.op('Abs', [x])]);
    models.push({ name: 'softmax and elementwise math (Softmax, LogSoftmax, Exp, Log, Sqrt, Pow, Div, Reciprocal, Sum, Softplus, Abs)', model: collect(b, [b.op('Softmax', [x], { axis: 1 }), b.op('LogSoftmax', [x], { axis: 0 }), math, more]), feeds: { x: float([2, 5], 6) }, wrt: ['x'] });
  }
  {
    const b = new GraphBuilder({ opset: 17 });
    const x = b.input('x', DataType.FLOAT, [2, 3, 4]);
    const ln = b.op('LayerNormalization', [x, init(b, 'ln.scale', [4], 7), init(b, 'ln.bias', [4], 8)], { axis: -1, epsilon: 1e-5 });
    const inorm = b.op('InstanceNormalization', [x, init(b, 'in.scale', [3], 9), init(b, 'in.bias', [3], 10)], { epsilon: 1e-5 });
    const stats = (name: string, values: number[]) => b.initializer(tensors.float(name, [3], values));
    const bn = b.op('BatchNormalization', [x, init(b, 'bn.scale', [3], 11), init(b, 'bn.bias', [3], 12), stats('bn.mean', [0.1, -0.2, 0.3]), stats('bn.var', [1.5, 0.7, 1.1])], { epsilon: 1e-5 });
    models.push({ name: 'normalization (LayerNormalization, InstanceNormalization, BatchNormalization)', model: collect(b, [ln, inorm, bn]), feeds: { x: float([2, 3, 4], 13) }, wrt: ['x', 'ln.scale', 'ln.bias', 'in.scale', 'in.bias', 'bn.scale', 'bn.bias'] });
  }
  {
    const b = new GraphBuilder({ opset: 17 });
    const x = b.input('x', DataType.FLOAT, [2, 3, 4]);
    const t = b.op('Transpose', [x], { perm: [0, 2, 1] });
    const r = b.op('Reshape', [t, b.ints([2, 12])]);
    const sliced = b.op('Slice', [r, b.ints([1]), b.ints([9]), b.ints([1]), b.ints([2])]);
    const gathered = b.op('Gather', [x, b.initializer(tensors.int64('idx', [2], [2, 0]))], { axis: 1 });
    const [left, right] = b.node('Split', [x, b.ints([1, 3])], { axis: 2 }, { outputs: 2 }) as [string, string];
    const squeezed = b.op('Squeeze', [b.op('Unsqueeze', [left, b.ints([0])]), b.ints([0, 3])]);
    const padded = b.op('Pad', [right, b.ints([0, 0, 1, 0, 1, 0]), b.scalar(0)]);
    const tiled = b.op('Tile', [b.op('Expand', [b.op('Flatten', [squeezed], { axis: 1 }), b.ints([2, 2, 3])]), b.ints([1, 2, 1])]);
    const concat = b.op('Concat', [sliced, b.op('Identity', [sliced])], { axis: 0 });
    models.push({ name: 'shape ops (Transpose, Reshape, Slice, Gather, Split, Squeeze, Unsqueeze, Pad, Flatten, Expand, Tile, Concat, Identity)', model: collect(b, [concat, gathered, padded, tiled]), feeds: { x: float([2, 3, 4], 14) }, wrt: ['x'] });
  }
  {
    const b = new GraphBuilder({ opset: 17 });
    const x = b.input('x', DataType.FLOAT, [3, 4]);
    const y = b.input('y', DataType.FLOAT, [3, 4]);
    const reductions = [
      b.op('ReduceSum', [x, b.ints([1])], { keepdims: 1 }),
      b.op('ReduceMean', [y], { axes: [0], keepdims: 0 }),
      b.op('ReduceSumSquare', [x], { axes: [1], keepdims: 0 }),
      b.op('ReduceL2', [y], { axes: [0], keepdims: 0 }),
      b.op('ReduceMax', [x], { axes: [1], keepdims: 0 }),
    ];
    const cond = b.initializer(tensors.bool('cond', [3, 4], Array.from({ length: 12 }, (_, i) => i % 3 === 0)));
    const select = [b.op('Max', [x, y]), b.op('Min', [x, y]), b.op('Where', [cond, x, y]), b.op('Clip', [x, b.scalar(-0.5), b.scalar(0.8)])];
    models.push({ name: 'reductions and selection (ReduceSum/Mean/SumSquare/L2/Max, Max, Min, Where, Clip)', model: collect(b, [...reductions, ...select]), feeds: { x: float([3, 4], 15), y: float([3, 4], 16) }, wrt: ['x', 'y'] });
  }
  {
    const b = new GraphBuilder({ opset: 17 });
    const x = b.input('x', DataType.FLOAT, [1, 2, 6, 6]);
    const conv = b.op('Conv', [x, init(b, 'conv.weight', [3, 2, 3, 3], 17), init(b, 'conv.bias', [3], 18)], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
    const pools = [b.op('MaxPool', [conv], { kernel_shape: [2, 2], strides: [2, 2] }), b.op('AveragePool', [conv], { kernel_shape: [3, 3], strides: [3, 3] }), b.op('GlobalAveragePool', [conv])];
    // no float64 Conv kernel in ORT: checked in float32 (looser bound)
    models.push({ name: 'convolution and pooling (Conv, MaxPool, AveragePool, GlobalAveragePool; float32)', model: collect(b, pools), feeds: { x: float([1, 2, 6, 6], 19) }, wrt: ['x', 'conv.weight', 'conv.bias'] });
  }
  {
    const b = new GraphBuilder({ opset: 17 });
    const x = b.input('x', DataType.FLOAT, [4, 3]);
    const labels = b.initializer(tensors.int64('labels', [4], [2, 0, 1, 2]));
    const [ce] = b.node('SoftmaxCrossEntropyLoss', [x, labels], { reduction: 'none' }, { outputs: 1 });
    const nll = b.op('NegativeLogLikelihoodLoss', [b.op('LogSoftmax', [x], { axis: 1 }), labels], { reduction: 'mean' });
    models.push({ name: 'loss ops (SoftmaxCrossEntropyLoss, NegativeLogLikelihoodLoss)', model: collect(b, [ce!, nll]), feeds: { x: float([4, 3], 20) }, wrt: ['x'] });
  }
  return models;
}

describe('conformance of the built-ins of @anneal/autograd', () => {
  it('covers every built-in loss and gradient-rule set', () => {
    expect(Object.keys(LOSSES).sort()).toEqual(builtinLosses.map((d) => d.id).sort());
    expect(builtinGradientRuleSets.map((d) => d.id)).toEqual(['onnx-standard']);
  });
});

for (const d of builtinLosses) if (LOSSES[d.id]) describeLossConformance(d, LOSSES[d.id]!);
for (const d of builtinGradientRuleSets) {
  describeGradientRuleConformance(d, {
    valid: [{}],
    invalid: [{ ops: ['Relu'] }],
    models: builtinRuleModels(),
    // the standard set covers ~90 ops; each op family has its own finite-difference spec under rules/
    coverAllOps: false,
  });
}
