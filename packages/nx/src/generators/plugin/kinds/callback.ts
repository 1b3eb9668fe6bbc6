import { exportDescriptors, type KindSource } from './kind-source.js';

/** A loss-spike alarm whose running mean is checkpointed state. */
export const callback: KindSource = {
  package: '@anneal/core',
  helper: 'defineCallback',
  suite: 'describeCallbackConformance',
  uses: [],
  index: (n) => `import { defineCallback, type Callback } from '@anneal/core';
import { z } from 'zod';

/**
 * Warns (a \`warning\` event) when a batch loss exceeds \`factor\` times the running mean of the
 * losses before it. The mean and count are its state: a resumed run warns exactly where an
 * uninterrupted one does.
 */
export const ${n.constant} = defineCallback({
  id: '${n.id}',
  description: 'warns when a batch loss exceeds factor x the running mean',
  options: z.strictObject({ factor: z.number().gt(1).default(1.5), after: z.number().int().nonnegative().default(3) }),
  create: (o): Callback => {
    let mean = 0;
    let count = 0;
    return {
      key: '${n.id}',
      onBatchEnd: (e, control) => {
        if (count > o.after && e.loss > o.factor * mean) control.warn('LOSS_SPIKE', 'step ' + e.step + ': loss ' + e.loss + ' > ' + o.factor + ' x running mean ' + mean);
        mean += (e.loss - mean) / ++count;
      },
      state: () => ({ mean, count }),
      restore: (s) => void ({ mean, count } = s as { mean: number; count: number }),
    };
  },
});
${exportDescriptors(n)}`,
  spec: (n) => `import { describeCallbackConformance } from '@anneal/testing';
import { ${n.constant} } from './index.js';

describeCallbackConformance(${n.constant}, { valid: [{}, { factor: 1.01, after: 0 }], invalid: [{ factor: 1 }, { after: -1 }] });
`,
  usage: (n) => `callbacks: [{ type: ${n.id}, package: ${n.packageName}, factor: 1.5 }]`,
};
