import { GradientRegistry } from './registry';
import { arithmeticRules } from './rules/arithmetic';
import { elementwiseMathRules } from './rules/elementwise-math';
import { matmulRules } from './rules/matmul';
import { activationRules } from './rules/activations';
import { softmaxRules } from './rules/softmax';
import { normalizationRules } from './rules/normalization';
import { dropoutRules } from './rules/dropout';
import { shapeOpsRules } from './rules/shape-ops';
import { reduceRules } from './rules/reduce';
import { indexingRules } from './rules/indexing';
import { convRules } from './rules/conv';
import { poolingRules } from './rules/pooling';
import { maxPoolRules } from './rules/max-pool';
import { batchNormRules } from './rules/batch-norm';
import { lossOpRules } from './rules/loss-ops';
import { convTransposeRules } from './rules/conv-transpose';
import { resizeRules } from './rules/resize';
import { elementwiseMinMaxRules } from './rules/elementwise-minmax';

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
