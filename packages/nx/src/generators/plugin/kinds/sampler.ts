import { exportDescriptors, type KindSource } from './kind-source.js';

/** A seeded random-search sampler under its own name: the starting point of a search strategy. */
export const sampler: KindSource = {
  package: '@anneal/search',
  helper: 'defineSampler',
  suite: 'describeSamplerConformance',
  uses: [],
  index: (n) => `import { defineSampler, RandomSampler, type Sampler } from '@anneal/search';
import { z } from 'zod';

/**
 * Seeded random search under its own name (the study records which sampler ran). Every value
 * derives from (seed, trial number, parameter), so studies are reproducible with any number of
 * workers. A strategy of your own implements \`sampleIndependent\` (and optionally
 * \`sampleRelative\`) of the Sampler contract.
 */
export const ${n.constant} = defineSampler({
  id: '${n.id}',
  description: 'seeded random search',
  options: z.strictObject({ seed: z.number().int().optional() }),
  create: (o, ctx): Sampler => {
    const random = new RandomSampler({ seed: o.seed ?? ctx.seed });
    return { name: '${n.id}', sampleIndependent: (study, trial, name, distribution) => random.sampleIndependent(study, trial, name, distribution) };
  },
});
${exportDescriptors(n)}`,
  spec: (n) => `import { describeSamplerConformance } from '@anneal/testing';
import { ${n.constant} } from './index.js';

describeSamplerConformance(${n.constant}, { valid: [{}, { seed: 7 }], invalid: [{ seed: 1.5 }, { sigma: 1 }] });
`,
  usage: (n) => `# in a tune config\nsampler: { type: ${n.id}, package: ${n.packageName} }`,
};
