import { describe, expect, it } from 'vitest';
import { DataType, GraphBuilder } from '@anneal/onnx';
import { OptimConfigError, adam, emitOptimizerUpdate, hyperparameterInputs, lamb, type LambOptions, type LayerwiseExclusion } from './index.js';
import { runTrajectory, worstRelativeError } from './testing/ort-step-runner.js';
import { LAYERWISE_PARAMS, clipCoefficient, excludedParam, layerwiseGrads, layerwiseInit, norm, tensorRelativeError } from './testing/layerwise-fixture.js';
import { fitLinearRegression } from './testing/linear-regression.js';

interface LambCase {
  readonly name: string;
  readonly lr: number;
  readonly weightDecay: number;
  readonly options: LambOptions;
  readonly maxGradNorm?: number;
}

type Tensors = Record<string, number[]>;

/**
 * float64 LAMB written from the formulas (with the float32 values the graph is fed), t = 1, 2, ...:
 * m = β1 m + (1-β1) g; v = β2 v + (1-β2) g²; r = m̂/(sqrt(v̂) + eps) + wd*w with m̂ = m/(1-β1^t),
 * v̂ = v/(1-β2^t); λ = ||w||/||r||, 1 when a norm is 0; w = w - lr*λ*r. Excluded tensors: λ = 1, wd = 0.
 */
function lambReference(c: LambCase): { params: Tensors[]; m: Tensors; v: Tensors } {
  const f = Math.fround;
  const [lr, wd, b1, b2, eps] = [f(c.lr), f(c.weightDecay), f(c.options.beta1 ?? 0.9), f(c.options.beta2 ?? 0.999), f(c.options.eps ?? 1e-6)];
  const exclude: LayerwiseExclusion = c.options.exclude ?? 'vectors';
  const copy = (x: Tensors, fn: (v: number) => number = (v) => v): Tensors => Object.fromEntries(Object.entries(x).map(([k, a]) => [k, a.map(fn)]));
  const w = copy(layerwiseInit);
  const m = copy(layerwiseInit, () => 0);
  const v = copy(layerwiseInit, () => 0);
  const params: Tensors[] = [];
  layerwiseGrads.forEach((grads, k) => {
    const t = k + 1;
    const clip = clipCoefficient(grads, c.maxGradNorm === undefined ? undefined : f(c.maxGradNorm));
    for (const p of LAYERWISE_PARAMS) {
      const excluded = excludedParam(p.dims, exclude);
      const g = grads[p.name]!.map((x) => clip * x);
      m[p.name] = m[p.name]!.map((x, i) => b1 * x + (1 - b1) * g[i]!);
      v[p.name] = v[p.name]!.map((x, i) => b2 * x + (1 - b2) * g[i]! ** 2);
      const r = m[p.name]!.map((x, i) => x / (1 - b1 ** t) / (Math.sqrt(v[p.name]![i]! / (1 - b2 ** t)) + eps) + (excluded ? 0 : wd) * w[p.name]![i]!);
      const [wn, rn] = [norm(w[p.name]!), norm(r)];
      const trust = excluded || wn === 0 || rn === 0 ? 1 : wn / rn;
      w[p.name] = w[p.name]!.map((x, i) => x - lr * trust * r[i]!);
    }
    params.push(copy(w));
  });
  return { params, m, v };
}

const cases: LambCase[] = [
  { name: 'defaults, no weight decay', lr: 0.01, weightDecay: 0, options: {} },
  { name: 'weight decay, vectors excluded', lr: 0.01, weightDecay: 0.1, options: {} },
  { name: 'weight decay, nothing excluded', lr: 0.01, weightDecay: 0.1, options: { exclude: 'none' } },
  { name: 'no weight decay, nothing excluded, other betas', lr: 0.05, weightDecay: 0, options: { exclude: 'none', beta1: 0.8, beta2: 0.99, eps: 1e-3 } },
  { name: 'weight decay, clipping', lr: 0.02, weightDecay: 0.01, options: {}, maxGradNorm: 0.5 },
];

describe('lamb', () => {
  it.each(cases)('matches the float64 reference over 5 steps: $name', async (c) => {
    const { outputs } = await runTrajectory({ optimizer: lamb(c.options), lr: c.lr, weightDecay: c.weightDecay, maxGradNorm: c.maxGradNorm, params: LAYERWISE_PARAMS }, layerwiseInit, layerwiseGrads);
    const ref = lambReference(c);
    outputs.forEach((out, k) => {
      for (const p of LAYERWISE_PARAMS) expect(tensorRelativeError(out[`new.${p.name}`]!, ref.params[k]![p.name]!), `step ${k + 1} ${p.name}`).toBeLessThan(1e-5);
    });
    for (const p of LAYERWISE_PARAMS) {
      expect(tensorRelativeError(outputs[4]![`new.state.exp_avg.${p.name}`]!, ref.m[p.name]!), `exp_avg ${p.name}`).toBeLessThan(1e-5);
      expect(tensorRelativeError(outputs[4]![`new.state.exp_avg_sq.${p.name}`]!, ref.v[p.name]!), `exp_avg_sq ${p.name}`).toBeLessThan(1e-5);
    }
  });

  it('first step moves an adapted tensor by exactly lr*||w||; an excluded one takes the Adam step', async () => {
    const lr = 0.01;
    const init = { 'fc.weight': layerwiseInit['fc.weight']!, 'fc.bias': layerwiseInit['fc.bias']! };
    const grads = [{ 'fc.weight': layerwiseGrads[0]!['fc.weight']!, 'fc.bias': layerwiseGrads[0]!['fc.bias']! }];
    const params = [LAYERWISE_PARAMS[0]!, LAYERWISE_PARAMS[2]!];
    const { outputs } = await runTrajectory({ optimizer: lamb(), lr, weightDecay: 0.1, params }, init, grads);
    expect(outputs[0]!['stats.update_norm.fc.weight']![0]).toBeCloseTo(lr * norm(init['fc.weight']), 6);
    const adamStep = await runTrajectory({ optimizer: adam({ eps: 1e-6 }), lr, params: [LAYERWISE_PARAMS[2]!] }, { 'fc.bias': init['fc.bias'] }, [{ 'fc.bias': grads[0]!['fc.bias'] }]);
    expect(worstRelativeError(outputs[0]!['new.fc.bias']!, adamStep.outputs[0]!['new.fc.bias']!)).toBeLessThan(1e-6);
  });

  it('zero weights: trust ratio 1, so the first step is -lr*g/(|g| + eps) (no NaN from 0/0)', async () => {
    const params = [{ name: 'w', dims: [2, 3] }];
    const g = [0.5, -1, 0.25, 2, -0.75, 1.5];
    const { outputs } = await runTrajectory({ optimizer: lamb(), lr: 0.1, weightDecay: 0.2, params }, { w: [0, 0, 0, 0, 0, 0] }, [{ w: g }]);
    expect(worstRelativeError(outputs[0]!['new.w']!, g.map((x) => (-0.1 * x) / (Math.abs(x) + 1e-6)))).toBeLessThan(1e-5);
  });

  it('zero gradient: nothing moves without weight decay; with it r = wd*w, λ = 1/wd and w = w*(1 - lr)', async () => {
    const params = [{ name: 'w', dims: [2, 3] }];
    const w0 = [0.5, -1.25, 2, 0.75, -0.1, 3];
    const zero = { w: [0, 0, 0, 0, 0, 0] };
    const plain = await runTrajectory({ optimizer: lamb(), lr: 0.1, params }, { w: w0 }, [zero, zero]);
    expect(Array.from(plain.outputs[1]!['new.w']!)).toEqual(w0.map(Math.fround));
    const decayed = await runTrajectory({ optimizer: lamb(), lr: 0.1, weightDecay: 0.01, params }, { w: w0 }, [zero]);
    expect(worstRelativeError(decayed.outputs[0]!['new.w']!, w0.map((x) => x * (1 - 0.1)))).toBeLessThan(1e-6);
  });

  it('declares hp.beta1, hp.beta2, hp.eps and hp.step, and the two Adam moments', () => {
    const params = [{ name: 'w', grad: 'g', dims: [3] }];
    expect(hyperparameterInputs({ optimizer: lamb(), lr: 0.01, params }).map((h) => `${h.name}=${h.value}`)).toEqual(['hp.lr.default=0.01', 'hp.beta1=0.9', 'hp.beta2=0.999', 'hp.eps=0.000001', 'hp.step=1']);
    expect(lamb().stateSlots(params[0]!)).toEqual(['exp_avg', 'exp_avg_sq']);
  });

  it('decides exclusion at emit time from dims: rank <= 1 costs no norms, unknown dims are adapted', () => {
    const reduceL2Count = (exclude: LayerwiseExclusion, dims: { w?: number[]; b?: number[] }) => {
      const b = new GraphBuilder({ opset: 17 });
      for (const n of ['w', 'b', 'gw', 'gb']) b.input(n, DataType.FLOAT, n.endsWith('w') ? dims.w : dims.b);
      emitOptimizerUpdate(b, { optimizer: lamb({ exclude }), lr: 1e-3, weightDecay: 0.1, stats: false, params: [{ name: 'w', grad: 'gw', dims: dims.w }, { name: 'b', grad: 'gb', dims: dims.b }] });
      return b.graph.node.filter((n) => n.opType === 'ReduceL2').length;
    };
    expect(reduceL2Count('vectors', { w: [3, 2], b: [2] })).toBe(2);
    expect(reduceL2Count('none', { w: [3, 2], b: [2] })).toBe(4);
    expect(reduceL2Count('vectors', {})).toBe(4);
  });

  it('reduces the loss of a small linear regression (lr decaying linearly)', async () => {
    const losses = await fitLinearRegression(lamb(), 0.1, 60, 1e-4);
    expect(losses[59]!).toBeLessThan(0.02 * losses[0]!);
  });

  it('rejects bad options with OptimConfigError naming the option', () => {
    const bad: [LambOptions, string][] = [
      [{ beta1: 1 }, 'lamb.beta1'],
      [{ beta1: -0.1 }, 'lamb.beta1'],
      [{ beta2: 1.5 }, 'lamb.beta2'],
      [{ eps: -1e-6 }, 'lamb.eps'],
      [{ exclude: 'all' as LayerwiseExclusion }, 'lamb.exclude'],
    ];
    for (const [options, path] of bad) {
      expect(() => lamb(options), path).toThrow(OptimConfigError);
      expect(() => lamb(options)).toThrow(path);
    }
  });
});
