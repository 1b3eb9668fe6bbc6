import { describe, expect, it } from 'vitest';
import { buildCnn, buildMlp } from '@anneal/engine';
import { DataType, defaultOpset, type TensorValue } from '@anneal/onnx';
import { maxRelativeError, randn } from '@anneal/testing';
import { ensembleMetrics } from './ensemble-metrics.js';
import { ENSEMBLE_METADATA_KEY, ensembleModel } from './ensemble-model.js';
import { argmaxRows, runModel, softmaxRows } from './test-harness.js';

const N = 32;
const C = 3;
const x: TensorValue = { dataType: DataType.FLOAT, dims: [N, 8], data: randn(N * 8, 11) };
const members = [1, 2, 3].map((seed) => buildMlp({ sizes: [8, 16, C], seed }));
const weights = [1, 2, 1];
const total = 4;

/** Σ w_i f(logits_i) / Σ w over the members' logits. */
const weightedMean = (logits: number[][], f: (l: number[]) => number[]) => {
  const out = new Array<number>(N * C).fill(0);
  logits.forEach((l, i) => f(l).forEach((v, k) => (out[k]! += (weights[i]! / total) * v)));
  return out;
};

describe('ensembleModel', async () => {
  const alone = await Promise.all(members.map(async (m) => (await runModel(m, x)).logits!));
  const probabilities = weightedMean(alone, (l) => softmaxRows(l, C));
  const votes = new Array<number>(N * C).fill(0);
  alone.forEach((l, i) => argmaxRows(l, C).forEach((j, r) => (votes[r * C + j]! += weights[i]!)));
  const tied = (r: number) => votes.slice(r * C, r * C + C).filter((v) => v === Math.max(...votes.slice(r * C, r * C + C))).length > 1;
  const prediction = Array.from({ length: N }, (_, r) => {
    const top = Math.max(...votes.slice(r * C, r * C + C));
    let pick = -1;
    for (let j = 0; j < C; j++) if (votes[r * C + j] === top && (pick < 0 || probabilities[r * C + j]! > probabilities[r * C + pick]!)) pick = j;
    return pick;
  });
  const expected = {
    'mean-probability': { probabilities },
    'mean-logit': { logits: weightedMean(alone, (l) => l) },
    vote: { votes, probabilities, prediction },
  } as const;

  for (const combine of ['mean-probability', 'mean-logit', 'vote'] as const) {
    it(`${combine}: the one graph equals the members run alone and combined in JS, in onnxruntime-node and -web`, async () => {
      const model = ensembleModel(members, { combine, weights, memberOutputs: true });
      expect(model.graph.output.map((o) => o.name)).toEqual([...Object.keys(expected[combine]), 'member_logits']);
      for (const device of ['cpu', 'wasm'] as const) {
        const out = await runModel(model, x, device);
        for (const [name, want] of Object.entries(expected[combine])) {
          if (name === 'prediction' || name === 'votes') expect(out[name], `${name} on ${device}`).toEqual(want);
          else expect(maxRelativeError(out[name]!, want), `${name} on ${device}`).toBeLessThan(1e-5);
        }
        expect(maxRelativeError(out.member_logits!, alone.flat())).toBeLessThan(1e-5);
      }
    });
  }

  it('vote: tied rows go to the higher mean probability (the data has ties where the lowest index would lose)', async () => {
    const ties = Array.from({ length: N }, (_, r) => r).filter(tied);
    expect(ties.length).toBeGreaterThan(0);
    expect(ties.some((r) => prediction[r] !== argmaxRows(votes.slice(r * C, r * C + C), C)[0])).toBe(true);
    const out = await runModel(ensembleModel(members, { combine: 'vote', weights }), x);
    expect(ties.map((r) => out.prediction![r])).toEqual(ties.map((r) => prediction[r]));
    const labels = Array.from({ length: N }, (_, r) => r % C);
    const metrics = ensembleMetrics(alone.map((l) => Float32Array.from(l)), labels, C, 'vote', weights);
    expect(metrics.ensemble.accuracy).toBe(out.prediction!.filter((p, r) => p === labels[r]).length / N);
  });

  it('names members, keeps shared initializer names apart and records how it was built', () => {
    const model = ensembleModel(members, { names: ['a', 'b', 'c'] });
    const inits = model.graph.initializer.map((t) => t.name);
    expect(inits).toEqual(expect.arrayContaining(['a/fc0.weight', 'b/fc0.weight', 'c/fc0.weight']));
    expect(new Set(inits).size).toBe(inits.length);
    expect(model.graph.input.map((i) => i.name)).toEqual(['x']);
    expect(JSON.parse(model.metadataProps.find((p) => p.key === ENSEMBLE_METADATA_KEY)!.value)).toEqual({ combine: 'mean-probability', members: ['a', 'b', 'c'], weights: [1, 1, 1] });
  });

  it('upgrades members to the highest opset among them (17 and 20) and leaves the members untouched', async () => {
    const gelu = buildMlp({ sizes: [8, 16, C], seed: 4, activation: 'gelu' });
    const model = ensembleModel([members[0]!, gelu], { combine: 'mean-logit' });
    expect(defaultOpset(model)).toBe(20);
    expect(defaultOpset(members[0]!)).toBe(17);
    expect(members[0]!.graph.initializer[0]!.name).toBe('fc0.weight');
    const geluLogits = (await runModel(gelu, x)).logits!;
    const out = await runModel(model, x);
    expect(maxRelativeError(out.logits!, alone[0]!.map((v, k) => (v + geluLogits[k]!) / 2))).toBeLessThan(1e-5);
  });

  it('merges CNN members with BatchNormalization (node and web)', async () => {
    const cnns = [5, 6].map((seed) => buildCnn({ input: [1, 8, 8], classes: 4, channels: [4], hidden: [8], batchNorm: true, seed }));
    expect(cnns[0]!.graph.node.some((n) => n.opType === 'BatchNormalization')).toBe(true);
    const img: TensorValue = { dataType: DataType.FLOAT, dims: [3, 1, 8, 8], data: randn(3 * 64, 3) };
    const probs = await Promise.all(cnns.map(async (m) => softmaxRows(Object.values(await runModel(m, img))[0]!, 4)));
    const model = ensembleModel(cnns, { memberOutputs: true });
    for (const device of ['cpu', 'wasm'] as const) {
      const out = await runModel(model, img, device);
      expect(maxRelativeError(out.probabilities!, probs[0]!.map((v, k) => (v + probs[1]![k]!) / 2))).toBeLessThan(1e-5);
      expect(out.member_logits!.length).toBe(2 * 3 * 4);
    }
  });
});
