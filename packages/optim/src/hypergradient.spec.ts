import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { DataType, GraphBuilder, encodeModel, tensors } from '@anneal/onnx';
import { OptimConfigError, adamHd, buildOptimizerStep, emitOptimizerUpdate, hyperparameterFeeds, sgd, sgdHd, zeroState, type OptimizerUpdateConfig } from './index.js';
import { referenceRun, regression, type ReferenceConfig, type ReferenceStep, type Vectors } from './testing/hypergradient-reference.js';

type UpdateConfig = Omit<OptimizerUpdateConfig, 'params'>;
interface GraphStep {
  params: Vectors;
  alpha: Record<string, number>;
  stats: Record<string, number>;
}

/** The regression of the reference, gradient computed in the graph, run step by step in ORT. */
async function runGraph(config: UpdateConfig, steps: number, lrs?: (step: number) => Record<string, number>): Promise<GraphStep[]> {
  const { x, y, init } = regression;
  const b = new GraphBuilder({ opset: 17 });
  b.input('w', DataType.FLOAT, [3]);
  b.input('b', DataType.FLOAT, [1]);
  const X = b.initializer(tensors.float('X', [8, 3], x.flat()));
  const Y = b.initializer(tensors.float('Y', [8], y));
  const r = b.op('Sub', [b.op('Add', [b.op('MatMul', [X, 'w']), 'b']), Y]);
  const n = b.scalar(x.length);
  const gw = b.op('Div', [b.op('MatMul', [r, X]), n]);
  const gb = b.op('Div', [b.op('ReduceSum', [r], { keepdims: 1 }), n]);
  const full = { ...config, params: [{ name: 'w', grad: gw, dims: [3] }, { name: 'b', grad: gb, dims: [1] }] };
  const update = emitOptimizerUpdate(b, full);
  const session = await ort.InferenceSession.create(encodeModel(b.build()));
  const carried: Record<string, ort.Tensor> = {};
  for (const [name, v] of Object.entries(init)) carried[name] = new ort.Tensor('float32', Float32Array.from(v), [v.length]);
  for (const [name, v] of Object.entries(zeroState(update))) carried[name] = new ort.Tensor('float32', v.data as Float32Array, v.dims);
  const out: GraphStep[] = [];
  for (let step = 1; step <= steps; step++) {
    const feeds: Record<string, ort.Tensor> = { ...carried };
    for (const [k, v] of Object.entries(hyperparameterFeeds(full, { step, values: lrs?.(step) }))) feeds[k] = new ort.Tensor('float32', Float32Array.of(v), []);
    const result = await session.run(feeds);
    for (const c of [...update.params, ...update.state]) carried[c.input] = result[c.output]!;
    const read = (name: string) => Array.from(result[name]!.data as Float32Array);
    const groups = update.state.filter((s) => s.group && s.slot === 'lr');
    out.push({
      params: { w: read('new.w'), b: read('new.b') },
      alpha: Object.fromEntries(groups.map((s) => [s.group!, read(s.output)[0]!])),
      stats: Object.fromEntries(update.stats.filter((s) => s.kind === 'lr').map((s) => [s.name, read(s.name)[0]!])),
    });
  }
  await session.release();
  return out;
}

/** Worst relative error over every step's α and parameters (floor 1e-3 on the magnitude). */
function worst(actual: GraphStep[], expected: ReferenceStep[]): number {
  let w = 0;
  const rel = (a: number, e: number) => Math.abs(a - e) / Math.max(Math.abs(e), 1e-3);
  expected.forEach((e, t) => {
    for (const [g, a] of Object.entries(e.alpha)) w = Math.max(w, rel(actual[t]!.alpha[g]!, a));
    for (const [p, v] of Object.entries(e.params)) v.forEach((x, i) => (w = Math.max(w, rel(actual[t]!.params[p]![i]!, x))));
  });
  return w;
}

const oneGroup = [{ name: 'default', params: ['w', 'b'] }];
const STEPS = 12;

describe('hypergradient optimizers against a float64 reference (linear regression, gradient in the graph)', () => {
  const cases: [string, UpdateConfig, Omit<ReferenceConfig, 'lr' | 'groups'>, number][] = [
    ['SGD-HD', { optimizer: sgdHd({ hypergradientLr: 0.05 }), lr: 0.05 }, { kind: 'sgd', beta: 0.05 }, 0.05],
    ['SGD-HD + L2 + clipping', { optimizer: sgdHd({ hypergradientLr: 0.05 }), lr: 0.05, weightDecay: 0.1, maxGradNorm: 1 }, { kind: 'sgd', beta: 0.05, weightDecay: 0.1, maxGradNorm: 1 }, 0.05],
    ['SGD-HD momentum', { optimizer: sgdHd({ momentum: 0.8, hypergradientLr: 0.01 }), lr: 0.02 }, { kind: 'momentum', beta: 0.01, momentum: 0.8 }, 0.02],
    ['SGDN-HD', { optimizer: sgdHd({ momentum: 0.8, nesterov: true, hypergradientLr: 0.01 }), lr: 0.02 }, { kind: 'nesterov', beta: 0.01, momentum: 0.8 }, 0.02],
    ['Adam-HD + L2', { optimizer: adamHd({ hypergradientLr: 1e-3 }), lr: 0.05, weightDecay: 0.01 }, { kind: 'adam', beta: 1e-3, weightDecay: 0.01 }, 0.05],
  ];

  it.each(cases)('%s: α_t and θ_t match step by step', async (_name, config, ref, lr) => {
    const expected = referenceRun({ ...ref, groups: oneGroup, lr: () => lr }, regression.init, regression.gradient, STEPS);
    const actual = await runGraph(config, STEPS);
    expect(worst(actual, expected)).toBeLessThan(2e-5);
    // α_1 = α_0 (no previous direction yet), and α really moved afterwards
    expect(actual[0]!.alpha.default).toBe(Math.fround(lr));
    expect(Math.abs(expected[STEPS - 1]!.alpha.default! - lr)).toBeGreaterThan(0.1 * lr);
    // the stats output is the α the step applied
    actual.forEach((s) => expect(s.stats['stats.lr.default']).toBe(s.alpha.default));
  });

  it('SGD-HD raises a too-small learning rate on a quadratic (α grows while successive gradients agree)', async () => {
    const actual = await runGraph({ optimizer: sgdHd({ hypergradientLr: 0.05 }), lr: 1e-3 }, 30);
    const alphas = actual.map((s) => s.alpha.default!);
    expect(alphas[29]).toBeGreaterThan(20 * alphas[0]!);
  });

  it('one α per parameter group, each from the dot product over its own parameters', async () => {
    const groups = [{ name: 'bias', params: ['b'], lr: 0.2 }];
    const config: UpdateConfig = { optimizer: sgdHd({ hypergradientLr: 0.05 }), lr: 0.05, groups };
    const expected = referenceRun({ kind: 'sgd', beta: 0.05, groups: [{ name: 'bias', params: ['b'] }, { name: 'default', params: ['w'] }], lr: (_t, g) => (g === 'bias' ? 0.2 : 0.05) }, regression.init, regression.gradient, STEPS);
    const actual = await runGraph(config, STEPS);
    expect(worst(actual, expected)).toBeLessThan(2e-5);
    expect(Object.keys(actual[0]!.stats).sort()).toEqual(['stats.lr.bias', 'stats.lr.default']);
    // the groups' rates really differ from one shared α
    const shared = referenceRun({ kind: 'sgd', beta: 0.05, groups: oneGroup, lr: () => 0.05 }, regression.init, regression.gradient, STEPS);
    expect(Math.abs(actual[STEPS - 1]!.alpha.default! - shared[STEPS - 1]!.alpha.default!)).toBeGreaterThan(1e-3);
  });

  it('a schedule on lr multiplies the learned α by its step-to-step ratio', async () => {
    const schedule = (t: number) => (t <= 4 ? 0.05 : t <= 8 ? 0.025 : 0.0125);
    const expected = referenceRun({ kind: 'sgd', beta: 0.05, groups: oneGroup, lr: schedule }, regression.init, regression.gradient, STEPS);
    const actual = await runGraph({ optimizer: sgdHd({ hypergradientLr: 0.05 }), lr: 0.05 }, STEPS, (t) => ({ 'hp.lr.default': schedule(t) }));
    expect(worst(actual, expected)).toBeLessThan(2e-5);
    // with β = 0 the learned α is the schedule, and SGD-HD is plain SGD on it
    const frozen = await runGraph({ optimizer: sgdHd({ hypergradientLr: 0 }), lr: 0.05 }, STEPS, (t) => ({ 'hp.lr.default': schedule(t) }));
    frozen.forEach((s, i) => expect(s.alpha.default).toBe(Math.fround(schedule(i + 1))));
    const plain = await runGraph({ optimizer: sgd(), lr: 0.05 }, STEPS, (t) => ({ 'hp.lr.default': schedule(t) }));
    expect(frozen[STEPS - 1]!.params.w).toEqual(plain[STEPS - 1]!.params.w);
  });

  it('starts from lr = 0: the first step does not move, then α is learned from the repeated gradient', async () => {
    const actual = await runGraph({ optimizer: sgdHd({ hypergradientLr: 0.05 }), lr: 0 }, 3);
    expect(actual[0]!.alpha.default).toBe(0);
    expect(actual[0]!.params).toEqual({ w: regression.init.w!.map(Math.fround), b: [0] });
    const g = regression.gradient(regression.init);
    const squared = g.w!.reduce((a, v) => a + v * v, 0) + g.b![0]! ** 2;
    expect(actual[1]!.alpha.default).toBeCloseTo(0.05 * squared, 6);
    const expected = referenceRun({ kind: 'sgd', beta: 0.05, groups: oneGroup, lr: () => 0 }, regression.init, regression.gradient, 3);
    expect(worst(actual, expected)).toBeLessThan(2e-5);
  });
});

describe('hypergradient optimizer config', () => {
  it('declares β and the step count as inputs, α as group state', () => {
    const { update } = buildOptimizerStep({ optimizer: adamHd(), lr: 1e-3, params: [{ name: 'w', dims: [2] }], groups: [{ name: 'head', params: ['w'] }] });
    expect(update.hyperparameters.map((h) => `${h.name}=${h.value}`)).toEqual(['hp.lr.head=0.001', 'hp.beta1=0.9', 'hp.beta2=0.999', 'hp.eps=1e-8', 'hp.hypergradient_lr=1e-7', 'hp.step=1']);
    expect(update.state.map((s) => s.input)).toEqual(['state.exp_avg.w', 'state.exp_avg_sq.w', 'state.prev_update.w', 'state.lr.head', 'state.scheduled_lr.head']);
    expect(update.state.filter((s) => s.group).map((s) => s.dims)).toEqual([[], []]);
    expect(sgdHd().hyperparameters.find((h) => h.key === 'hypergradient_lr')!.value).toBe(1e-3);
  });

  it('rejects a negative β and Nesterov without momentum, naming the option', () => {
    expect(() => sgdHd({ hypergradientLr: -1 })).toThrow(OptimConfigError);
    expect(() => adamHd({ hypergradientLr: Number.NaN })).toThrow(/adam-hd.hypergradientLr/);
    expect(() => sgdHd({ nesterov: true })).toThrow(/sgd-hd.nesterov/);
  });
});
