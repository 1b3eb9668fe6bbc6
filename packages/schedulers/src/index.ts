export type { JsonValue, Schedule } from './schedule';
export { SchedulerError, ScheduleError } from './errors';
export { checkStep, parseScheduleOptions } from './options';

export { constant, constantOptions, type ConstantOptions } from './constant';
export { step, stepOptions, type StepOptions } from './step';
export { multiStep, multiStepOptions, type MultiStepOptions } from './multi-step';
export { exponential, exponentialOptions, type ExponentialOptions } from './exponential';
export { cosine, cosineOptions, type CosineOptions } from './cosine';
export {
  cosineWithWarmRestarts,
  cosineWithWarmRestartsOptions,
  type CosineWithWarmRestartsOptions,
} from './cosine-with-warm-restarts';
export { linear, linearOptions, type LinearOptions } from './linear';
export { inverseSqrt, inverseSqrtOptions, type InverseSqrtOptions } from './inverse-sqrt';
export { polynomial, polynomialOptions, type PolynomialOptions } from './polynomial';
export { oneCycle, oneCycleOptions, type OneCycleOptions } from './one-cycle';
export { reduceOnPlateau, reduceOnPlateauOptions, type ReduceOnPlateauOptions } from './reduce-on-plateau';

export { warmup, warmupOptions, type WarmupOptions } from './warmup';
export { sequential } from './sequential';
export { chained } from './chained';

export { defineScheduler, scheduleSpecSchema, type ScheduleSpec, type SchedulerContext, type SchedulerDescriptor, type SchedulerKinds } from './descriptor';
export { builtinSchedulers } from './builtin-schedulers';
export { swaLr, type SwaLrOptions } from './swa-lr';
export { batchScaling, batchScaleFactor, type BatchScalingOptions } from './batch-scaling';
