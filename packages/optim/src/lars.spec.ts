import { describe, expect, it } from 'vitest';
import { DataType, GraphBuilder } from '@anneal/onnx';
import { OptimConfigError, emitOptimizerUpdate, hyperparameterInputs, lars, type LarsOptions, type LayerwiseExclusion } from './index.js';
import { l2, runTrajectory, worstRelativeError } from './testing/ort-step-runner.js';
import { LAYERWISE_PARAMS, clipCoefficient, excludedParam, layerwiseGrads, layerwiseInit, norm, tensorRelativeError } from './testing/layerwise-fixture.js';
import { fitLinearRegression } from './testing/linear-regression.js';

interface LarsCase {
  readonly name: string;
  readonly lr: number;
  readonly weightDecay: number;
  readonly options: LarsOptions;
  readonly maxGradNorm?: number;
}

/**
 * float64 LARS written from the formulas (with the float32 values the graph is fed):
 * g' = c*g + wd*w (c: clip coefficient); λ = η||w||/(||g'|| + eps), 1 when a norm is 0;
 * v = μv + lr*λ*g'; w = w - v (Nesterov: w - (μv + lr*λ*g')). Excluded tensors: λ = 1, wd = 0.
 */
function larsReference(c: LarsCase): { params: Record<string, number[]>[]; buffers: Record<string, number[]> } {
  const f = Math.fround;
  const [lr, wd, mom, eta, eps] = [f(c.lr), f(c.weightDecay), f(c.options.momentum ?? 0.9), f(c.options.trustCoefficient ?? 0.001), f(c.options.eps ?? 0)];
  const exclude: LayerwiseExclusion = c.options.exclude ?? 'vectors';
  const w: Record<string, number[]> = Object.fromEntries(Object.entries(layerwiseInit).map(([k, v]) => [k, [...v]]));
  const buf: Record<string, number[]> = Object.fromEntries(Object.entries(layerwiseInit).map(([k, v]) => [k, v.map(() => 0)]));
  const params: Record<string, number[]>[] = [];
  for (const grads of layerwiseGrads) {
    const clip = clipCoefficient(grads, c.maxGradNorm === undefined ? undefined : f(c.maxGradNorm));
    for (const p of LAYERWISE_PARAMS) {
      const excluded = excludedParam(p.dims, exclude);
      const decay = excluded ? 0 : wd;
      const g = grads[p.name]!.map((gi, i) => clip * gi + decay * w[p.name]![i]!);
      const [wn, gn] = [norm(w[p.name]!), norm(g)];
      const trust = excluded || wn === 0 || gn === 0 ? 1 : (eta * wn) / (gn + eps);
      buf[p.name] = buf[p.name]!.map((v, i) => mom * v + lr * trust * g[i]!);
      w[p.name] = w[p.name]!.map((x, i) => x - (c.options.nesterov ? mom * buf[p.name]![i]! + lr * trust * g[i]! : buf[p.name]![i]!));
    }
    params.push(Object.fromEntries(Object.entries(w).map(([k, v]) => [k, [...v]])));
  }
  return { params, buffers: buf };
}

const cases: LarsCase[] = [
  { name: 'defaults, no weight decay', lr: 2, weightDecay: 0, options: {} },
  { name: 'weight decay, vectors excluded', lr: 2, weightDecay: 0.05, options: { trustCoefficient: 0.01 } },
  { name: 'weight decay, nothing excluded', lr: 2, weightDecay: 0.05, options: { trustCoefficient: 0.01, exclude: 'none' } },
  { name: 'no weight decay, nothing excluded, eps', lr: 1, weightDecay: 0, options: { exclude: 'none', eps: 0.01, momentum: 0.5 } },
  { name: 'nesterov, weight decay, clipping', lr: 3, weightDecay: 0.01, options: { nesterov: true, trustCoefficient: 0.02 }, maxGradNorm: 0.5 },
];

describe('lars', () => {
  it.each(cases)('matches the float64 reference over 5 steps: $name', async (c) => {
    const { outputs } = await runTrajectory({ optimizer: lars(c.options), lr: c.lr, weightDecay: c.weightDecay, maxGradNorm: c.maxGradNorm, params: LAYERWISE_PARAMS }, layerwiseInit, layerwiseGrads);
    const ref = larsReference(c);
    outputs.forEach((out, k) => {
      for (const p of LAYERWISE_PARAMS) expect(tensorRelativeError(out[`new.${p.name}`]!, ref.params[k]![p.name]!), `step ${k + 1} ${p.name}`).toBeLessThan(1e-5);
    });
    for (const p of LAYERWISE_PARAMS) expect(tensorRelativeError(outputs[4]![`new.state.momentum_buffer.${p.name}`]!, ref.buffers[p.name]!), p.name).toBeLessThan(1e-5);
  });

  it('first step moves an adapted tensor by exactly lr*η*||w||, whatever the gradient scale', async () => {
    const { outputs } = await runTrajectory({ optimizer: lars({ trustCoefficient: 0.01 }), lr: 2, params: LAYERWISE_PARAMS }, layerwiseInit, layerwiseGrads.slice(0, 1));
    for (const name of ['fc.weight', 'conv.weight']) {
      expect(outputs[0]![`stats.update_norm.${name}`]![0]).toBeCloseTo(2 * 0.01 * norm(layerwiseInit[name]!), 6);
    }
    // the excluded bias takes a plain SGD step lr*g
    expect(outputs[0]!['stats.update_norm.fc.bias']![0]).toBeCloseTo(2 * norm(layerwiseGrads[0]!['fc.bias']!), 5);
  });

  it('zero weights: trust ratio 1, so the first step is -lr*g (no NaN from 0/0)', async () => {
    const params = [{ name: 'w', dims: [2, 3] }];
    const g = [0.5, -1, 0.25, 2, -0.75, 1.5];
    const { outputs } = await runTrajectory({ optimizer: lars(), lr: 0.1, weightDecay: 0.2, params }, { w: [0, 0, 0, 0, 0, 0] }, [{ w: g }]);
    expect(worstRelativeError(outputs[0]!['new.w']!, g.map((v) => -0.1 * v))).toBeLessThan(1e-6);
    expect(worstRelativeError(outputs[0]!['new.state.momentum_buffer.w']!, g.map((v) => 0.1 * v))).toBeLessThan(1e-6);
  });

  it('zero gradient: nothing moves without weight decay; with it g\' = wd*w, λ = η/wd and w = w*(1 - lr*η)', async () => {
    const params = [{ name: 'w', dims: [2, 3] }];
    const w0 = [0.5, -1.25, 2, 0.75, -0.1, 3];
    const zero = { w: [0, 0, 0, 0, 0, 0] };
    const plain = await runTrajectory({ optimizer: lars(), lr: 0.5, params }, { w: w0 }, [zero]);
    expect(Array.from(plain.outputs[0]!['new.w']!)).toEqual(w0.map(Math.fround));
    const decayed = await runTrajectory({ optimizer: lars({ trustCoefficient: 0.01 }), lr: 0.5, weightDecay: 0.1, params }, { w: w0 }, [zero]);
    expect(worstRelativeError(decayed.outputs[0]!['new.w']!, w0.map((v) => v * (1 - 0.5 * 0.01)))).toBeLessThan(1e-6);
  });

  it('declares hp.momentum and hp.trust_coefficient (hp.eps only when eps > 0) and a momentum buffer', async () => {
    const params = [{ name: 'w', grad: 'g', dims: [3] }];
    expect(hyperparameterInputs({ optimizer: lars(), lr: 1, weightDecay: 1e-4, params }).map((h) => `${h.name}=${h.value}`)).toEqual(['hp.lr.default=1', 'hp.weight_decay.default=0.0001', 'hp.momentum=0.9', 'hp.trust_coefficient=0.001']);
    expect(hyperparameterInputs({ optimizer: lars({ eps: 1e-9 }), lr: 1, params }).map((h) => h.name)).toContain('hp.eps');
    expect(lars().stateSlots(params[0]!)).toEqual(['momentum_buffer']);
  });

  it('hp.trust_coefficient is a graph input: doubling it at run time doubles the first step', async () => {
    const config = { optimizer: lars(), lr: 1, params: [LAYERWISE_PARAMS[0]!] };
    const init = { 'fc.weight': layerwiseInit['fc.weight']! };
    const grads = [{ 'fc.weight': layerwiseGrads[0]!['fc.weight']! }];
    const base = await runTrajectory(config, init, grads);
    const doubled = await runTrajectory(config, init, grads, () => ({ values: { 'hp.trust_coefficient': 0.002 } }));
    // the buffer holds the step itself; new.w - w would lose digits to cancellation
    const step = (r: typeof base) => l2(r.outputs[0]!['new.state.momentum_buffer.fc.weight']!);
    expect(step(doubled) / step(base)).toBeCloseTo(2, 5);
  });

  it('decides exclusion at emit time from dims: rank <= 1 costs no norms, unknown dims are adapted', () => {
    const reduceL2Count = (exclude: LayerwiseExclusion, dims: { w?: number[]; b?: number[] }) => {
      const b = new GraphBuilder({ opset: 17 });
      for (const n of ['w', 'b', 'gw', 'gb']) b.input(n, DataType.FLOAT, n.endsWith('w') ? dims.w : dims.b);
      emitOptimizerUpdate(b, { optimizer: lars({ exclude }), lr: 1, weightDecay: 0.1, stats: false, params: [{ name: 'w', grad: 'gw', dims: dims.w }, { name: 'b', grad: 'gb', dims: dims.b }] });
      return b.graph.node.filter((n) => n.opType === 'ReduceL2').length;
    };
    expect(reduceL2Count('vectors', { w: [3, 2], b: [2] })).toBe(2);
    expect(reduceL2Count('none', { w: [3, 2], b: [2] })).toBe(4);
    expect(reduceL2Count('vectors', {})).toBe(4);
  });

  it('reduces the loss of a small linear regression (lr decaying linearly)', async () => {
    const losses = await fitLinearRegression(lars({ trustCoefficient: 0.1, momentum: 0.5 }), 0.5, 60, 1e-4);
    expect(losses[59]!).toBeLessThan(1e-3 * losses[0]!);
  });

  it('rejects bad options with OptimConfigError naming the option', () => {
    const bad: [LarsOptions, string][] = [
      [{ trustCoefficient: -0.001 }, 'lars.trustCoefficient'],
      [{ trustCoefficient: 0 }, 'lars.trustCoefficient'],
      [{ momentum: 1 }, 'lars.momentum'],
      [{ eps: -1 }, 'lars.eps'],
      [{ momentum: 0, nesterov: true }, 'lars.nesterov'],
      [{ exclude: 'matrices' as LayerwiseExclusion }, 'lars.exclude'],
    ];
    for (const [options, path] of bad) {
      expect(() => lars(options), path).toThrow(OptimConfigError);
      expect(() => lars(options)).toThrow(path);
    }
  });
});
