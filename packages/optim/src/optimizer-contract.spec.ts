import { describe, expect, it } from 'vitest';
import { OptimConfigError, buildOptimizerStep, combine, scaleTerms, type Optimizer } from './index.js';
import { runTrajectory } from './testing/ort-step-runner.js';

/** A plugin optimizer written against the public contract only: sign-SGD with its own hyperparameter. */
const signSgd: Optimizer = {
  id: 'sign-sgd',
  hyperparameters: [{ key: 'sign_scale', value: 2, description: 'multiplier of the sign step' }],
  stateSlots: () => [],
  emit: (ctx) => {
    const s = ctx.scalars;
    const sign = ctx.builder.op('Sign', [ctx.grad.tensor]);
    combine(ctx.builder, s, [{ tensor: ctx.value }, ...scaleTerms(s, [{ tensor: sign }], s.neg(s.mul(ctx.lr, ctx.hp('sign_scale'))))], ctx.outputs.param);
  },
};

describe('Optimizer contract', () => {
  it('runs a plugin optimizer with its own hp.<key> input', async () => {
    const { step, outputs } = await runTrajectory({ optimizer: signSgd, lr: 0.1, params: [{ name: 'w', dims: [3] }] }, { w: [1, 2, 3] }, [{ w: [0.5, -3, 0] }]);
    expect(step.update.hyperparameters.map((h) => h.name)).toEqual(['hp.lr.default', 'hp.sign_scale']);
    expect(Array.from(outputs[0]!['new.w']!)).toEqual([1 - 0.2, 2 + 0.2, 3].map(Math.fround));
  });

  it('reports an emitter that does not produce its outputs or uses an undeclared hyperparameter', () => {
    const lazy: Optimizer = { ...signSgd, emit: () => undefined };
    expect(() => buildOptimizerStep({ optimizer: lazy, lr: 0.1, params: [{ name: 'w', dims: [3] }] })).toThrow(/did not produce 'new.w'/);
    const sneaky: Optimizer = { ...signSgd, hyperparameters: [] };
    expect(() => buildOptimizerStep({ optimizer: sneaky, lr: 0.1, params: [{ name: 'w', dims: [3] }] })).toThrow(OptimConfigError);
  });
});
