import { createStudy, RandomSampler, type Sampler } from '@anneal/search';
import { describeSamplerConformance } from '@anneal/testing';
import { describe, expect, it } from 'vitest';
import plugin, { descriptors, HillClimbSampler, hillClimbDescriptor } from './index.js';

describeSamplerConformance(hillClimbDescriptor, { valid: [{}, { startupTrials: 2, sigma: 0.5, switchProbability: 0 }], invalid: [{ sigma: 0 }, { startupTrials: -1 }, { step: 1 }] });

/** The best value of `trials` trials of a sampler on a 4-d sphere centred at 0.3 (minimum 0). */
async function bestOnSphere(sampler: Sampler, trials: number): Promise<number> {
  const study = await createStudy('sphere', { sampler, direction: 'minimize' });
  await study.optimize((t) => [0, 1, 2, 3].reduce((s, i) => s + (t.suggestFloat(`x${i}`, -1, 1) - 0.3) ** 2, 0), { nTrials: trials });
  return (await study.bestTrial())!.value!;
}

describe('hill-climb', () => {
  it('is what the package exports', () => {
    expect(plugin).toBe(descriptors);
  });

  it('climbs: on a 4-d sphere it beats random search of the same budget on every seed', async () => {
    for (const seed of [0, 1, 2]) {
      const climbed = await bestOnSphere(new HillClimbSampler({ seed }), 60);
      const random = await bestOnSphere(new RandomSampler({ seed }), 60);
      expect(climbed, `seed ${seed}`).toBeLessThan(random);
      expect(climbed).toBeLessThan(0.05);
    }
  });
});
