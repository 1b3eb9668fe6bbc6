import { describeCallbackConformance, describeLoggerConformance, describeMetricConformance, type CallbackConformanceCases, type LoggerConformanceCases, type MetricConformanceCases } from '@anneal/testing';
import { describe, expect, it } from 'vitest';
import { builtinCallbacks, builtinCoreLoggers, builtinMetrics } from './index.js';

/** Every built-in callback, metric and logger of @anneal/core through its kind's conformance suite. */

const CALLBACKS: Record<string, CallbackConformanceCases> = {
  'early-stopping': {
    // minDelta 1e9: nothing counts as an improvement after epoch 0, so the run stops at the end of epoch 3
    valid: [{}, { monitor: 'val.accuracy', patience: 1, restoreBest: true }, { monitor: 'train.loss', patience: 3, minDelta: 1e9, restoreBest: true }],
    invalid: [{ monitor: 'loss' }, { patience: -1 }, { mode: 'lowest' }, { patience: 1.5 }],
    run: { epochs: 5 },
  },
  'model-checkpoint': {
    valid: [{}, { monitor: 'val.accuracy', saveTopK: 2, saveLast: false }, { saveTopK: 0 }],
    invalid: [{ saveTopK: -1 }, { monitor: 'val' }, { dir: '/tmp' }],
  },
  'update-ratio': {
    valid: [{}, { low: 1e-3, high: 2e-3 }],
    invalid: [{ low: 0 }, { high: -1 }],
    run: { normsEvery: 1 },
  },
  'hyperparameter-monitor': { valid: [{}, { every: 3 }], invalid: [{ every: 0 }, { every: 1.5 }] },
  swa: {
    valid: [{ startEpoch: 1 }, { startEpoch: 2, every: 2, lr: 0.05, annealEpochs: 1, annealStrategy: 'linear' }],
    invalid: [{}, { startEpoch: 0 }, { startEpoch: 1, annealStrategy: 'exp' }, { startEpoch: 1, every: 0 }],
  },
};

const METRICS: Record<string, MetricConformanceCases> = {
  accuracy: { valid: [{}], invalid: [{ k: 1 }] },
  'top-k': { valid: [{ k: 1 }, { k: 3 }], invalid: [{}, { k: 0 }, { k: 2.5 }] },
};

const LOGGERS: Record<string, LoggerConformanceCases> = {
  progress: { valid: [{}, { throttleMs: 0 }], invalid: [{ throttleMs: -1 }, { bars: true }] },
};

describe('conformance of the built-ins of @anneal/core', () => {
  it('covers every built-in callback, metric and logger', () => {
    expect(Object.keys(CALLBACKS).sort()).toEqual(builtinCallbacks.map((d) => d.id).sort());
    expect(Object.keys(METRICS).sort()).toEqual(builtinMetrics.map((d) => d.id).sort());
    expect(Object.keys(LOGGERS).sort()).toEqual(builtinCoreLoggers.map((d) => d.id).sort());
  });
});

for (const d of builtinCallbacks) if (CALLBACKS[d.id]) describeCallbackConformance(d, CALLBACKS[d.id]!);
for (const d of builtinMetrics) if (METRICS[d.id]) describeMetricConformance(d, METRICS[d.id]!);
for (const d of builtinCoreLoggers) if (LOGGERS[d.id]) describeLoggerConformance(d, LOGGERS[d.id]!);
