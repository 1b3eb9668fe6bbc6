import { exportDescriptors, type KindSource } from './kind-source.js';

/** The gradient of Atan, which the built-in rules do not cover. */
export const gradientRule: KindSource = {
  package: '@anneal/autograd',
  helper: 'defineGradientRules',
  suite: 'describeGradientRuleConformance',
  uses: [],
  specUses: ['@anneal/onnx'],
  index: (n) => `import { defineGradientRules } from '@anneal/autograd';
import { z } from 'zod';

/** The gradient of Atan: d atan(x) / dx = 1 / (1 + x^2). Every rule of a loaded package is added to the built-ins. */
export const ${n.constant} = defineGradientRules({
  id: '${n.id}',
  description: 'the gradient of Atan',
  options: z.strictObject({}),
  create: () => [{ ops: ['Atan'], backward: (ctx) => [ctx.op('Div', [ctx.dy(), ctx.op('Add', [ctx.scalar(1), ctx.op('Mul', [ctx.x(), ctx.x()])])])] }],
});
${exportDescriptors(n)}`,
  spec: (n) => `import { DataType, GraphBuilder } from '@anneal/onnx';
import { describeGradientRuleConformance, randn, type GradientTestModel } from '@anneal/testing';
import { ${n.constant} } from './index.js';

/** y = atan(2 x): the rule's op inside a graph, checked against finite differences. */
function atanModel(): GradientTestModel {
  const b = new GraphBuilder({ opset: 17 });
  b.output(b.op('Atan', [b.op('Mul', [b.input('x', DataType.FLOAT, [3, 4]), b.scalar(2)])], {}, { output: 'y' }), DataType.FLOAT);
  return { name: 'atan', model: b.build(), feeds: { x: { dataType: DataType.FLOAT, dims: [3, 4], data: randn(12, 5) } }, wrt: ['x'] };
}

describeGradientRuleConformance(${n.constant}, { valid: [{}], invalid: [{ ops: ['Atan'] }], models: [atanModel()] });
`,
  usage: (n) => `plugins: [${n.packageName}]   # its gradient rules are added to the built-ins`,
};
