import { z } from 'zod';
import { pluginSpec, runName } from './fit-config.js';

const paramValue = z.union([z.number(), z.string(), z.boolean(), z.null()]);

/** One dimension of the search space, keyed in `space` by the config path it sets (e.g. `optimizer.lr`). */
export const dimensionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('float'), low: z.number(), high: z.number(), log: z.boolean().optional(), step: z.number().positive().optional() }).strict(),
  z.object({ type: z.literal('int'), low: z.number().int(), high: z.number().int(), log: z.boolean().optional(), step: z.number().int().positive().optional() }).strict(),
  z
    .object({
      type: z.literal('categorical'),
      /** Scalars, or any JSON values (lists such as hidden-layer sizes), which are chosen by index. */
      choices: z.array(z.unknown()).min(1),
    })
    .strict(),
]);

/**
 * The `anneal tune` config: a fit config (`base`, inline or a file) whose values at the `space`
 * paths each trial chooses, the metric to optimize, and how the study runs.
 */
export const tuneConfigSchema = z
  .object({
    name: runName,
    /** A fit config, or the path of one (relative to this file). */
    base: z.union([z.string(), z.record(z.string(), z.unknown())]),
    space: z.record(z.string().regex(/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*|\[\d+\])*$/, 'a config path such as optimizer.lr or schedules[0].schedule.base'), dimensionSchema),
    /** Conditional dimensions: sampled only when `when` holds for an already chosen value. */
    conditional: z
      .array(z.object({ when: z.object({ path: z.string(), equals: paramValue }).strict(), space: z.record(z.string(), dimensionSchema) }).strict())
      .default([]),
    metric: z.string().default('val.accuracy').describe('epoch metric to optimize and to prune on: val.accuracy, val.loss, train.loss...'),
    direction: z.enum(['minimize', 'maximize']).default('maximize'),
    trials: z.number().int().positive().default(20),
    /** Seed of the sampler (when its spec gives none). */
    seed: z.number().int().default(0),
    /** A sampler plugin: tpe (default), random, qmc, grid, cma-es, gp, nsga-ii, or one from a package. */
    sampler: pluginSpec.default({ type: 'tpe' }),
    /** A pruner plugin fed the metric at every epoch end: median (default), percentile, asha, hyperband, none. */
    pruner: pluginSpec.default({ type: 'median' }),
    /** Worker processes on this machine (each with its own ORT session and thread budget). */
    parallel: z.number().int().positive().default(1),
    /** Where the study lives: a storage plugin spec, a journal file path, or redis://host:port (default: the journal `runs/<name>/study.jsonl`). */
    storage: z.union([z.string().min(1), pluginSpec]).optional(),
    /** Packages whose descriptors (samplers, pruners, storages, anything the base config names) are registered. */
    plugins: z.array(z.string().min(1)).default([]),
    /** Heartbeat of running trials; a trial silent for `graceMs` is failed and retried. */
    heartbeat: z.object({ intervalMs: z.number().int().positive().default(1000), graceMs: z.number().int().positive().default(10000) }).strict().default({ intervalMs: 1000, graceMs: 10000 }),
  })
  .strict();

export type TuneConfig = z.infer<typeof tuneConfigSchema>;
export type Dimension = z.infer<typeof dimensionSchema>;
