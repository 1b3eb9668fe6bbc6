/** The Anneal samplers `npm run bench search-quality` compares, by name. */
import { CmaEsSampler, GpSampler, NsgaIISampler, QmcSampler, RandomSampler, TpeSampler, type Sampler } from '@anneal/search';

export const ANNEAL_SAMPLERS: Readonly<Record<string, (seed: number) => Sampler>> = {
  random: (seed) => new RandomSampler({ seed }),
  qmc: (seed) => new QmcSampler({ seed }),
  tpe: (seed) => new TpeSampler({ seed }),
  'tpe-multivariate': (seed) => new TpeSampler({ seed, multivariate: true }),
  'cma-es': (seed) => new CmaEsSampler({ seed }),
  gp: (seed) => new GpSampler({ seed }),
  'nsga-ii': (seed) => new NsgaIISampler({ seed }),
};
