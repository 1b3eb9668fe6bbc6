import { describeSchedulerConformance, type SchedulerConformanceCases } from '@anneal/testing';
import { describe, expect, it } from 'vitest';
import { builtinSchedulers } from './index.js';

const plateau = { type: 'reduce-on-plateau', base: 1, factor: 0.5, patience: 1 };

/** Valid and invalid option sets of every built-in descriptor. */
const CASES: Record<string, SchedulerConformanceCases> = {
  constant: { valid: [{ base: 0.1 }], invalid: [{}, { base: '0.1' }, { base: 1, extra: 1 }] },
  step: {
    valid: [{ base: 0.1, stepSize: 30 }, { base: 1, stepSize: 1, gamma: 0.9 }],
    invalid: [{ base: 1 }, { base: 1, stepSize: 0 }, { base: 1, stepSize: 2, gamma: 0 }],
  },
  'multi-step': {
    valid: [{ base: 0.1, milestones: [30, 80] }, { base: 1, milestones: [], gamma: 0.5 }],
    invalid: [{ base: 1, milestones: [3, 3] }, { base: 1, milestones: [0] }, { base: 1 }],
  },
  exponential: { valid: [{ base: 0.1, gamma: 0.99 }], invalid: [{ base: 0.1 }, { base: 0.1, gamma: -0.5 }] },
  cosine: {
    valid: [{ base: 0.1, tMax: 100 }, { base: 0.1, tMax: 1, etaMin: 0.01 }],
    invalid: [{ base: 0.1 }, { base: 0.1, tMax: 1.5 }, { base: 0.1, tMax: 10, etaMin: null }],
  },
  'cosine-with-warm-restarts': {
    valid: [{ base: 0.1, t0: 10 }, { base: 0.1, t0: 3, tMult: 2, etaMin: 0.001, peakDecay: 0.8 }],
    invalid: [{ base: 0.1, t0: 0 }, { base: 0.1, t0: 10, tMult: 0 }, { base: 0.1, t0: 10, peakDecay: 0 }],
  },
  linear: {
    valid: [{ base: 0.1, startFactor: 0.1, totalIters: 20 }, { base: 0.1, startFactor: 1, endFactor: 0, totalIters: 1 }],
    invalid: [{ base: 0.1, totalIters: 5 }, { base: 0.1, startFactor: -1, totalIters: 5 }],
  },
  'inverse-sqrt': {
    valid: [{ base: 1e-3, warmup: 100 }, { base: 1, warmup: 1 }],
    invalid: [{ base: 1, warmup: 0 }, { warmup: 10 }],
  },
  polynomial: {
    valid: [{ base: 0.1, totalIters: 100 }, { base: 0.1, totalIters: 7, power: 0.5, end: 0.01 }],
    invalid: [{ base: 0.1, totalIters: 0 }, { base: 0.1, totalIters: 10, power: 0 }],
  },
  'one-cycle': {
    valid: [{ max: 0.1, totalSteps: 100 }, { max: 1, totalSteps: 400, pctStart: 0.4, anneal: 'linear', threePhase: true, divFactor: 10, finalDivFactor: 100 }],
    invalid: [{ max: 0.1, totalSteps: 100, pctStart: 1 }, { max: 0.1, totalSteps: 100, anneal: 'exp' }, { max: 0.1, totalSteps: 50, pctStart: 0.01 }, { max: 0.1 }],
  },
  'reduce-on-plateau': {
    valid: [{ base: 0.1 }, { base: 0.1, mode: 'max', factor: 0.5, patience: 0, threshold: 0.01, thresholdMode: 'abs', cooldown: 2, min: 0.001 }],
    invalid: [{ base: 0.1, factor: 1 }, { base: 0.1, mode: 'lowest' }, { base: 0.1, patience: -1 }],
  },
  warmup: {
    valid: [{ steps: 10, inner: { type: 'cosine', base: 0.1, tMax: 200 } }, { steps: 5, mode: 'constant', startFactor: 0.1, inner: plateau }],
    invalid: [{ steps: 10 }, { steps: 10, inner: { base: 1 } }, { steps: 3, mode: 'constant', inner: { type: 'constant', base: 1 } }],
  },
  sequential: {
    valid: [
      { schedules: [{ type: 'linear', base: 0.1, startFactor: 0.1, totalIters: 10 }, { type: 'cosine', base: 0.1, tMax: 200 }], milestones: [10] },
      { schedules: [{ type: 'constant', base: 1 }, plateau], milestones: [100] },
    ],
    invalid: [{ schedules: [], milestones: [] }, { schedules: [{ type: 'constant', base: 1 }], milestones: [5] }],
  },
  chained: {
    valid: [
      { schedules: [{ type: 'cosine', base: 0.1, tMax: 300 }, plateau] },
      { schedules: [{ type: 'exponential', base: 0.1, gamma: 0.99 }, { type: 'step', base: 1, stepSize: 100 }] },
    ],
    invalid: [{ schedules: [] }, { schedules: [{ base: 1 }] }],
  },
};

describe('built-in conformance cases', () => {
  it('cover every built-in descriptor', () => {
    expect(Object.keys(CASES).sort()).toEqual(builtinSchedulers.map((d) => d.id).sort());
  });
});

for (const descriptor of builtinSchedulers) {
  const cases = CASES[descriptor.id];
  if (cases) describeSchedulerConformance(descriptor, cases);
}
