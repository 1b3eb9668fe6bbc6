import { describe, expect, it } from 'vitest';
import { adam, adamw, buildOptimizerStep, sgd, type OptimizerStepConfig } from './index.js';

/** Nodes appended per parameter (marginal cost of one more parameter, measured from 2 to 3) and the per-update fixed cost (scalar hyperparameter math, global norm). */
function counts(config: Omit<OptimizerStepConfig, 'params'>): { perParam: number; fixed: number } {
  const build = (n: number) => buildOptimizerStep({ ...config, params: Array.from({ length: n }, (_, i) => ({ name: `p${i}`, dims: [3] })) }).update.nodeCount;
  const [two, three] = [build(2), build(3)];
  return { perParam: three - two, fixed: two - 2 * (three - two) };
}

const cases: [string, Omit<OptimizerStepConfig, 'params'>, number][] = [
  ['sgd', { optimizer: sgd(), lr: 0.1, stats: false }, 2],
  ['sgd + wd', { optimizer: sgd(), lr: 0.1, weightDecay: 0.01, stats: false }, 3],
  ['sgd momentum', { optimizer: sgd({ momentum: 0.9 }), lr: 0.1, stats: false }, 4],
  ['sgd momentum + dampening', { optimizer: sgd({ momentum: 0.9, dampening: 0.1 }), lr: 0.1, stats: false }, 5],
  ['sgd momentum + wd', { optimizer: sgd({ momentum: 0.9 }), lr: 0.1, weightDecay: 0.01, stats: false }, 5],
  ['sgd nesterov', { optimizer: sgd({ momentum: 0.9, nesterov: true }), lr: 0.1, stats: false }, 5],
  ['adam', { optimizer: adam(), lr: 1e-3, stats: false }, 12],
  ['adam + L2 wd', { optimizer: adam(), lr: 1e-3, weightDecay: 0.01, stats: false }, 14],
  ['adam amsgrad', { optimizer: adam({ amsgrad: true }), lr: 1e-3, stats: false }, 13],
  ['adamw', { optimizer: adamw(), lr: 1e-3, weightDecay: 0.01, stats: false }, 13],
  ['adamw + clip', { optimizer: adamw(), lr: 1e-3, weightDecay: 0.01, maxGradNorm: 1, stats: false }, 14],
  ['adamw + clip + stats', { optimizer: adamw(), lr: 1e-3, weightDecay: 0.01, maxGradNorm: 1 }, 18],
  ['sgd momentum + clip', { optimizer: sgd({ momentum: 0.9 }), lr: 0.1, maxGradNorm: 1, stats: false }, 6],
  ['adam + stats', { optimizer: adam(), lr: 1e-3 }, 17],
];

describe('node counts per parameter', () => {
  it.each(cases)('%s', (_name, config, expected) => {
    expect(counts(config).perParam).toBe(expected);
  });

  it('prints the table', () => {
    console.log(cases.map(([name, config]) => `${name.padEnd(22)} per param ${counts(config).perParam}, fixed ${counts(config).fixed}`).join('\n'));
  });
});
