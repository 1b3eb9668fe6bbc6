import { describe, expect, it } from 'vitest';
import { buildCnn, buildMlp } from '@anneal/engine';
import { DataType, tensors, tensorToValue, type ModelProto } from '@anneal/onnx';
import { maxRelativeError } from '@anneal/testing';
import { averageWeights } from './average-weights.js';
import { EnsembleError } from './errors.js';

const members = [1, 2, 3].map((seed) => buildMlp({ sizes: [8, 16, 3], seed }));
const floats = (m: ModelProto, name: string) => Array.from(tensorToValue(m.graph.initializer.find((t) => t.name === name)!).data as Float32Array);

describe('averageWeights', () => {
  it('every float initializer is the elementwise (weighted) mean; the graph is members[0]`s', () => {
    const uniform = averageWeights(members);
    const weighted = averageWeights(members, [1, 1, 2]);
    for (const name of ['fc0.weight', 'fc0.bias', 'fc1.weight', 'fc1.bias']) {
      const [p, q, r] = members.map((m) => floats(m, name));
      expect(maxRelativeError(floats(uniform, name), p!.map((v, k) => (v + q![k]! + r![k]!) / 3))).toBeLessThan(1e-7);
      expect(maxRelativeError(floats(weighted, name), p!.map((v, k) => v / 4 + q![k]! / 4 + r![k]! / 2))).toBeLessThan(1e-7);
    }
    expect(uniform.graph.node).toEqual(members[0]!.graph.node);
    expect(floats(members[0]!, 'fc0.bias')).not.toEqual(floats(uniform, 'fc0.bias'));
  });

  it('averages BatchNormalization CNNs tensor by tensor', () => {
    const cnns = [5, 6].map((seed) => buildCnn({ input: [1, 8, 8], classes: 4, channels: [4], hidden: [8], batchNorm: true, seed }));
    const avg = averageWeights(cnns);
    const names = cnns[0]!.graph.initializer.filter((t) => t.dataType === DataType.FLOAT).map((t) => t.name!);
    expect(names.length).toBeGreaterThan(4);
    for (const name of names) {
      const [p, q] = cnns.map((m) => floats(m, name));
      expect(maxRelativeError(floats(avg, name), p!.map((v, k) => (v + q![k]!) / 2), 1e-30), name).toBeLessThan(1e-7);
    }
  });

  it('copies integer initializers that are equal across members', () => {
    const [s1, s2] = members.slice(0, 2).map((m) => ({ ...m, graph: { ...m.graph, initializer: [...m.graph.initializer, tensors.int64('shape', [2], [-1, 8])] } }));
    const avg = averageWeights([s1!, s2!]);
    expect(tensorToValue(avg.graph.initializer.find((t) => t.name === 'shape')!)).toEqual({ dataType: DataType.INT64, dims: [2], data: BigInt64Array.from([-1n, 8n]) });
  });

  it('names the first mismatch: shape, missing or extra tensor, differing integers, other graph, bad weights', () => {
    const fails = (f: () => unknown, message: RegExp) => {
      expect(f).toThrow(EnsembleError);
      expect(f).toThrow(message);
    };
    fails(() => averageWeights([members[0]!, buildMlp({ sizes: [8, 17, 3], seed: 1 })]), /^members\[1\]: initializer 'fc0.weight' is FLOAT \[8, 17\], members\[0\] has FLOAT \[8, 16\]/);
    const missing = structuredClone(members[1]!);
    missing.graph.initializer = missing.graph.initializer.filter((t) => t.name !== 'fc1.bias');
    fails(() => averageWeights([members[0]!, missing]), /^members\[1\]: has no initializer 'fc1.bias'/);
    const extra = structuredClone(members[1]!);
    extra.graph.initializer.push(tensors.float('ema.step', [], [1]));
    fails(() => averageWeights([members[0]!, extra]), /^members\[1\]: has initializer 'ema.step' that members\[0\] lacks/);
    const [s1, s2] = [members[0]!, members[1]!].map((m, i) => ({ ...structuredClone(m), graph: { ...structuredClone(m.graph), initializer: [...m.graph.initializer, tensors.int64('shape', [2], [-1, 8 + i])] } }));
    fails(() => averageWeights([s1!, s2!]), /^members\[1\]: INT64 initializer 'shape' differs from members\[0\]'s/);
    fails(() => averageWeights([members[0]!, buildMlp({ sizes: [8, 16, 3], seed: 1, activation: 'tanh' })]), /^members\[1\]: its graph differs from members\[0\]'s at node 1 \(Tanh vs Relu\)/);
    fails(() => averageWeights(members, [1, 0, 1]), /^weights\[1\]: is 0/);
    fails(() => averageWeights([]), /^members: nothing to average/);
  });
});
