import { z } from 'zod';

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
    name: z.string().regex(/^[\w.-]+$/, 'letters, digits, _ . - only (it names the study and its folder)'),
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
    sampler: z.object({ type: z.enum(['random', 'tpe', 'qmc', 'grid']).default('tpe'), seed: z.number().int().default(0), startupTrials: z.number().int().nonnegative().optional() }).strict().default({ type: 'tpe', seed: 0 }),
    pruner: z
      .object({ type: z.enum(['none', 'median', 'asha', 'hyperband']).default('median'), startupTrials: z.number().int().nonnegative().optional(), warmupSteps: z.number().int().nonnegative().optional(), reductionFactor: z.number().int().min(2).optional() })
      .strict()
      .default({ type: 'median' }),
    /** Worker processes on this machine (each with its own ORT session and thread budget). */
    parallel: z.number().int().positive().default(1),
    /** Where the study lives: a journal file (default `runs/<name>/study.jsonl`), or redis://host:port. */
    storage: z.string().optional(),
    /** Heartbeat of running trials; a trial silent for `graceMs` is failed and retried. */
    heartbeat: z.object({ intervalMs: z.number().int().positive().default(1000), graceMs: z.number().int().positive().default(10000) }).strict().default({ intervalMs: 1000, graceMs: 10000 }),
  })
  .strict();

export type TuneConfig = z.infer<typeof tuneConfigSchema>;
export type Dimension = z.infer<typeof dimensionSchema>;
