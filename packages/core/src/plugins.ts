import { PluginOptionError, type PluginContext, type PluginDescriptor } from '@anneal/plugin';
import { z } from 'zod';
import { DEFAULT_MONITOR, type Callback } from './callback.js';
import { earlyStopping } from './callbacks/early-stopping.js';
import { hyperparameterMonitor } from './callbacks/hyperparameter-monitor.js';
import { modelCheckpoint } from './callbacks/model-checkpoint.js';
import { updateRatioMonitor } from './callbacks/update-ratio-monitor.js';
import { stochasticWeightAveraging } from './callbacks/weight-averaging.js';
import type { Logger } from './logger.js';
import { progressLogger } from './loggers/progress-logger.js';
import { accuracy, topK, type Metric } from './metrics.js';
import type { RunIo } from './run-io.js';

/** What plugins of a run know about it when they are created. */
export interface RunInfo {
  /** The run's name (config `name`). */
  readonly name: string;
  readonly seed: number;
  readonly epochs: number;
  readonly batchesPerEpoch: number;
  /** Classes of the task (width of the logits). */
  readonly classes: number;
  /** Whether epochs are validated (a validation split exists). */
  readonly validation: boolean;
  /** The run's folder, when it has one (runs composed in code may not write files). */
  readonly dir?: string;
}

/** What a callback's `create` receives besides its options. */
export interface CallbackContext extends PluginContext {
  readonly run: RunInfo;
}

/** What a metric's `create` receives besides its options. */
export interface MetricContext extends PluginContext {
  readonly classes: number;
}

/** What a logger's `create` receives besides its options. */
export interface LoggerContext extends PluginContext {
  readonly run: RunInfo;
  /** Where to print; progress bars come from `io.bar`. */
  readonly io: RunIo;
}

/**
 * A Trainer callback configs can name (`callbacks: [{ type: <id>, ...options }]`): the `callback`
 * kind. A callback that selects by an epoch quantity (early stopping, best-k checkpoints) says
 * which in `monitors`, so a run without a validation split refuses a `val.*` monitor before
 * training instead of failing at the first epoch end.
 */
export type CallbackDescriptor<O = unknown> = PluginDescriptor<'callback', O, Callback, CallbackContext> & {
  /** The epoch quantities (`val.loss`, `train.accuracy`...) the callback reads, given its parsed options. */
  monitors?(options: O): readonly string[];
};
/** A metric configs can name (`metrics: [{ type: <id>, ...options }]` or a shorthand string): the `metric` kind. Each `create` makes a fresh accumulator. */
export type MetricDescriptor<O = unknown> = PluginDescriptor<'metric', O, Metric, MetricContext>;
/** What receives a run's events (`loggers: [{ type: <id>, ...options }]`): the `logger` kind. */
export type LoggerDescriptor<O = unknown> = PluginDescriptor<'logger', O, Logger, LoggerContext>;

/** The registry type map of the kinds @anneal/core owns. */
export interface CoreKinds {
  callback: { product: Callback; context: CallbackContext };
  metric: { product: Metric; context: MetricContext };
  logger: { product: Logger; context: LoggerContext };
}

/**
 * A callback descriptor (`kind: 'callback'` filled in).
 *
 * @example
 * ```ts
 * export const printer = defineCallback({ id: 'print-epochs', description: 'prints val loss', options: z.strictObject({}), create: () => ({ key: 'print-epochs', onEpochEnd: (e) => console.log(e.val?.loss.mean) }) });
 * ```
 */
export function defineCallback<O>(descriptor: Omit<CallbackDescriptor<O>, 'kind'>): CallbackDescriptor<O> {
  return { kind: 'callback', ...descriptor };
}

/** A metric descriptor (`kind: 'metric'` filled in). */
export function defineMetric<O>(descriptor: Omit<MetricDescriptor<O>, 'kind'>): MetricDescriptor<O> {
  return { kind: 'metric', ...descriptor };
}

/** A logger descriptor (`kind: 'logger'` filled in). */
export function defineLogger<O>(descriptor: Omit<LoggerDescriptor<O>, 'kind'>): LoggerDescriptor<O> {
  return { kind: 'logger', ...descriptor };
}

const monitor = z.string().regex(/^(train|val)\.[A-Za-z0-9_]+(\.(mean|std|variance|min|max))?$/, "a monitored value such as 'val.loss', 'val.accuracy' or 'train.loss.std'");
const mode = z.enum(['min', 'max']).optional();

/** The built-in callbacks. `swa`'s `lr`, `annealEpochs` and `annealStrategy` shape the run's lr schedule, which the composition root builds. */
export const builtinCallbacks: readonly CallbackDescriptor[] = [
  defineCallback({
    id: 'early-stopping',
    description: 'stop when a monitored value stops improving (patience epochs), optionally restoring the best weights',
    options: z.strictObject({ monitor: monitor.optional(), mode, patience: z.number().int().nonnegative().optional(), minDelta: z.number().nonnegative().optional(), restoreBest: z.boolean().optional() }),
    monitors: (o) => [o.monitor ?? DEFAULT_MONITOR],
    create: (o) => earlyStopping(o),
  }),
  defineCallback({
    id: 'model-checkpoint',
    description: 'keep the weights of the best saveTopK epochs by a monitored value (best-epoch<E>.safetensors)',
    options: z.strictObject({ monitor: monitor.optional(), mode, saveTopK: z.number().int().nonnegative().optional(), saveLast: z.boolean().optional() }),
    monitors: (o) => (o.saveTopK === 0 ? [] : [o.monitor ?? DEFAULT_MONITOR]),
    create: (o) => modelCheckpoint(o),
  }),
  defineCallback({
    id: 'update-ratio',
    description: 'warn when a tensor’s ||update||/||weight|| leaves [low, high] (default 1e-4..1e-2); needs train.normsEvery',
    options: z.strictObject({ low: z.number().positive().optional(), high: z.number().positive().optional() }),
    create: (o) => updateRatioMonitor(o),
  }),
  defineCallback({
    id: 'hyperparameter-monitor',
    description: 'record the lr and every scheduled hyperparameter per step and epoch (kept in checkpoints)',
    options: z.strictObject({ every: z.number().int().positive().optional() }),
    create: (o) => hyperparameterMonitor(o),
  }),
  defineCallback({
    id: 'swa',
    description: 'stochastic weight averaging of the epoch-end weights from epoch startEpoch on (1-based), BatchNorm statistics recomputed before use; lr anneals to `lr` over annealEpochs',
    options: z.strictObject({
      startEpoch: z.number().int().positive(),
      every: z.number().int().positive().optional(),
      lr: z.number().positive().optional(),
      annealEpochs: z.number().int().nonnegative().default(0),
      annealStrategy: z.enum(['cos', 'linear']).default('cos'),
    }),
    create: (o, ctx) => {
      if (o.startEpoch > ctx.run.epochs) throw new PluginOptionError('startEpoch', `${o.startEpoch} is past the run's end: the run has only ${ctx.run.epochs} epochs (1..${ctx.run.epochs}); start averaging earlier`);
      return stochasticWeightAveraging({ startEpoch: o.startEpoch, every: o.every });
    },
  }),
];

/** The built-in metrics: `accuracy` and `top-k` (named `top<k>` in results; config shorthand `top5`). */
export const builtinMetrics: readonly MetricDescriptor[] = [
  defineMetric({ id: 'accuracy', description: 'fraction of examples whose argmax logit is the label', options: z.strictObject({}), create: () => accuracy() }),
  defineMetric({
    id: 'top-k',
    description: 'fraction of examples whose label is among the k largest logits (named top<k>)',
    options: z.strictObject({ k: z.number().int().positive() }),
    create: (o, ctx) => {
      if (o.k > ctx.classes) throw new Error(`k ${o.k} is more than the ${ctx.classes} classes; every example would count as correct`);
      return topK(o.k);
    },
  }),
];

/** The built-in loggers that need no files: `progress` (bars and epoch summary lines on the run's io). */
export const builtinCoreLoggers: readonly LoggerDescriptor[] = [
  defineLogger({
    id: 'progress',
    description: 'a progress bar per epoch (on a terminal) and one summary line per epoch',
    options: z.strictObject({ throttleMs: z.number().int().nonnegative().optional() }),
    create: (o, ctx) => progressLogger(ctx.io, o),
  }),
];
