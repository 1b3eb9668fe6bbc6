import { SAMPLER_CONFORMANCE_SPACE, describeSamplerConformance } from '@anneal/testing';
import { adjustedHigh } from '../distributions.js';
import type { ParamValue } from '../types.js';
import { CmaEsSampler } from './cma-es-sampler.js';
import { GpSampler } from './gp-sampler.js';
import { GridSampler } from './grid-sampler.js';
import { NsgaIISampler } from './nsga-ii-sampler.js';
import { QmcSampler } from './qmc-sampler.js';
import { RandomSampler } from './random-sampler.js';
import { TpeSampler } from './tpe-sampler.js';

/** A grid over the conformance space: both ends of every numeric range, every choice. */
const grid: Record<string, ParamValue[]> = Object.fromEntries(
  Object.entries(SAMPLER_CONFORMANCE_SPACE).map(([name, d]) => [name, d.kind === 'categorical' ? [...d.choices] : [...new Set([d.low, adjustedHigh(d)])]]),
);

describeSamplerConformance('random', (seed) => new RandomSampler({ seed }));
describeSamplerConformance('grid', (seed) => new GridSampler(grid, { seed }));
describeSamplerConformance('qmc (sobol)', (seed) => new QmcSampler({ seed }));
describeSamplerConformance('qmc (halton)', (seed) => new QmcSampler({ seed, kind: 'halton' }));
describeSamplerConformance('tpe (multivariate)', (seed) => new TpeSampler({ seed, multivariate: true }));
describeSamplerConformance('tpe (univariate, constant liar, endpoints)', (seed) => new TpeSampler({ seed, multivariate: false, constantLiar: true, considerEndpoints: true }));
describeSamplerConformance('cma-es (tpe warm start, ipop)', (seed) => new CmaEsSampler({ seed, nStartupTrials: 4, popsize: 4 }));
describeSamplerConformance('cma-es (random warm start)', (seed) => new CmaEsSampler({ seed, warmStart: 'random', nStartupTrials: 2 }));
describeSamplerConformance('gp', (seed) => new GpSampler({ seed, nStartupTrials: 5, candidates: 64 }));
describeSamplerConformance('nsga-ii', (seed) => new NsgaIISampler({ seed, populationSize: 6 }));
