import { GradientRegistry } from './registry.js';
import { arithmeticRules } from './rules/arithmetic.js';
import { elementwiseMathRules } from './rules/elementwise-math.js';
import { matmulRules } from './rules/matmul.js';
import { activationRules } from './rules/activations.js';
import { softmaxRules } from './rules/softmax.js';
import { normalizationRules } from './rules/normalization.js';
import { dropoutRules } from './rules/dropout.js';
import { shapeOpsRules } from './rules/shape-ops.js';
import { reduceRules } from './rules/reduce.js';
import { indexingRules } from './rules/indexing.js';
import { convRules } from './rules/conv.js';
import { poolingRules } from './rules/pooling.js';
import { maxPoolRules } from './rules/max-pool.js';
import { batchNormRules } from './rules/batch-norm.js';
import { lossOpRules } from './rules/loss-ops.js';
import { convTransposeRules } from './rules/conv-transpose.js';
import { resizeRules } from './rules/resize.js';
import { elementwiseMinMaxRules } from './rules/elementwise-minmax.js';

/** Every built-in gradient rule family, in one list (one file per family under rules/). */
export const builtinGradientRules = [
  ...arithmeticRules,
  ...elementwiseMathRules,
  ...matmulRules,
  ...activationRules,
  ...softmaxRules,
  ...normalizationRules,
  ...dropoutRules,
  ...shapeOpsRules,
  ...reduceRules,
  ...indexingRules,
  ...convRules,
  ...poolingRules,
  ...maxPoolRules,
  ...batchNormRules,
  ...lossOpRules,
  ...convTransposeRules,
  ...resizeRules,
  ...elementwiseMinMaxRules,
];

/** A fresh registry holding the built-in rules; add your own with `.add(rule)`. */
export function defaultGradientRegistry(): GradientRegistry {
  return new GradientRegistry(builtinGradientRules);
}
