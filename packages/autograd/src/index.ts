export { AutogradError, UnsupportedGradientError, BackwardError } from './errors';
export { type ShapeInfo, type ShapeMap, isFloatType } from './shapes';
export { GradContext } from './grad-context';
export { GradientRegistry, type GradientRule } from './registry';
export { buildBackward, type BackwardOptions, type BackwardResult } from './backward';
export { defaultGradientRegistry, builtinGradientRules } from './default-registry';
export { probeShapes } from './probe-shapes';
export { checkGradients, type GradCheckOptions, type GradCheckResult, type TensorCheck } from './gradcheck';
export { modelToDouble, valueToDouble } from './to-double';
