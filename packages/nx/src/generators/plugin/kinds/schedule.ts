import { exportDescriptors, type KindSource } from './kind-source.js';

/** A step decay: the base value times `factor` every `every` steps. */
export const schedule: KindSource = {
  package: '@anneal/schedulers',
  helper: 'defineScheduler',
  suite: 'describeSchedulerConformance',
  uses: [],
  index: (n) => `import { defineScheduler } from '@anneal/schedulers';
import { z } from 'zod';

/** A step decay: the base value times \`factor\` (default 0.5) every \`every\` steps. \`valueAt\` is pure: the caller passes the step. */
export const ${n.constant} = defineScheduler({
  id: '${n.id}',
  description: 'the base value times factor every \`every\` steps',
  options: z.strictObject({ base: z.number().positive(), every: z.number().int().positive(), factor: z.number().gt(0).lte(1).default(0.5) }),
  create: (o) => ({ valueAt: (step: number) => o.base * o.factor ** Math.floor(step / o.every) }),
});
${exportDescriptors(n)}`,
  spec: (n) => `import { describeSchedulerConformance } from '@anneal/testing';
import { ${n.constant} } from './index.js';

describeSchedulerConformance(${n.constant}, {
  valid: [{ base: 0.1, every: 100 }, { base: 1, every: 7, factor: 0.9 }],
  invalid: [{}, { base: 0.1, every: 0 }, { base: 0.1, every: 10, factor: 2 }],
});
`,
  usage: (n) => `schedules:\n  - target: lr\n    schedule: { type: ${n.id}, package: ${n.packageName}, base: 0.003, every: 200 }`,
};
