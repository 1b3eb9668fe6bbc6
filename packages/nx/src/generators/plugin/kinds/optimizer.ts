import { exportDescriptors, type KindSource } from './kind-source.js';

/** Signum: the sign of the momentum, with decoupled weight decay; its conformance reference in float64. */
export const optimizer: KindSource = {
  package: '@anneal/optim',
  helper: 'defineOptimizer',
  suite: 'describeOptimizerConformance',
  uses: [],
  index: (n) => `import { combine, defineOptimizer, scaleTerms } from '@anneal/optim';
import { z } from 'zod';

/**
 * Signum (Bernstein et al. 2018): the sign of the momentum, with decoupled weight decay.
 * m <- mu m + (1 - mu) g;  p <- p - lr (sign(m) + wd p). The update is emitted as ONNX ops into
 * the train-step graph; \`hp.momentum\` is a graph input, \`momentum_buffer\` its state.
 */
export const ${n.constant} = defineOptimizer({
  id: '${n.id}',
  description: 'sign of the momentum with decoupled weight decay (signum)',
  options: z.strictObject({ momentum: z.number().min(0).lt(1).default(0.9) }),
  create: (o) => ({
    id: '${n.id}',
    hyperparameters: [{ key: 'momentum', value: o.momentum, description: 'momentum factor' }],
    stateSlots: () => ['momentum_buffer'],
    emit: (ctx) => {
      const { builder: b, scalars: s } = ctx;
      const mu = ctx.hp('momentum');
      const m = combine(b, s, [{ tensor: ctx.state.momentum_buffer!, scale: mu }, ...scaleTerms(s, [ctx.grad], s.oneMinus(mu))], ctx.outputs.state.momentum_buffer);
      const decay = ctx.weightDecay ? [{ tensor: ctx.value, scale: ctx.weightDecay }] : [];
      combine(b, s, [{ tensor: ctx.value }, ...scaleTerms(s, [{ tensor: b.op('Sign', [m]) }, ...decay], s.neg(ctx.lr))], ctx.outputs.param);
    },
  }),
});
${exportDescriptors(n)}`,
  spec: (n) => `import { describeOptimizerConformance, type OptimizerReference, type ReferenceParam } from '@anneal/testing';
import { ${n.constant} } from './index.js';

/** The update written from its formulas, in float64. */
function reference(o: { momentum: number }, params: readonly ReferenceParam[]): OptimizerReference {
  const m = Object.fromEntries(params.map((p) => [p.name, new Float64Array(p.size)]));
  return {
    step(values, grads, hp) {
      for (const p of params) {
        const w = values[p.name]!;
        const g = grads[p.name]!;
        const buf = m[p.name]!;
        for (let i = 0; i < p.size; i++) {
          buf[i] = o.momentum * buf[i]! + (1 - o.momentum) * g[i]!;
          w[i] = w[i]! - hp.lr * (Math.sign(buf[i]!) + hp.weightDecay * w[i]!);
        }
      }
    },
    slots: () => Object.fromEntries(params.map((p) => ['state.momentum_buffer.' + p.name, m[p.name]!])),
  };
}

describeOptimizerConformance(${n.constant}, {
  valid: [{}, { momentum: 0.5 }],
  invalid: [{ momentum: 1 }, { beta: 0.9 }],
  reference: (o, params) => reference(o as { momentum: number }, params),
  lr: 0.01,
});
`,
  usage: (n) => `optimizer: { type: ${n.id}, package: ${n.packageName}, lr: 0.001, weightDecay: 0.01, momentum: 0.9 }`,
};
