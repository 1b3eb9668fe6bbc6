import { describeOptimizerConformance, type OptimizerReference, type ReferenceParam } from '@anneal/testing';
import { createPipeline } from '@anneal/pipeline';
import { silentIo } from '@anneal/core';
import { describe, expect, it } from 'vitest';
import plugin, { descriptors, lionDescriptor, type LionOptions } from './index.js';

/** Lion written from the paper's update rule, in float64. */
function lionReference(o: Required<LionOptions>, params: readonly ReferenceParam[]): OptimizerReference {
  const m: Record<string, Float64Array> = Object.fromEntries(params.map((p) => [p.name, new Float64Array(p.size)]));
  return {
    step(values, grads, hp) {
      for (const p of params) {
        const w = values[p.name]!;
        const g = grads[p.name]!;
        const mom = m[p.name]!;
        for (let i = 0; i < p.size; i++) {
          const c = o.beta1 * mom[i]! + (1 - o.beta1) * g[i]!;
          w[i] = w[i]! * (1 - hp.lr * hp.weightDecay) - hp.lr * Math.sign(c);
          mom[i] = o.beta2 * mom[i]! + (1 - o.beta2) * g[i]!;
        }
      }
    },
    slots: () => Object.fromEntries(params.map((p) => [`state.exp_avg.${p.name}`, m[p.name]!])),
  };
}

describeOptimizerConformance(lionDescriptor, {
  valid: [{}, { beta1: 0.95, beta2: 0.98 }],
  invalid: [{ beta1: 1 }, { beta2: -0.1 }, { momentum: 0.9 }],
  reference: (o, params) => lionReference(o as Required<LionOptions>, params),
  lr: 0.01,
});

describe('lion through a config', () => {
  it('is what the package exports, and trains MNIST when a fit config names it by package', async () => {
    expect(plugin).toBe(descriptors);
    const pipeline = await createPipeline({ io: silentIo });
    const s = await pipeline.fit(
      {
        data: { source: { type: 'mnist', perDigit: 100 }, split: { test: 0.2, val: 0.1, stratify: true }, batchSize: 32 },
        model: { type: 'mlp', hidden: [64] },
        optimizer: { type: 'lion', package: '@anneal/optimizer-plugin-example', lr: 1e-3, weightDecay: 0.1 },
        train: { epochs: 4, threads: 1 },
      },
      { dir: false },
    );
    expect(s.test.accuracy!).toBeGreaterThan(0.8);
  });
});
