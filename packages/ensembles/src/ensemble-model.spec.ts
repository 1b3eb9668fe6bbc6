import { describe, expect, it } from 'vitest';
import { buildCnn, buildMlp } from '@anneal/engine';
import { DataType, encodeModel, type ModelProto, type TensorValue } from '@anneal/onnx';
import { createSession } from '@anneal/runtime';
import { maxRelativeError, randn } from '@anneal/testing';
import { averageWeights } from './average-weights';
import { ensembleMetrics } from './ensemble-metrics';
import { ensembleModel } from './ensemble-model';

async function run(model: ModelProto, x: TensorValue, device: 'cpu' | 'wasm' = 'cpu'): Promise<Record<string, Float32Array>> {
  const session = await createSession(encodeModel(model), { device });
  try {
    const out = await session.run({ x });
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, Float32Array.from(t.data as Float32Array)]));
  } finally {
    await session.release();
  }
}

const N = 7;
const C = 3;
const x: TensorValue = { dataType: DataType.FLOAT, dims: [N, 8], data: randn(N * 8, 11) };
const members = [1, 2, 3].map((seed) => buildMlp({ sizes: [8, 16, C], seed }));
const weights = [1, 2, 1];

function softmax(l: Float32Array): Float32Array {
  const p = new Float32Array(l.length);
  for (let r = 0; r < l.length / C; r++) {
    const row = l.subarray(r * C, r * C + C);
    const m = Math.max(...row);
    const e = Array.from(row, (v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    e.forEach((v, j) => (p[r * C + j] = v / s));
  }
  return p;
}

describe('ensembleModel', async () => {
  const memberLogits = await Promise.all(members.map(async (m) => Object.values(await run(m, x))[0]!));
  const mix = (f: (l: Float32Array) => Float32Array) => {
    const out = new Float32Array(N * C);
    memberLogits.forEach((l, i) => f(l).forEach((v, k) => (out[k]! += (weights[i]! / 4) * v)));
    return out;
  };
  const votes = () => {
    const out = new Float32Array(N * C);
    memberLogits.forEach((l, i) => {
      for (let r = 0; r < N; r++) {
        const row = Array.from(l.subarray(r * C, r * C + C));
        out[r * C + row.indexOf(Math.max(...row))]! += weights[i]! / 4;
      }
    });
    return out;
  };
  const cases = [
    ['mean-probability', 'probabilities', () => mix(softmax)],
    ['mean-logit', 'logits', () => mix((l) => l)],
    ['vote', 'votes', votes],
  ] as const;
  for (const [combine, output, expected] of cases) {
    it(`${combine}: one graph equals the members run alone and combined in JS, in onnxruntime-node and -web`, async () => {
      const model = ensembleModel(members, { combine, weights, memberOutputs: true });
      for (const device of ['cpu', 'wasm'] as const) {
        const out = await run(model, x, device);
        expect(maxRelativeError(out[output]!, expected())).toBeLessThan(1e-5);
        expect(maxRelativeError(out.member_logits!, Float32Array.from(memberLogits.flatMap((l) => Array.from(l))))).toBeLessThan(1e-5);
      }
    });
  }

  it('merges CNN members with BatchNormalization', async () => {
    const cnns = [5, 6].map((seed) => buildCnn({ input: [1, 8, 8], classes: 4, channels: [4], hidden: [8], batchNorm: true, seed }));
    const img: TensorValue = { dataType: DataType.FLOAT, dims: [2, 1, 8, 8], data: randn(128, 3) };
    const alone = await Promise.all(cnns.map(async (m) => softmax4(Object.values(await run(m, img))[0]!)));
    const out = await run(ensembleModel(cnns), img);
    expect(maxRelativeError(out.probabilities!, alone[0]!.map((v, k) => (v + alone[1]![k]!) / 2))).toBeLessThan(1e-5);
  });

  it('refuses members that do not fit together, naming the member', () => {
    expect(() => ensembleModel([members[0]!])).toThrow(/at least 2 members, got 1/);
    expect(() => ensembleModel([members[0]!, buildMlp({ sizes: [8, 16, 4], seed: 1 })])).toThrow(/members\[1\]: it predicts 4 classes/);
    expect(() => ensembleModel([members[0]!, buildMlp({ sizes: [9, 16, 3], seed: 1 })])).toThrow(/members\[1\]: its data input x FLOAT \[N, 9\] differs/);
    expect(() => ensembleModel(members, { weights: [1, -1, 1] })).toThrow(/weights: need 3 positive weights/);
  });
});

function softmax4(l: Float32Array): Float32Array {
  const p = new Float32Array(l.length);
  for (let r = 0; r < l.length / 4; r++) {
    const row = Array.from(l.subarray(r * 4, r * 4 + 4));
    const m = Math.max(...row);
    const s = row.reduce((a, v) => a + Math.exp(v - m), 0);
    row.forEach((v, j) => (p[r * 4 + j] = Math.exp(v - m) / s));
  }
  return p;
}

describe('averageWeights', () => {
  it('is the elementwise (weighted) mean of the float initializers', () => {
    const avg = averageWeights(members, [1, 1, 2]);
    const get = (m: ModelProto) => m.graph.initializer.find((t) => t.name === 'fc0.weight')!;
    const values = (m: ModelProto) => (get(m).floatData.length ? Float32Array.from(get(m).floatData) : new Float32Array(get(m).rawData!.slice().buffer));
    const expected = values(members[0]!).map((v, k) => (v + values(members[1]!)[k]! + 2 * values(members[2]!)[k]!) / 4);
    expect(maxRelativeError(values(avg), expected)).toBeLessThan(1e-6);
    expect(() => averageWeights([members[0]!, buildMlp({ sizes: [8, 17, 3], seed: 1 })])).toThrow(/members\[1\]: initializer 'fc0.weight' is FLOAT \[\d+, \d+\], members\[0\] has FLOAT/);
  });
});

describe('ensembleMetrics', () => {
  it('scores members and the combination exactly on a hand-made case', () => {
    // 2 members, 3 examples, 2 classes; labels 0, 1, 1
    const a = Float32Array.from([2, 0, 0, 2, 1, 0]); // predicts 0, 1, 0
    const b = Float32Array.from([0, 1, 0, 3, 0, 1]); // predicts 1, 1, 1
    const m = ensembleMetrics([a, b], [0, 1, 1], 2, 'mean-probability');
    expect(m.members.map((s) => s.accuracy)).toEqual([2 / 3, 2 / 3]);
    const s = (z: number) => 1 / (1 + Math.exp(-z)); // P(class 1) for logits (u, v) is s(v - u)
    const pa = [1 - s(-2), s(2), s(-1)];
    const pb = [1 - s(1), s(3), s(1)];
    expect(m.members[0]!.nll).toBeCloseTo(-(Math.log(pa[0]!) + Math.log(pa[1]!) + Math.log(pa[2]!)) / 3, 6);
    const mean = pa.map((v, i) => (v + pb[i]!) / 2); // probability of the true class
    expect(m.ensemble.nll).toBeCloseTo(-mean.reduce((acc, v) => acc + Math.log(v), 0) / 3, 6);
    // example 0: P(0) = (0.881 + 0.269) / 2 = 0.575 -> 0, correct; example 2: P(1) = (0.269 + 0.731) / 2 = 0.5 tie -> class 0, wrong
    expect(m.ensemble.accuracy).toBeCloseTo(2 / 3, 10);
    expect(m.meanMember.accuracy).toBeCloseTo(2 / 3, 10);
    expect(m.bestMember.index).toBe(0);
    const votes = ensembleMetrics([a, b], [0, 1, 1], 2, 'vote');
    expect(votes.ensemble.accuracy).toBeCloseTo(2 / 3, 10); // votes: ex0 1-1 tie -> 0 correct, ex1 0-2 -> 1 correct, ex2 1-1 tie -> 0 wrong
    expect(() => ensembleMetrics([a, Float32Array.from([1])], [0, 1, 1], 2)).toThrow(/memberLogits\[1\]: has 1 values, expected 3 x 2/);
  });
});
