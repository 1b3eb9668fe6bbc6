import { describe, expect, it } from 'vitest';
import { adam, hyperparameterFeeds, hyperparameterInputs, OptimConfigError, sgd, type HyperparameterConfig } from '@anneal/optim';
import { HyperparameterTensors } from './hyperparameter-tensors.js';

const params = [{ name: 'w' }, { name: 'b' }, { name: 'head.w' }];
const configs: [string, HyperparameterConfig][] = [
  ['adam, one group', { optimizer: adam(), lr: 1e-3, params }],
  ['sgd momentum, groups with lrScale and an absolute lr, weight decay, clipping', {
    optimizer: sgd({ momentum: 0.9 }),
    lr: 0.1,
    weightDecay: 1e-4,
    maxGradNorm: 1,
    params,
    groups: [{ name: 'head', params: ['head.w'], lrScale: 10 }, { name: 'bias', params: ['b'], lr: 0.5, weightDecay: 0 }],
  }],
];
const f32 = (v: number) => Math.fround(v);

describe('HyperparameterTensors', () => {
  for (const [title, config] of configs) {
    it(`feeds what hyperparameterFeeds computes, call after call (${title})`, () => {
      const hp = new HyperparameterTensors(hyperparameterInputs(config));
      const requests = [{}, { lr: 0.03 }, { values: { 'hp.lr.default': 0.7 } }, {}, { lr: 0.2, values: { [hp.names.at(-1)!]: 3 } }, { lr: 0.01 }];
      requests.forEach((request, i) => {
        hp.write(i + 5, request);
        const expected = hyperparameterFeeds(config, { step: i + 5, ...request });
        expect(Object.keys(hp.tensors)).toEqual(Object.keys(expected));
        for (const [name, v] of Object.entries(expected)) expect(hp.tensors[name]!.data[0]).toBe(f32(v));
        expect(hp.snapshot()).toEqual(Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, f32(v)])));
      });
    });
  }

  it('keeps the same tensor objects and rejects unknown names before writing anything', () => {
    const hp = new HyperparameterTensors(hyperparameterInputs(configs[0]![1]));
    const before = hp.tensors['hp.step'];
    hp.write(3);
    expect(() => hp.write(4, { lr: 5, values: { 'hp.nope': 1 } })).toThrow(OptimConfigError);
    expect(() => hp.write(4, { values: { 'hp.nope': 1 } })).toThrow(/values\['hp.nope'\].*no such hyperparameter input/);
    expect(hp.tensors['hp.step']).toBe(before);
    expect(hp.tensors['hp.step']!.data[0]).toBe(3);
    expect(hp.tensors['hp.lr.default']!.data[0]).toBe(f32(1e-3));
  });
});
