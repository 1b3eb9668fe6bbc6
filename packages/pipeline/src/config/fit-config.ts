import { z } from 'zod';

const positiveInt = z.number().int().positive();

/**
 * A plugin named in a config: `{ type, package?, ...options }`; the options are checked later by
 * the descriptor's own schema (the registry reports their paths). `kind` is accepted for `type`
 * (configs written before every extension point was a plugin).
 */
export const pluginSpec = z.preprocess(
  (v) => (v && typeof v === 'object' && !Array.isArray(v) && 'kind' in v && !('type' in v) ? (({ kind, ...rest }) => ({ type: kind, ...rest }))(v as Record<string, unknown>) : v),
  z.looseObject({ type: z.string().min(1), package: z.string().min(1).optional() }),
);
export type PluginSpecConfig = z.infer<typeof pluginSpec>;

/** `optimizer:` — the update's own settings; every other key is an option of the optimizer `type` names. */
export const optimizerSchema = z.looseObject({
  type: z.string().min(1).default('adam'),
  package: z.string().min(1).optional(),
  lr: z.number().positive(),
  weightDecay: z.number().nonnegative().optional(),
  /** Clip gradients to this global L2 norm. */
  clip: z.number().positive().optional(),
  /** Exponential moving average of the weights, kept in the step graph; validation, test and model.onnx then use the average. */
  ema: z.strictObject({ decay: z.number().min(0).lt(1), warmup: z.boolean().default(false) }).optional(),
  /**
   * Large-batch lr scaling in one switch: `lr` (and the lr schedules) are what was tuned at
   * `baseBatch`; the run multiplies them by batchSize/baseBatch (linear rule, Goyal et al. 2017)
   * or its square root, reached by a gradual warmup from the small-batch rate over `warmupEpochs`.
   */
  largeBatch: z.strictObject({ baseBatch: positiveInt, rule: z.enum(['linear', 'sqrt', 'none']).default('linear'), warmupEpochs: z.number().nonnegative().default(5) }).optional(),
  groups: z
    .array(
      z.strictObject({
        name: z.string().regex(/^[A-Za-z0-9_-]+$/),
        params: z.string().describe('regular expression over parameter names'),
        lr: z.number().positive().optional(),
        lrScale: z.number().positive().optional(),
        weightDecay: z.number().nonnegative().optional(),
      }),
    )
    .optional(),
});
export type OptimizerConfig = z.infer<typeof optimizerSchema>;
/** Keys of `optimizer:` that belong to the update, not to the optimizer plugin. */
export const UPDATE_KEYS = ['lr', 'weightDecay', 'clip', 'ema', 'largeBatch', 'groups'] as const;

export const scheduleBinding = z.strictObject({
  target: z.string().default('lr'),
  group: z.string().optional(),
  interval: z.enum(['step', 'epoch']).default('step'),
  monitor: z.string().optional(),
  schedule: pluginSpec,
});

/**
 * How examples are split, seeded and (by default) stratified by class: `test` is held out and
 * evaluated once, after training; `val` is carved from the rest and is what every epoch is
 * validated on, and the only split anything that selects (early stopping, best-k checkpoints,
 * tune, recipe, plateau schedules) may monitor. `val: 0` trains on all non-test examples and
 * validates nothing (then nothing may monitor `val.*`). Fractions are of all examples; numbers >= 1
 * are row counts.
 */
export const split = z
  .strictObject({
    test: z.number().positive().default(0.2),
    val: z.number().nonnegative().default(0.1),
    seed: z.number().int().default(0),
    stratify: z.boolean().default(true),
  })
  .default({ test: 0.2, val: 0.1, seed: 0, stratify: true });
/** A metric: a spec, or a shorthand string (`accuracy`, `top5`). */
export const metricsSchema = z.array(z.union([z.string().regex(/^(accuracy|top\d+)$/, "use 'accuracy', 'top<k>' or a { type, ... } spec"), pluginSpec])).default(['accuracy']);
/** Callbacks: a list of specs, or an object keyed by id (camelCase accepted: `earlyStopping`) whose values are the options. */
export const callbacksSchema = z.union([z.array(pluginSpec), z.record(z.string(), z.looseObject({ package: z.string().min(1).optional() }))]).default([]);
export const batchNormMode = z.enum(['as-exported', 'train', 'frozen']);

/** The training loop settings (`train:`) besides `batchNorm`, whose default differs between fit ('train') and finetune ('frozen'). */
export const trainFields = {
  epochs: positiveInt,
  groupSize: positiveInt.default(16),
  normsEvery: z.number().int().nonnegative().default(0),
  nonFinite: z.enum(['stop', 'skip']).default('stop'),
  device: z.enum(['cpu', 'cuda', 'wasm']).default('cpu'),
  deviceId: z.number().int().nonnegative().default(0),
  /** On device cpu, depthwise and kxk convolutions run on ONNX Runtime's blocked (NCHWc) kernels where the CPU has them; false keeps standard kernels. */
  blockedConvolutions: z.boolean().default(true),
  /** Intra-op threads of the step sessions: 'auto' times 1 and 2; a number above the machine's cores is lowered to them, with a warning. */
  threads: z.union([z.literal('auto'), positiveInt]).default('auto'),
  /**
   * Memory the train step may need, checked with an estimate before compiling: 'auto' (what the
   * machine has available), a number of GB, or 'off'.
   */
  memoryLimit: z.union([z.literal('auto'), z.literal('off'), z.number().positive()]).default('auto'),
  checkpointEverySteps: positiveInt.optional(),
};

/**
 * Data parallelism and gradient accumulation: `data.batchSize` examples per optimizer update are
 * split over `workers` threads and, in each, into `accumulate` micro-batches.
 */
export const parallelSchema = z.strictObject({
  workers: positiveInt.max(64).default(1),
  accumulate: positiveInt.default(1),
  /** CUDA ordinals for the workers with train.device 'cuda' (worker w uses deviceIds[w % length]). */
  deviceIds: z.array(z.number().int().nonnegative()).min(1).optional(),
});

/** Batch sizes of `data:`. */
export const batchFields = {
  batchSize: positiveInt.default(64),
  evalBatchSize: positiveInt.default(500),
  dropLast: z.boolean().default(false),
};

/** A run, study or recipe name: it names a folder, so one path segment that is neither `.` nor `..`. */
export const runName = z
  .string()
  .regex(/^[\w.-]+$/, 'letters, digits, _ . - only (it names the run folder)')
  .refine((name) => name !== '.' && name !== '..', { message: "'.' and '..' are not names (they would write into the current or parent folder); name the run" });

/**
 * The fit config (JSON or YAML; `anneal fit`, `Pipeline.fit`). Every extension point is a plugin
 * spec (`{ type, package?, ...options }`): `data.source`, `model`, `loss`, `optimizer`,
 * `schedules[].schedule`, `metrics`, `callbacks`, `loggers`. The defaults make
 * `{ data: { source: { type: 'mnist' } }, model: { type: 'mlp' }, optimizer: { lr: 0.001 }, train: { epochs: 1 } }` a complete run.
 */
export const fitConfigSchema = z.strictObject({
  name: runName.default('run'),
  seed: z.number().int().default(0),
  data: z.strictObject({ source: pluginSpec, split, ...batchFields }),
  model: pluginSpec,
  loss: pluginSpec.default({ type: 'cross-entropy' }),
  optimizer: optimizerSchema,
  schedules: z.array(scheduleBinding).default([]),
  metrics: metricsSchema,
  train: z.strictObject({ ...trainFields, batchNorm: batchNormMode.default('train'), parallel: parallelSchema.optional() }),
  callbacks: callbacksSchema,
  /** More loggers (what receives the run's events) besides the run folder's own: `[{ type: 'csv' }]`. */
  loggers: z.array(pluginSpec).default([]),
  /** Packages whose descriptors (of any kind) are registered besides those a `package:` field names. */
  plugins: z.array(z.string().min(1)).default([]),
});

export type FitConfig = z.infer<typeof fitConfigSchema>;
/** A fit config as written (before defaults): what user code passes. */
export type FitConfigInput = z.input<typeof fitConfigSchema>;
