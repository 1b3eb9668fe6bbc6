import { exportDescriptors, type KindSource } from './kind-source.js';

/** The error rate (1 - accuracy) as a batch-split-invariant accumulator. */
export const metric: KindSource = {
  package: '@anneal/core',
  helper: 'defineMetric',
  suite: 'describeMetricConformance',
  uses: [],
  index: (n) => `import { batchMetric, defineMetric } from '@anneal/core';
import { z } from 'zod';

/** The error rate, 1 - accuracy: wrong predictions over examples, summed across batches (not a mean of batch means). */
export const ${n.constant} = defineMetric({
  id: '${n.id}',
  description: 'error rate (1 - accuracy)',
  options: z.strictObject({}),
  create: () =>
    batchMetric('error_rate', (logits, labels) => {
      const [rows, classes] = logits.dims as [number, number];
      const scores = logits.data as Float32Array;
      let wrong = 0;
      for (let i = 0; i < rows; i++) {
        let best = 0;
        for (let c = 1; c < classes; c++) if (scores[i * classes + c]! > scores[i * classes + best]!) best = c;
        if (best !== Number(labels.data[i])) wrong++;
      }
      return { sum: wrong, count: rows };
    }),
});
${exportDescriptors(n)}`,
  spec: (n) => `import { describeMetricConformance } from '@anneal/testing';
import { ${n.constant} } from './index.js';

describeMetricConformance(${n.constant}, { valid: [{}], invalid: [{ k: 1 }] });
`,
  usage: (n) => `metrics: [accuracy, { type: ${n.id}, package: ${n.packageName} }]`,
};
