import { describeOptimizerConformance, type OptimizerConformanceCases, type OptimizerReference, type ReferenceParam } from '@anneal/testing';
import { describe, expect, it } from 'vitest';
import { builtinOptimizers, type OptimizerDescriptor } from './index.js';
import { referenceRun, type ReferenceConfig, type Vectors } from './testing/hypergradient-reference.js';

/**
 * Every built-in optimizer against a float64 reference written here from torch.optim's update
 * rules (SGD, Adam, AdamW), the LARS / LAMB papers as implemented (optax/flax trust ratio, rank
 * <= 1 tensors excluded by default) and, for the hypergradient variants, the reference the
 * hypergradient specs use (testing/hypergradient-reference.ts).
 */

type SgdOptions = { momentum?: number; dampening?: number; nesterov?: boolean };
type AdamOptions = { beta1?: number; beta2?: number; eps?: number; amsgrad?: boolean };
type LarsOptions = { momentum?: number; nesterov?: boolean; trustCoefficient?: number; eps?: number; exclude?: 'none' | 'vectors' };
type LambOptions = { beta1?: number; beta2?: number; eps?: number; exclude?: 'none' | 'vectors' };
type HdOptions = { momentum?: number; nesterov?: boolean; beta1?: number; beta2?: number; eps?: number; hypergradientLr?: number };

const zeros = (params: readonly ReferenceParam[]) => Object.fromEntries(params.map((p) => [p.name, new Float64Array(p.size)]));
const norm = (x: ArrayLike<number>) => Math.sqrt(Array.from(x).reduce((a, v) => a + v * v, 0));
const excluded = (p: ReferenceParam, exclude: 'none' | 'vectors' = 'vectors') => exclude === 'vectors' && p.dims.length <= 1;

/** torch.optim.SGD: g = grad + wd·p; buf = g on the first step, else μ·buf + (1 − dampening)·g; nesterov steps by g + μ·buf. */
function sgdReference(o: SgdOptions, params: readonly ReferenceParam[]): OptimizerReference {
  const mu = o.momentum ?? 0;
  const buf = zeros(params);
  return {
    step(p, grads, hp) {
      for (const { name } of params) {
        const [w, b, gr] = [p[name]!, buf[name]!, grads[name]!];
        for (let i = 0; i < w.length; i++) {
          const g = gr[i]! + hp.weightDecay * w[i]!;
          if (mu === 0) {
            w[i] = w[i]! - hp.lr * g;
            continue;
          }
          b[i] = hp.step === 1 ? g : mu * b[i]! + (1 - (o.dampening ?? 0)) * g;
          w[i] = w[i]! - hp.lr * (o.nesterov ? g + mu * b[i]! : b[i]!);
        }
      }
    },
    slots: () => (mu === 0 ? {} : Object.fromEntries(params.map((p) => [`state.momentum_buffer.${p.name}`, buf[p.name]!]))),
  };
}

/** torch.optim.Adam (L2 decay on the gradient) or AdamW (p ← p·(1 − lr·wd) first), bias-corrected, optional AMSGrad. */
function adamReference(o: AdamOptions, params: readonly ReferenceParam[], decoupled: boolean): OptimizerReference {
  const [b1, b2, eps] = [o.beta1 ?? 0.9, o.beta2 ?? 0.999, o.eps ?? 1e-8];
  const [m, v, vmax] = [zeros(params), zeros(params), zeros(params)];
  return {
    step(p, grads, { lr, weightDecay: wd, step: t }) {
      const bc1 = 1 - b1 ** t;
      const bc2 = 1 - b2 ** t;
      for (const { name } of params) {
        const w = p[name]!;
        for (let i = 0; i < w.length; i++) {
          const g = grads[name]![i]! + (decoupled ? 0 : wd * w[i]!);
          if (decoupled) w[i] = w[i]! * (1 - lr * wd);
          m[name]![i] = b1 * m[name]![i]! + (1 - b1) * g;
          v[name]![i] = b2 * v[name]![i]! + (1 - b2) * g * g;
          vmax[name]![i] = Math.max(vmax[name]![i]!, v[name]![i]!);
          const second = o.amsgrad ? vmax[name]![i]! : v[name]![i]!;
          w[i] = w[i]! - ((lr / bc1) * m[name]![i]!) / (Math.sqrt(second) / Math.sqrt(bc2) + eps);
        }
      }
    },
    slots: () =>
      Object.fromEntries(
        params.flatMap((p) => [
          [`state.exp_avg.${p.name}`, m[p.name]!],
          [`state.exp_avg_sq.${p.name}`, v[p.name]!],
          ...(o.amsgrad ? [[`state.max_exp_avg_sq.${p.name}`, vmax[p.name]!]] : []),
        ]),
      ),
  };
}

/** LARS: g' = g + wd·w; λ = η‖w‖/(‖g'‖ + eps) (1 when a norm is 0); v = μv + lr·λ·g'; w -= v (nesterov: μv + lr·λ·g'). Excluded tensors: λ = 1, no decay. */
function larsReference(o: LarsOptions, params: readonly ReferenceParam[]): OptimizerReference {
  const [mu, eta, eps] = [o.momentum ?? 0.9, o.trustCoefficient ?? 0.001, o.eps ?? 0];
  const v = zeros(params);
  return {
    step(p, grads, hp) {
      for (const param of params) {
        const w = p[param.name]!;
        const out = excluded(param, o.exclude);
        const g = Float64Array.from(grads[param.name]!, (gi, i) => gi + (out ? 0 : hp.weightDecay * w[i]!));
        const [wn, gn] = [norm(w), norm(g)];
        const trust = out || wn === 0 || gn === 0 ? 1 : (eta * wn) / (gn + eps);
        const b = v[param.name]!;
        for (let i = 0; i < w.length; i++) {
          b[i] = mu * b[i]! + hp.lr * trust * g[i]!;
          w[i] = w[i]! - (o.nesterov ? mu * b[i]! + hp.lr * trust * g[i]! : b[i]!);
        }
      }
    },
    slots: () => Object.fromEntries(params.map((p) => [`state.momentum_buffer.${p.name}`, v[p.name]!])),
  };
}

/** LAMB: Adam moments (no decay in them); r = m̂/(√v̂ + eps) + wd·w; λ = ‖w‖/‖r‖ (1 when a norm is 0); w -= lr·λ·r. Excluded tensors: λ = 1, no decay. */
function lambReference(o: LambOptions, params: readonly ReferenceParam[]): OptimizerReference {
  const [b1, b2, eps] = [o.beta1 ?? 0.9, o.beta2 ?? 0.999, o.eps ?? 1e-6];
  const [m, v] = [zeros(params), zeros(params)];
  return {
    step(p, grads, { lr, weightDecay: wd, step: t }) {
      for (const param of params) {
        const w = p[param.name]!;
        const out = excluded(param, o.exclude);
        const r = new Float64Array(w.length);
        for (let i = 0; i < w.length; i++) {
          const g = grads[param.name]![i]!;
          m[param.name]![i] = b1 * m[param.name]![i]! + (1 - b1) * g;
          v[param.name]![i] = b2 * v[param.name]![i]! + (1 - b2) * g * g;
          r[i] = m[param.name]![i]! / (1 - b1 ** t) / (Math.sqrt(v[param.name]![i]! / (1 - b2 ** t)) + eps) + (out ? 0 : wd * w[i]!);
        }
        const [wn, rn] = [norm(w), norm(r)];
        const trust = out || wn === 0 || rn === 0 ? 1 : wn / rn;
        for (let i = 0; i < w.length; i++) w[i] = w[i]! - lr * trust * r[i]!;
      }
    },
    slots: () => Object.fromEntries(params.flatMap((p) => [[`state.exp_avg.${p.name}`, m[p.name]!], [`state.exp_avg_sq.${p.name}`, v[p.name]!]])),
  };
}

/**
 * SGD-HD / SGDN-HD / Adam-HD through `referenceRun` of the hypergradient specs: it runs whole
 * trajectories, so each step replays the run from the start with the gradients and lrs so far
 * (20 steps of two small tensors: cheap). The learned lr α is compared as `state.lr.default`.
 */
function hypergradientReference(kind: ReferenceConfig['kind'], o: HdOptions, params: readonly ReferenceParam[]): OptimizerReference {
  let initial: Vectors | undefined;
  const history: { grads: Vectors; lr: number }[] = [];
  let alpha = NaN;
  return {
    step(p, grads, hp) {
      initial ??= Object.fromEntries(params.map((q) => [q.name, Array.from(p[q.name]!)]));
      history.push({ grads: Object.fromEntries(params.map((q) => [q.name, Array.from(grads[q.name]!)])), lr: hp.lr });
      let t = 0;
      const config: ReferenceConfig = {
        kind,
        beta: o.hypergradientLr ?? (kind === 'adam' ? 1e-7 : 1e-3),
        momentum: o.momentum,
        beta1: o.beta1,
        beta2: o.beta2,
        eps: o.eps,
        weightDecay: hp.weightDecay,
        groups: [{ name: 'default', params: params.map((q) => q.name) }],
        lr: (step) => history[step - 1]!.lr,
      };
      const last = referenceRun(config, initial, () => structuredClone(history[t++]!.grads), history.length).at(-1)!;
      for (const q of params) p[q.name]!.set(last.params[q.name]!);
      alpha = last.alpha.default!;
    },
    slots: () => ({ 'state.lr.default': [alpha] }),
  };
}

type Cases = OptimizerConformanceCases<never>;
const cases = <O>(c: OptimizerConformanceCases<O>): Cases => c as unknown as Cases;

/** Valid and invalid option sets and the reference of every built-in. */
const CASES: Record<string, Cases> = {
  sgd: cases<SgdOptions>({
    valid: [{}, { momentum: 0.9 }, { momentum: 0.8, dampening: 0.3 }, { momentum: 0.9, nesterov: true }],
    invalid: [{ momentum: 1 }, { momentum: -0.1 }, { nesterov: 'yes' }, { lr: 0.1 }],
    reference: (o, params) => sgdReference(o, params),
  }),
  momentum: cases<SgdOptions>({
    valid: [{}, { momentum: 0.5, dampening: 0.1 }],
    invalid: [{ momentum: 1.5 }, { nesterov: true }],
    reference: (o, params) => sgdReference(o, params),
  }),
  nesterov: cases<SgdOptions>({ valid: [{}, { momentum: 0.7 }], invalid: [{ momentum: 1 }, { dampening: 0.1 }], reference: (o, params) => sgdReference({ ...o, nesterov: true }, params) }),
  adam: cases<AdamOptions>({
    valid: [{}, { beta1: 0.8, beta2: 0.99, eps: 1e-6, amsgrad: true }],
    invalid: [{ beta1: 1 }, { eps: -1 }, { amsgrad: 1 }],
    reference: (o, params) => adamReference(o, params, false),
    lr: 0.01,
  }),
  adamw: cases<AdamOptions>({
    valid: [{}, { amsgrad: true, beta2: 0.95 }],
    invalid: [{ beta2: 1.2 }, { weightDecay: 0.1 }],
    reference: (o, params) => adamReference(o, params, true),
    lr: 0.01,
  }),
  lars: cases<LarsOptions>({
    valid: [{}, { momentum: 0.5, nesterov: true, trustCoefficient: 0.02, eps: 1e-3 }, { exclude: 'none' }],
    invalid: [{ trustCoefficient: 0 }, { exclude: 'biases' }, { momentum: 1 }],
    reference: (o, params) => larsReference(o, params),
    // η‖w‖ per step is tiny with the default trust coefficient 1e-3: a large lr makes the tensors move
    lr: 5,
  }),
  lamb: cases<LambOptions>({
    valid: [{}, { beta1: 0.85, eps: 1e-4, exclude: 'none' }],
    invalid: [{ beta1: -0.1 }, { exclude: 'all' }],
    reference: (o, params) => lambReference(o, params),
    lr: 0.01,
  }),
  'sgd-hd': cases<HdOptions>({
    valid: [{}, { momentum: 0.9, hypergradientLr: 0.01 }, { momentum: 0.8, nesterov: true }],
    invalid: [{ hypergradientLr: -1 }, { momentum: 1 }],
    reference: (o, params) => hypergradientReference(o.nesterov ? 'nesterov' : (o.momentum ?? 0) > 0 ? 'momentum' : 'sgd', o, params),
  }),
  'adam-hd': cases<HdOptions>({
    valid: [{}, { beta1: 0.8, hypergradientLr: 1e-4 }],
    invalid: [{ hypergradientLr: -1e-7 }, { momentum: 0.9 }],
    reference: (o, params) => hypergradientReference('adam', o, params),
    lr: 0.01,
  }),
};

describe('optimizer conformance of the built-ins', () => {
  it('covers every built-in optimizer', () => {
    expect(Object.keys(CASES).sort()).toEqual(builtinOptimizers.map((d) => d.id).sort());
  });
});

for (const descriptor of builtinOptimizers) {
  const c = CASES[descriptor.id];
  if (c) describeOptimizerConformance(descriptor as OptimizerDescriptor<never>, c);
}
