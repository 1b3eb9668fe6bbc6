import { exportDescriptors, type KindSource } from './kind-source.js';

/** A threshold pruner: stateless, deciding from the stored trial alone. */
export const pruner: KindSource = {
  package: '@anneal/search',
  helper: 'definePruner',
  suite: 'describePrunerConformance',
  uses: [],
  index: (n) => `import { definePruner, type FrozenTrial, type StudyView } from '@anneal/search';
import { z } from 'zod';

/**
 * Prunes a trial whose latest reported value, from step \`after\` on, is worse than \`bound\`
 * (below it when maximizing, above it when minimizing) or NaN. A pure function of the study
 * and the trial: it works across worker processes.
 */
export const ${n.constant} = definePruner({
  id: '${n.id}',
  description: 'prune a trial whose latest value is worse than a bound',
  options: z.strictObject({ bound: z.number(), after: z.number().int().nonnegative().default(0) }),
  create: (o) => ({
    name: '${n.id}',
    shouldPrune: (study: StudyView, trial: FrozenTrial) => {
      const steps = Object.keys(trial.intermediate).map(Number);
      if (!steps.length) return false;
      const last = Math.max(...steps);
      if (last < o.after) return false;
      const value = trial.intermediate[last]!;
      return Number.isNaN(value) || (study.direction === 'minimize' ? value > o.bound : value < o.bound);
    },
  }),
});
${exportDescriptors(n)}`,
  spec: (n) => `import { describePrunerConformance } from '@anneal/testing';
import { ${n.constant} } from './index.js';

describePrunerConformance(${n.constant}, { valid: [{ bound: 0.5 }, { bound: 1.2, after: 2 }], invalid: [{}, { bound: 0.5, after: -1 }] });
`,
  usage: (n) => `# in a tune config\npruner: { type: ${n.id}, package: ${n.packageName}, bound: 0.5, after: 2 }`,
};
