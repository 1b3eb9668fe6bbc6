import { exportDescriptors, type KindSource } from './kind-source.js';

/** Focal loss from standard ONNX ops (the gradient registry differentiates it). */
export const loss: KindSource = {
  package: '@anneal/autograd',
  helper: 'defineLoss',
  suite: 'describeLossConformance',
  uses: ['@anneal/onnx'],
  index: (n) => `import { defineLoss } from '@anneal/autograd';
import { DataType } from '@anneal/onnx';
import { z } from 'zod';

/**
 * Focal loss (Lin et al. 2017): -(1 - p_t)^gamma log p_t, averaged over the batch. gamma 0 is
 * cross-entropy; larger gamma down-weights examples the model already gets right.
 */
export const ${n.constant} = defineLoss({
  id: '${n.id}',
  description: 'focal loss -(1 - p_t)^gamma log p_t (Lin et al. 2017)',
  options: z.strictObject({ gamma: z.number().nonnegative().default(2) }),
  create: (o) => ({
    labels: DataType.INT64,
    classification: true,
    emit: (b, logits, labels) => {
      const logp = b.op('LogSoftmax', [logits], { axis: 1 });
      const logpt = b.op('GatherElements', [logp, b.op('Unsqueeze', [labels, b.ints([1])])], { axis: 1 });
      const weight = b.op('Pow', [b.op('Sub', [b.scalar(1), b.op('Exp', [logpt])]), b.scalar(o.gamma)]);
      return b.op('Neg', [b.op('ReduceMean', [b.op('Mul', [weight, logpt])], { keepdims: 0 })]);
    },
  }),
});
${exportDescriptors(n)}`,
  spec: (n) => `import { describeLossConformance } from '@anneal/testing';
import { ${n.constant} } from './index.js';

describeLossConformance(${n.constant}, { valid: [{}, { gamma: 0.5 }], invalid: [{ gamma: -1 }, { alpha: 0.25 }] });
`,
  usage: (n) => `loss: { type: ${n.id}, package: ${n.packageName}, gamma: 2 }`,
};
