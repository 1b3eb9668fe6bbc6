import { z } from 'zod';
import { runName } from './fit-config.js';

const positiveInt = z.number().int().positive();
const lrList = z.array(z.number().positive()).min(1);

/**
 * The `anneal recipe` config: a fit config (`base`, inline or a file) and the settings of each
 * step of the tuning recipe. Defaults follow the usual practice (README: "Diagnostics and the tuning recipe").
 */
export const recipeConfigSchema = z
  .object({
    name: runName,
    /** A fit config, or the path of one (relative to this file). It needs a validation split (data.split.val). */
    base: z.union([z.string(), z.record(z.string(), z.unknown())]),
    monitor: z.string().default('val.accuracy').describe('epoch metric that ranks runs: val.accuracy, val.loss...'),
    direction: z.enum(['maximize', 'minimize']).default('maximize'),
    /** Grid cells trained at once in this process (each with 1 ORT thread when > 1). */
    parallel: positiveInt.default(1),
    steps: z
      .object({
        initialLoss: z.object({ batches: positiveInt.optional(), tolerance: z.number().positive().optional() }).strict().default({}),
        overfit: z.object({ batches: positiveInt.optional(), maxSteps: positiveInt.optional(), targetAccuracy: z.number().min(0).max(1).optional() }).strict().default({}),
        lrProbe: z.object({ lrs: lrList.optional(), iterations: positiveInt.optional(), weightDecay: z.number().nonnegative().optional(), minDrop: z.number().positive().max(1).optional() }).strict().default({}),
        rangeTest: z.object({ start: z.number().positive().optional(), end: z.number().positive().optional(), steps: z.number().int().min(10).optional() }).strict().default({}),
        grid: z
          .object({
            lrs: lrList.optional().describe('explicit learning rates; default: x1/3, x1, x3 around the best two probe survivors, plus the range-test suggestion'),
            weightDecays: z.array(z.number().nonnegative()).min(1).optional(),
            epochs: positiveInt.optional(),
            prune: z.boolean().optional(),
            around: positiveInt.optional(),
          })
          .strict()
          .default({}),
        refine: z.object({ top: positiveInt.optional(), epochs: positiveInt.optional(), normsEvery: positiveInt.optional() }).strict().default({}),
        repeat: z.object({ rounds: z.number().int().nonnegative().optional(), maxEpochs: positiveInt.optional(), maxCapacity: z.number().min(1).optional() }).strict().default({}),
      })
      .strict()
      .default({ initialLoss: {}, overfit: {}, lrProbe: {}, rangeTest: {}, grid: {}, refine: {}, repeat: {} }),
  })
  .strict();

export type RecipeConfig = z.infer<typeof recipeConfigSchema>;
