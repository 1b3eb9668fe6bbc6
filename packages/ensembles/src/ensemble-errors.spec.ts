import { describe, expect, it } from 'vitest';
import { buildMlp } from '@anneal/engine';
import { DataType, GraphBuilder, tensors, type ModelProto } from '@anneal/onnx';
import { ensembleModel } from './ensemble-model.js';
import { EnsembleError } from './errors.js';

const a = buildMlp({ sizes: [8, 16, 3], seed: 1 });
const b = buildMlp({ sizes: [8, 16, 3], seed: 2 });

/** x [N, 8] -> MatMul -> logits [N, 3] at a given opset. */
function tiny(opset: number, extra: (b: GraphBuilder) => void = () => {}): ModelProto {
  const g = new GraphBuilder({ opset });
  g.input('x', DataType.FLOAT, ['N', 8]);
  g.op('MatMul', ['x', g.initializer(tensors.float('w', [8, 3], new Float32Array(24)))], {}, { output: 'logits' });
  g.output('logits', DataType.FLOAT, ['N', 3]);
  extra(g);
  return g.build();
}

const fails = (f: () => unknown, message: RegExp) => {
  expect(f).toThrow(EnsembleError);
  expect(f).toThrow(message);
};

describe('ensembleModel refuses members that do not fit together, naming the member', () => {
  it('member count, class count, data input name / dims / element type', () => {
    fails(() => ensembleModel([a]), /^members: an ensemble needs at least 2 members, got 1$/);
    fails(() => ensembleModel([a, b, buildMlp({ sizes: [8, 16, 4], seed: 1 })]), /^members\[2\]: it predicts 4 classes, members\[0\] 3/);
    fails(() => ensembleModel([a, buildMlp({ sizes: [9, 16, 3], seed: 1 })]), /^members\[1\]: its data input 'x' FLOAT \[N, 9\] differs from members\[0\]'s 'x' FLOAT \[N, 8\]/);
    const renamed = structuredClone(b);
    renamed.graph.input[0]!.name = 'image';
    renamed.graph.node[0]!.input[0] = 'image';
    fails(() => ensembleModel([a, renamed]), /^members\[1\]: its data input 'image' FLOAT \[N, 8\] differs/);
    const double = structuredClone(b);
    double.graph.input[0]!.type!.tensorType!.elemType = DataType.DOUBLE;
    fails(() => ensembleModel([a, double]), /^members\[1\]: its data input 'x' DOUBLE \[N, 8\] differs from members\[0\]'s 'x' FLOAT/);
  });

  it('two data inputs, non-float logits, an input name the outputs need', () => {
    fails(() => ensembleModel([a, tiny(17, (g) => g.input('mask', DataType.FLOAT, ['N']))]), /^members\[1\]: a member needs exactly one data input, found 2 \(x, mask\)/);
    const ints = tiny(17);
    ints.graph.output[0]!.type!.tensorType!.elemType = DataType.INT64;
    fails(() => ensembleModel([a, ints]), /^members\[1\]: its output 'logits' is INT64, but members must output FLOAT logits/);
    const clash = structuredClone(a);
    clash.graph.input[0]!.name = 'votes';
    clash.graph.node[0]!.input[0] = 'votes';
    fails(() => ensembleModel([clash, structuredClone(clash)], { combine: 'vote' }), /^members\[0\]: its data input is named 'votes'/);
  });

  it('weights and names', () => {
    fails(() => ensembleModel([a, b], { weights: [1] }), /^weights: 1 weights given for 2 members/);
    fails(() => ensembleModel([a, b], { weights: [1, -1] }), /^weights\[1\]: is -1, but every weight must be a finite positive number/);
    fails(() => ensembleModel([a, b], { weights: [1, Number.NaN] }), /^weights\[1\]: is NaN/);
    fails(() => ensembleModel([a, b], { names: ['p', 'p'] }), /^options\.names\[1\]: 'p' is used twice/);
    fails(() => ensembleModel([a, b], { names: ['p/q', 'r'] }), /^options\.names\[0\]: 'p\/q' cannot prefix/);
    fails(() => ensembleModel([a, b], { names: ['p'] }), /^options\.names: 1 names given for 2 members/);
  });

  it('opsets: a member that cannot reach the highest opset, other domains at different versions', () => {
    fails(() => ensembleModel([a, tiny(22)]), /^members\[0\]: cannot be brought to opset 22 \(the highest among the members\)/);
    const withDomain = (version: number) => {
      const m = tiny(17);
      m.opsetImport.push({ domain: 'com.microsoft', version });
      return m;
    };
    fails(() => ensembleModel([withDomain(1), withDomain(2)]), /^members\[1\]: imports domain 'com.microsoft' version 2, members\[0\] version 1/);
    expect(ensembleModel([withDomain(1), withDomain(1)]).opsetImport).toEqual([{ domain: '', version: 17 }, { domain: 'com.microsoft', version: 1 }]);
  });
});
