import {
  describeDescriptorContract,
  describePrunerConformance,
  describeSamplerConformance,
  describeStorageConformance,
  redisServerAvailable,
  SAMPLER_CONFORMANCE_SPACE,
  startRedisServer,
  type PrunerConformanceCases,
  type SamplerDescriptorCases,
  type StorageDescriptorCases,
} from '@anneal/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { adjustedHigh } from './distributions.js';
import { builtinPruners, builtinSamplers, builtinStorages } from './index.js';
import type { Distribution } from './types.js';

/** Every built-in sampler, pruner and storage of @anneal/search through its kind's conformance suite. */

/** The conformance space as a grid can walk it: both ends of every numeric range, every choice. */
const GRID_SPACE: Record<string, Distribution> = Object.fromEntries(
  Object.entries(SAMPLER_CONFORMANCE_SPACE).map(([name, d]) => [name, d.kind === 'categorical' ? d : { kind: 'categorical', choices: [...new Set([d.low, adjustedHigh(d)])] }]),
);

const SAMPLERS: Record<string, SamplerDescriptorCases> = {
  tpe: {
    valid: [{}, { seed: 4, startupTrials: 4, multivariate: false, constantLiar: true, considerEndpoints: true, eiCandidates: 8 }],
    invalid: [{ startupTrials: -1 }, { eiCandidates: 0 }, { priorWeight: 0 }, { seed: 1.5 }],
    trials: 20,
  },
  random: { valid: [{}, { seed: 9 }], invalid: [{ seed: 'x' }, { sequence: 'sobol' }] },
  qmc: { valid: [{}, { sequence: 'halton', scramble: false }], invalid: [{ sequence: 'faure' }, { scramble: 1 }] },
  grid: { valid: [{}], invalid: [{ seed: 0.5 }, { points: 3 }], space: GRID_SPACE },
  'cma-es': {
    valid: [{}, { seed: 3, nStartupTrials: 4, warmStart: 'random', sigma0: 0.2, popsize: 4, restart: 'none' }],
    invalid: [{ nStartupTrials: -1 }, { warmStart: 'qmc' }, { sigma0: 0 }, { sigma0: 2 }, { popsize: 1 }, { restart: 'bipop' }, { startupTrials: 4 }],
    trials: 20,
  },
  gp: {
    // the model is fitted from the 6th trial on; small candidate counts keep the suite fast
    valid: [{ nStartupTrials: 5, candidates: 32, localSearches: 1, fitIterations: 10 }, { seed: 2, nStartupTrials: 5, candidates: 64 }],
    invalid: [{ nStartupTrials: 0 }, { candidates: 0 }, { localSearches: -1 }, { fitIterations: 0 }, { seed: 1.5 }, { acquisition: 'ucb' }],
    trials: 15,
  },
  'nsga-ii': {
    valid: [{}, { seed: 5, populationSize: 6, mutationProb: 0.2, crossoverProb: 0.5, crossover: 'uniform' }],
    invalid: [{ populationSize: 1 }, { mutationProb: 1.5 }, { crossoverProb: -0.1 }, { crossover: 'blx' }, { seed: 'x' }],
    trials: 20,
  },
};

const PRUNERS: Record<string, PrunerConformanceCases> = {
  median: { valid: [{}, { startupTrials: 0, warmupSteps: 0, intervalSteps: 2 }], invalid: [{ startupTrials: -1 }, { intervalSteps: 0 }] },
  percentile: { valid: [{ percentile: 25 }, { percentile: 90, startupTrials: 1, warmupSteps: 3 }], invalid: [{}, { percentile: 101 }] },
  asha: { valid: [{}, { minResource: 2, reductionFactor: 2 }], invalid: [{ reductionFactor: 1 }, { minResource: 0 }] },
  hyperband: { valid: [{}, { minResource: 1, maxResource: 9, reductionFactor: 3 }], invalid: [{ maxResource: 0 }, { reductionFactor: 1.5 }] },
  none: { valid: [{}], invalid: [{ never: true }] },
};

const redis = redisServerAvailable() ? await startRedisServer() : undefined;
afterAll(async () => {
  await redis?.stop();
});

const STORAGES: Record<string, StorageDescriptorCases> = {
  journal: { valid: [{}, { path: 'nested/dir/trials.jsonl' }], invalid: [{ path: '' }, { file: 'x' }] },
  // every test needs an empty study set: a fresh key prefix per storage
  redis: { valid: redis ? [{ url: redis.url }, { url: redis.url, retry: { maxMs: 5000 } }] : [], invalid: [{ url: 'http://localhost:6379' }, {}, { url: 'redis://127.0.0.1:6379', retry: { maxMs: -1 } }, { url: 'redis://127.0.0.1:6379', retry: { ms: 5 } }], fresh: (o, n) => ({ ...(o as object), prefix: `conformance-${n}` }) },
  memory: { valid: [{}], invalid: [{ dir: 'x' }] },
};

describe('conformance of the built-ins of @anneal/search', () => {
  it('covers every built-in sampler, pruner and storage', () => {
    expect(Object.keys(SAMPLERS).sort()).toEqual(builtinSamplers.map((d) => d.id).sort());
    expect(Object.keys(PRUNERS).sort()).toEqual(builtinPruners.map((d) => d.id).sort());
    expect(Object.keys(STORAGES).sort()).toEqual(builtinStorages.map((d) => d.id).sort());
  });
});

for (const d of builtinSamplers) if (SAMPLERS[d.id]) describeSamplerConformance(d, SAMPLERS[d.id]!);
for (const d of builtinPruners) if (PRUNERS[d.id]) describePrunerConformance(d, PRUNERS[d.id]!);
for (const d of builtinStorages) {
  const cases = STORAGES[d.id];
  if (!cases) continue;
  // without a redis-server on this machine, the redis descriptor is checked for its descriptor contract only
  if (d.id === 'redis' && !redis) describeDescriptorContract(d, { kind: 'storage', valid: [{ url: 'redis://127.0.0.1:6379' }], invalid: cases.invalid });
  else describeStorageConformance(d, cases);
}
