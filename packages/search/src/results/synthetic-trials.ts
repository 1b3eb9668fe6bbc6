// Fixtures for this folder's specs only (not exported from index.ts): FrozenTrials built by hand.
import { seededRandom } from '@anneal/data';
import type { Distribution, FrozenTrial, ParamValue, TrialState } from '../types.js';

/** A trial with the given parameters (each with its distribution), state and value. */
export function makeTrial(
  number: number,
  params: Record<string, [Distribution, ParamValue]>,
  value: number | undefined,
  state: TrialState = 'complete',
  extra: Partial<FrozenTrial> = {},
): FrozenTrial {
  return {
    id: `t${number}`,
    number,
    state,
    params: Object.fromEntries(Object.entries(params).map(([k, [, v]]) => [k, v])),
    distributions: Object.fromEntries(Object.entries(params).map(([k, [d]]) => [k, d])),
    ...(value !== undefined ? { value } : {}),
    intermediate: {},
    startedAt: 1_700_000_000_000 + number * 10_000,
    ...(state !== 'running' && state !== 'waiting' ? { completedAt: 1_700_000_000_000 + number * 10_000 + 1500 + 100 * number } : {}),
    userAttrs: {},
    systemAttrs: {},
    ...extra,
  };
}

export const X: Distribution = { kind: 'float', low: 0, high: 1 };
export const LR: Distribution = { kind: 'float', low: 1e-5, high: 1e-1, log: true };
export const LAYERS: Distribution = { kind: 'int', low: 1, high: 4 };
export const OPTIMIZER: Distribution = { kind: 'categorical', choices: ['adam', 'sgd', 'rmsprop'] };
export const MOMENTUM: Distribution = { kind: 'float', low: 0.5, high: 0.99 };

/**
 * A small study over float/log/int/categorical parameters with a conditional `momentum` (only for
 * sgd), ending with pruned and failed trials. value = (log10 lr + 3)^2 + 0.1 layers (+0.5 for sgd).
 */
export function syntheticStudy(n = 24, seed = 3): FrozenTrial[] {
  const random = seededRandom(seed);
  const trials: FrozenTrial[] = [];
  for (let i = 0; i < n; i++) {
    const lr = 10 ** (-5 + 4 * random());
    const layers = 1 + Math.floor(random() * 4);
    const optimizer = (['adam', 'sgd', 'rmsprop'] as const)[i % 3]!;
    const params: Record<string, [Distribution, ParamValue]> = { lr: [LR, lr], layers: [LAYERS, layers], optimizer: [OPTIMIZER, optimizer] };
    if (optimizer === 'sgd') params['momentum'] = [MOMENTUM, 0.5 + 0.49 * random()];
    const value = (Math.log10(lr) + 3) ** 2 + 0.1 * layers + (optimizer === 'sgd' ? 0.5 : 0);
    const state: TrialState = i % 7 === 5 ? 'pruned' : i % 11 === 9 ? 'fail' : 'complete';
    trials.push(makeTrial(i, params, state === 'fail' ? undefined : value, state, state === 'fail' ? { error: 'diverged' } : {}));
  }
  return trials;
}
