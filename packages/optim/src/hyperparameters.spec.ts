import { describe, expect, it } from 'vitest';
import { DataType, GraphBuilder } from '@anneal/onnx';
import {
  MissingTensorError,
  NameCollisionError,
  OptimConfigError,
  adam,
  adamw,
  buildOptimizerStep,
  emitOptimizerUpdate,
  hyperparameterFeeds,
  hyperparameterInputs,
  sgd,
  type OptimizerUpdateConfig,
} from './index.js';

const params = [
  { name: 'fc.weight', grad: 'g.w', dims: [4, 3] },
  { name: 'fc.bias', grad: 'g.b', dims: [4] },
  { name: 'head.weight', grad: 'g.h', dims: [2, 4] },
];

describe('hyperparameter inputs', () => {
  it('lists every scalar input with its default, in declaration order', () => {
    const config: OptimizerUpdateConfig = {
      optimizer: sgd({ momentum: 0.9, dampening: 0.1 }),
      lr: 0.1,
      weightDecay: 1e-4,
      maxGradNorm: 1,
      params,
      groups: [
        { name: 'no_decay', params: ['fc.bias'], weightDecay: 0 },
        { name: 'head', params: ['head.weight'], lrScale: 10 },
      ],
    };
    expect(hyperparameterInputs(config).map((h) => [h.name, h.value])).toEqual([
      ['hp.lr.no_decay', 0.1],
      ['hp.lr.head', 1],
      ['hp.lr.default', 0.1],
      ['hp.weight_decay.head', 1e-4],
      ['hp.weight_decay.default', 1e-4],
      ['hp.momentum', 0.9],
      ['hp.dampening', 0.1],
      ['hp.step', 1],
      ['hp.max_grad_norm', 1],
    ]);
  });

  it('Adam declares betas, eps and step; plain SGD only the learning rate', () => {
    expect(hyperparameterInputs({ optimizer: adam(), lr: 1e-3, params }).map((h) => h.name)).toEqual(['hp.lr.default', 'hp.beta1', 'hp.beta2', 'hp.eps', 'hp.step']);
    expect(hyperparameterInputs({ optimizer: sgd(), lr: 1e-3, params }).map((h) => h.name)).toEqual(['hp.lr.default']);
  });

  it('feeds: lrScale groups follow the base lr, absolute-lr groups do not, explicit values win', () => {
    const config: OptimizerUpdateConfig = {
      optimizer: adamw(),
      lr: 1e-3,
      params,
      groups: [
        { name: 'head', params: ['head.weight'], lrScale: 10 },
        { name: 'bias', params: ['fc.bias'], lr: 5e-4 },
      ],
    };
    const feeds = hyperparameterFeeds(config, { step: 12, lr: 2e-3, values: { 'hp.beta1': 0.95 } });
    expect(feeds['hp.lr.head']).toBeCloseTo(2e-2, 12);
    expect(feeds['hp.lr.bias']).toBe(5e-4);
    expect(feeds['hp.lr.default']).toBe(2e-3);
    expect(feeds['hp.step']).toBe(12);
    expect(feeds['hp.beta1']).toBe(0.95);
    expect(() => hyperparameterFeeds(config, { step: 1, values: { 'hp.momentum': 0.9 } })).toThrow(/no such hyperparameter input/);
  });

  it('every listed input is declared in the built graph as a 0-d float', () => {
    const config = { optimizer: adam({ amsgrad: true }), lr: 1e-3, weightDecay: 0.01, maxGradNorm: 5, params: [{ name: 'w', dims: [2] }] };
    const { model } = buildOptimizerStep(config);
    const inputs = new Map(model.graph.input.map((i) => [i.name, i]));
    for (const h of hyperparameterInputs({ ...config, params: [{ name: 'w', grad: 'grad.w' }] })) {
      const vi = inputs.get(h.name);
      expect(vi, h.name).toBeDefined();
      expect(vi!.type!.tensorType!.elemType).toBe(DataType.FLOAT);
      expect(vi!.type!.tensorType!.shape!.dim).toEqual([]);
    }
    expect(model.graph.output.map((o) => o.name)).toEqual([
      'new.w',
      'new.state.exp_avg.w',
      'new.state.exp_avg_sq.w',
      'new.state.max_exp_avg_sq.w',
      'stats.global_grad_norm',
      'stats.grad_norm.w',
      'stats.weight_norm.w',
      'stats.update_norm.w',
    ]);
  });
});

describe('configuration errors', () => {
  it('rejects bad groups with the config path', () => {
    const base = { optimizer: sgd(), lr: 0.1, params };
    expect(() => hyperparameterInputs({ ...base, groups: [{ name: 'a', params: ['nope'] }] })).toThrow(/groups\[0\]\.params\[0\].*'nope' is not among params/);
    expect(() => hyperparameterInputs({ ...base, groups: [{ name: 'a', params: ['fc.bias'] }, { name: 'b', params: ['fc.bias'] }] })).toThrow(/already in group 'a'/);
    expect(() => hyperparameterInputs({ ...base, groups: [{ name: 'a.b', params: [] }] })).toThrow(OptimConfigError);
    expect(() => hyperparameterInputs({ ...base, lr: -1 })).toThrow(/at lr: must be a finite number >= 0/);
  });

  it('rejects PyTorch-invalid optimizer options', () => {
    expect(() => sgd({ nesterov: true })).toThrow(/Nesterov momentum requires momentum > 0 and dampening = 0/);
    expect(() => sgd({ momentum: 0.9, dampening: 0.1, nesterov: true })).toThrow(OptimConfigError);
    expect(() => adam({ beta1: 1 })).toThrow(/adam.beta1/);
  });

  it('names missing parameter or gradient tensors and refuses name collisions', () => {
    const b = new GraphBuilder();
    b.input('w', DataType.FLOAT, [2]);
    expect(() => emitOptimizerUpdate(b, { optimizer: sgd(), lr: 0.1, params: [{ name: 'w', grad: 'dw' }] })).toThrow(MissingTensorError);
    b.input('dw', DataType.FLOAT, [2]);
    emitOptimizerUpdate(b, { optimizer: sgd(), lr: 0.1, params: [{ name: 'w', grad: 'dw' }] });
    expect(() => emitOptimizerUpdate(b, { optimizer: sgd(), lr: 0.1, params: [{ name: 'w', grad: 'dw' }] })).toThrow(NameCollisionError);
  });
});
