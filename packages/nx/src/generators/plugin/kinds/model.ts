import { exportDescriptors, type KindSource } from './kind-source.js';

/** A one-hidden-layer MLP built from the data's shape. */
export const model: KindSource = {
  package: '@anneal/engine',
  helper: 'defineModel',
  suite: 'describeModelConformance',
  uses: [],
  index: (n) => `import { buildMlp, defineModel } from '@anneal/engine';
import { z } from 'zod';

/**
 * An MLP with one hidden layer of \`hidden\` units, sized from the data (input features, classes)
 * and initialized from the run's seed. A model plugin returns any ONNX model whose float
 * initializers train; \`inputName\` names its data input.
 */
export const ${n.constant} = defineModel({
  id: '${n.id}',
  description: 'an MLP with one hidden layer',
  options: z.strictObject({ hidden: z.number().int().positive().default(32) }),
  create: (o, ctx) => ({
    model: buildMlp({ sizes: [ctx.data.inputDims[0]!, o.hidden, ctx.data.classes], seed: ctx.seed }),
    inputName: 'x',
  }),
});
${exportDescriptors(n)}`,
  spec: (n) => `import { describeModelConformance } from '@anneal/testing';
import { ${n.constant} } from './index.js';

describeModelConformance(${n.constant}, { valid: [{}, { hidden: 5 }], invalid: [{ hidden: 0 }, { layers: 2 }] });
`,
  usage: (n) => `model: { type: ${n.id}, package: ${n.packageName}, hidden: 64 }`,
};
