import { z } from 'zod';
import { augmentOptionsSchema, mixOptionsSchema } from '@anneal/transfer';
import { batchFields, batchNormMode, callbacksSchema, metricsSchema, optimizerSchema, pluginSpec, runName, scheduleBinding, split, trainFields } from './fit-config.js';

const positiveInt = z.number().int().positive();
const unit = z.number().min(0).max(1);

/** How images become backbone input (see ImagePreprocess in @anneal/transfer). */
export const preprocessSchema = z
  .object({
    size: z.tuple([positiveInt, positiveInt]).describe('[height, width]'),
    channels: z.union([z.literal(1), z.literal(3)]).optional(),
    fit: z.enum(['fill', 'contain', 'cover']).optional(),
    position: z.enum(['centre', 'left']).optional(),
    background: unit.optional(),
    invert: z.boolean().optional(),
    mean: z.array(z.number()).min(1).max(3).optional(),
    std: z.array(z.number().positive()).min(1).max(3).optional(),
    layout: z.enum(['NCHW', 'NHWC']).optional(),
  })
  .strict();

/**
 * Image augmentation of the fine-tuning (through the backbone) phase: the per-image transforms and
 * the batch mixing of `@anneal/transfer` (its schemas, so the API and the config never drift
 * apart: `mixup`, `cutmix`, `mixProb`, `switchProb`), and the worker threads that decode and
 * augment images off the training thread.
 */
export const augmentSchema = augmentOptionsSchema.extend(mixOptionsSchema.shape).extend({
  workers: positiveInt.max(64).optional().describe('worker threads decoding and augmenting images (default 1)'),
  prefetch: positiveInt.max(64).optional().describe('batches prepared ahead of the one training, across epoch ends too (default train.groupSize, at least 2, at most 256 MiB of batches)'),
});

/**
 * The `anneal finetune` config: a pre-trained ONNX backbone, a new head and one of three modes:
 * - `features`: run the frozen backbone once (features cached on disk), train the head on them;
 * - `finetune`: train through backbone and head, with freezing rules and layer-wise lr decay;
 * - `lp-ft`: `features` first (settings under `probe`), then `finetune` from that head.
 * The result is one inference model (backbone + head).
 */
export const finetuneConfigSchema = z
  .object({
    name: runName.default('finetune'),
    seed: z.number().int().default(0),
    mode: z.enum(['features', 'finetune', 'lp-ft']).default('features'),
    backbone: z
      .object({
        path: z.string().min(1).describe('an .onnx file, or a path inside an installed package: @scope/pkg/file.onnx'),
        at: z.string().optional(),
        pool: z.enum(['auto', 'avg', 'max', 'none']).default('auto'),
        input: z.string().optional(),
      })
      .strict(),
    data: z
      .object({
        /** A data source plugin, or `images` (an image folder: one sub-folder per class). */
        source: pluginSpec,
        preprocess: preprocessSchema.optional(),
        augment: augmentSchema.optional().describe('image folders, modes finetune and lp-ft (its fine-tuning phase): random resized crop, flip, rotation, colour jitter; mixup / cutmix (soft targets, loss cross-entropy)'),
        split,
        trainPerClass: positiveInt.optional().describe('keep this many training examples per class (seeded by split.seed)'),
        ...batchFields,
      })
      .strict(),
    head: z
      .object({
        hidden: z.array(positiveInt).default([]),
        activation: z.enum(['relu', 'tanh']).optional(),
        dropout: z.number().min(0).max(0.95).optional(),
        seed: z.number().int().optional(),
        standardize: z.boolean().default(true).describe('features / lp-ft: standardize features inside the head with training-set statistics'),
      })
      .strict()
      .default({ hidden: [], standardize: true }),
    freeze: z
      .object({
        unfreezeTop: z.number().int().nonnegative().optional(),
        freezeBelow: z.number().int().nonnegative().optional(),
        freeze: z.array(z.string()).optional(),
        train: z.array(z.string()).optional(),
        blocks: z.object({ by: z.enum(['auto', 'prefix', 'layer']).optional(), prefixDepth: positiveInt.optional() }).strict().optional(),
      })
      .strict()
      .default({}),
    layerDecay: z.number().positive().max(1).optional(),
    loss: pluginSpec.default({ type: 'cross-entropy' }),
    optimizer: optimizerSchema,
    schedules: z.array(scheduleBinding).default([]),
    metrics: metricsSchema,
    train: z.object({ ...trainFields, batchNorm: batchNormMode.default('frozen') }).strict(),
    /** LP-FT's first phase (the head on cached features). */
    probe: z.object({ epochs: positiveInt.default(20), lr: z.number().positive().default(1e-2), type: z.string().default('adam'), weightDecay: z.number().nonnegative().optional() }).strict().default({ epochs: 20, lr: 1e-2, type: 'adam' }),
    cache: z.object({ dir: z.string().default('.anneal/features'), enabled: z.boolean().default(true) }).strict().default({ dir: '.anneal/features', enabled: true }),
    callbacks: callbacksSchema,
    loggers: z.array(pluginSpec).default([]),
    plugins: z.array(z.string().min(1)).default([]),
  })
  .strict();

export type FinetuneConfig = z.infer<typeof finetuneConfigSchema>;
