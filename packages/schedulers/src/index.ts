export type { JsonValue, Schedule } from './schedule.js';
export { SchedulerError, ScheduleError } from './errors.js';
export { checkStep, parseScheduleOptions } from './options.js';

export { constant, constantOptions, type ConstantOptions } from './constant.js';
export { step, stepOptions, type StepOptions } from './step.js';
export { multiStep, multiStepOptions, type MultiStepOptions } from './multi-step.js';
export { exponential, exponentialOptions, type ExponentialOptions } from './exponential.js';
export { cosine, cosineOptions, type CosineOptions } from './cosine.js';
export {
  cosineWithWarmRestarts,
  cosineWithWarmRestartsOptions,
  type CosineWithWarmRestartsOptions,
} from './cosine-with-warm-restarts.js';
export { linear, linearOptions, type LinearOptions } from './linear.js';
export { inverseSqrt, inverseSqrtOptions, type InverseSqrtOptions } from './inverse-sqrt.js';
export { polynomial, polynomialOptions, type PolynomialOptions } from './polynomial.js';
export { oneCycle, oneCycleOptions, type OneCycleOptions } from './one-cycle.js';
export { reduceOnPlateau, reduceOnPlateauOptions, type ReduceOnPlateauOptions } from './reduce-on-plateau.js';

export { warmup, warmupOptions, type WarmupOptions } from './warmup.js';
export { sequential } from './sequential.js';
export { chained } from './chained.js';

export { defineScheduler, scheduleSpecSchema, type ScheduleSpec, type SchedulerContext, type SchedulerDescriptor, type SchedulerKinds } from './descriptor.js';
export { builtinSchedulers } from './builtin-schedulers.js';
export { swaLr, type SwaLrOptions } from './swa-lr.js';
export { batchScaling, batchScaleFactor, type BatchScalingOptions } from './batch-scaling.js';
