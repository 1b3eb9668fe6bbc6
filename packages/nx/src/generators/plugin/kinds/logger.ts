import { exportDescriptors, type KindSource } from './kind-source.js';

/** A logger printing one line per epoch. */
export const logger: KindSource = {
  package: '@anneal/core',
  helper: 'defineLogger',
  suite: 'describeLoggerConformance',
  uses: [],
  index: (n) => `import { defineLogger, ofType } from '@anneal/core';
import { z } from 'zod';

/** Prints one line per epoch (train loss, and val loss when the run validates) where the run prints. */
export const ${n.constant} = defineLogger({
  id: '${n.id}',
  description: 'one line per epoch: train and val loss',
  options: z.strictObject({ prefix: z.string().default('') }),
  create: (o, ctx) => ({
    attach: (events$) =>
      events$.pipe(ofType('epoch:end')).subscribe((e) => {
        const val = e.val ? ', val loss ' + e.val.loss.mean.toFixed(4) : '';
        ctx.io.out(o.prefix + 'epoch ' + (e.epoch + 1) + ': train loss ' + e.train.loss.mean.toFixed(4) + val);
      }),
  }),
});
${exportDescriptors(n)}`,
  spec: (n) => `import { describeLoggerConformance } from '@anneal/testing';
import { ${n.constant} } from './index.js';

describeLoggerConformance(${n.constant}, { valid: [{}, { prefix: '> ' }], invalid: [{ prefix: 1 }, { verbose: true }] });
`,
  usage: (n) => `loggers: [{ type: ${n.id}, package: ${n.packageName} }]`,
};
