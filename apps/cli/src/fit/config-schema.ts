import { z } from 'zod';

const positiveInt = z.number().int().positive();
const fraction = z.number().positive();

/** Where the examples come from. */
export const mnistSource = z
  .object({
    kind: z.literal('mnist'),
    image: z.boolean().default(false),
    perDigit: positiveInt.optional(),
    digits: z.array(z.number().int().min(0).max(9)).min(2).optional().describe('keep these digits only, relabelled 0..k-1 in this order'),
  })
  .strict();
export const source = z.discriminatedUnion('kind', [
  mnistSource,
  z.object({ kind: z.literal('iris') }).strict(),
  z.object({ kind: z.literal('csv'), path: z.string().min(1), label: z.union([z.string(), z.number().int().nonnegative()]), features: z.array(z.union([z.string(), z.number().int().nonnegative()])).optional(), delimiter: z.string().optional(), header: z.boolean().optional() }).strict(),
  z.object({ kind: z.literal('npy'), x: z.string().min(1), y: z.string().min(1) }).strict(),
]);

const model = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('cnn'),
      channels: z.array(positiveInt).optional(),
      kernel: positiveInt.optional(),
      downsample: z.enum(['maxpool', 'stride']).optional(),
      hidden: z.array(positiveInt).optional(),
      batchNorm: z.boolean().optional(),
      dropout: z.number().min(0).max(0.95).optional(),
      seed: z.number().int().optional(),
    })
    .strict(),
  z.object({ kind: z.literal('mlp'), hidden: z.array(positiveInt).default([128]), activation: z.enum(['relu', 'tanh', 'gelu']).optional(), dropout: z.number().min(0).max(0.95).optional(), seed: z.number().int().optional() }).strict(),
  z.object({ kind: z.literal('onnx'), path: z.string().min(1), inputName: z.string().optional(), trainable: z.array(z.string()).optional() }).strict(),
]);

export const optimizer = z
  .object({
    type: z.string().default('adam'),
    lr: z.number().positive(),
    weightDecay: z.number().nonnegative().optional(),
    momentum: z.number().min(0).max(1).optional(),
    beta1: z.number().min(0).max(1).optional(),
    beta2: z.number().min(0).max(1).optional(),
    eps: z.number().positive().optional(),
    clip: z.number().positive().optional(),
    /** LARS / LAMB: η of LARS's trust ratio (default 0.001), and which tensors skip the trust ratio and weight decay ('vectors': biases and norm scales, the default). */
    trustCoefficient: z.number().positive().optional(),
    exclude: z.enum(['none', 'vectors']).optional(),
    /** Exponential moving average of the weights, kept in the step graph; validation, test and model.onnx then use the average. */
    ema: z.object({ decay: z.number().min(0).lt(1), warmup: z.boolean().default(false) }).strict().optional(),
    /** β of the hypergradient optimizers (sgd-hd, adam-hd): how fast the learned lr moves. */
    hypergradientLr: z.number().nonnegative().optional(),
    /**
     * Large-batch lr scaling in one switch: `lr` (and the lr schedules) are what was tuned at
     * `baseBatch`; the run multiplies them by batchSize/baseBatch (linear rule, Goyal et al. 2017)
     * or its square root, reached by a gradual warmup from the small-batch rate over `warmupEpochs`.
     */
    largeBatch: z.object({ baseBatch: positiveInt, rule: z.enum(['linear', 'sqrt', 'none']).default('linear'), warmupEpochs: z.number().nonnegative().default(5) }).strict().optional(),
    groups: z.array(z.object({ name: z.string().regex(/^[A-Za-z0-9_-]+$/), params: z.string().describe('regular expression over parameter names'), lr: z.number().positive().optional(), lrScale: z.number().positive().optional(), weightDecay: z.number().nonnegative().optional() }).strict()).optional(),
  })
  .strict();

/** A schedule as configured: `{ type, package?, ...options }`, validated later by the scheduler registry. */
const scheduleSpec = z.object({ type: z.string().min(1), package: z.string().optional() }).passthrough();

export const scheduleBinding = z
  .object({
    target: z.string().default('lr'),
    group: z.string().optional(),
    interval: z.enum(['step', 'epoch']).default('step'),
    monitor: z.string().optional(),
    schedule: scheduleSpec,
  })
  .strict();

const monitorMode = z.enum(['min', 'max']).optional();

/** How examples are split (seeded). */
export const split = z.object({ test: fraction.default(0.2), val: z.number().nonnegative().default(0), seed: z.number().int().default(0), stratify: z.boolean().default(false) }).strict().default({ test: 0.2, val: 0, seed: 0, stratify: false });
export const lossSchema = z.object({ kind: z.enum(['cross-entropy']).default('cross-entropy'), labelSmoothing: z.number().min(0).max(1).optional() }).strict().default({ kind: 'cross-entropy' });
export const metricsSchema = z.array(z.string().regex(/^(accuracy|top\d+)$/, "use 'accuracy' or 'top<k>'")).default(['accuracy']);
export const batchNormMode = z.enum(['as-exported', 'train', 'frozen']);

/** The training loop settings (`train:`) besides `batchNorm`, whose default differs between fit ('train') and finetune ('frozen'). */
export const trainFields = {
  epochs: positiveInt,
  groupSize: positiveInt.default(16),
  normsEvery: z.number().int().nonnegative().default(0),
  nonFinite: z.enum(['stop', 'skip']).default('stop'),
  device: z.enum(['cpu', 'cuda', 'wasm']).default('cpu'),
  deviceId: z.number().int().nonnegative().default(0),
  threads: z.union([z.literal('auto'), positiveInt]).default('auto'),
  checkpointEverySteps: positiveInt.optional(),
};

/**
 * Data parallelism and gradient accumulation: `data.batchSize` examples per optimizer update are
 * split over `workers` threads and, in each, into `accumulate` micro-batches.
 */
export const parallelSchema = z
  .object({
    workers: positiveInt.max(64).default(1),
    accumulate: positiveInt.default(1),
    /** CUDA ordinals for the workers with train.device 'cuda' (worker w uses deviceIds[w % length]). */
    deviceIds: z.array(z.number().int().nonnegative()).min(1).optional(),
  })
  .strict();

export const callbacksSchema = z
  .object({
    earlyStopping: z.object({ monitor: z.string().optional(), mode: monitorMode, patience: z.number().int().nonnegative().optional(), minDelta: z.number().nonnegative().optional(), restoreBest: z.boolean().optional() }).strict().optional(),
    modelCheckpoint: z.object({ monitor: z.string().optional(), mode: monitorMode, saveTopK: z.number().int().nonnegative().optional() }).strict().optional(),
    updateRatio: z.object({ low: z.number().positive().optional(), high: z.number().positive().optional() }).strict().optional(),
    /** Stochastic weight averaging: the uniform average of the epoch-end weights from `startEpoch` (0-based), BatchNorm statistics recomputed before use. */
    swa: z
      .object({
        startEpoch: z.number().int().nonnegative(),
        every: z.number().int().positive().optional(),
        /** The averaging phase's lr (torch SWALR): from startEpoch the lr anneals to it over annealEpochs, then stays. */
        lr: z.number().positive().optional(),
        annealEpochs: z.number().int().nonnegative().default(0),
        annealStrategy: z.enum(['cos', 'linear']).default('cos'),
      })
      .strict()
      .optional(),
  })
  .strict()
  .default({});

/** Batch sizes of `data:`. */
export const batchFields = {
  batchSize: positiveInt.default(64),
  evalBatchSize: positiveInt.default(500),
  dropLast: z.boolean().default(false),
};

/**
 * The `anneal fit` config (JSON or YAML). Every field is documented in docs/CONFIG.md; the
 * defaults make `{ data: { source: { kind: 'mnist' } }, optimizer: { lr: 0.001 } }` a complete run.
 */
export const fitConfigSchema = z
  .object({
    name: z.string().regex(/^[\w.-]+$/, 'letters, digits, _ . - only (it names the run folder)').default('run'),
    seed: z.number().int().default(0),
    data: z.object({ source, split, ...batchFields }).strict(),
    model,
    loss: lossSchema,
    optimizer,
    schedules: z.array(scheduleBinding).default([]),
    metrics: metricsSchema,
    train: z.object({ ...trainFields, batchNorm: batchNormMode.default('train'), parallel: parallelSchema.optional() }).strict(),
    callbacks: callbacksSchema,
    /** Packages whose exported scheduler descriptors are registered besides those named by `schedules[].schedule.package`. */
    plugins: z.array(z.string()).default([]),
  })
  .strict();

export type FitConfig = z.infer<typeof fitConfigSchema>;
export type ScheduleSpecConfig = z.infer<typeof scheduleSpec>;
