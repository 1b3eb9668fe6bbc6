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

/** Objective sources besides epoch metrics: measured on the trial's model and run. */
export const OBJECTIVE_SOURCES = {
  params: 'trainable parameter count of the trial\'s model',
  'step-ms': 'median training step time of the trial in milliseconds (each epoch\'s batch time / batches)',
  'model-bytes': 'size of the trial\'s exported model.onnx in bytes',
} as const;

/** Whether an objective is an epoch metric (`val.accuracy`, `train.loss`...), which pruners can follow. */
export const isEpochMetric = (metric: string): boolean => !(metric in OBJECTIVE_SOURCES);

/** One objective of a multi-objective study: an epoch metric (its last epoch's value) or a measured source. */
export const objectiveSchema = z
  .object({
    metric: z
      .string()
      .refine((m) => m in OBJECTIVE_SOURCES || /^(val|train)\.\w+(\.\w+)?$/.test(m), `an epoch metric such as val.accuracy, val.loss or train.loss, or one of ${Object.keys(OBJECTIVE_SOURCES).join(', ')}`),
    direction: z.enum(['minimize', 'maximize']),
  })
  .strict();

/** Samplers of single-objective studies only (they refuse several objectives). */
const SINGLE_OBJECTIVE_SAMPLERS = ['cma-es', 'gp'];

const tuneConfigObject = z
  .object({
    name: runName,
    /** A fit config, or the path of one (relative to this file). */
    base: z.union([z.string(), z.record(z.string(), z.unknown())]),
    space: z.record(z.string().regex(/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*|\[\d+\])*$/, 'a config path such as optimizer.lr or schedules[0].schedule.base'), dimensionSchema),
    /** Conditional dimensions: sampled only when `when` holds for an already chosen value. */
    conditional: z
      .array(z.object({ when: z.object({ path: z.string(), equals: paramValue }).strict(), space: z.record(z.string(), dimensionSchema) }).strict())
      .default([]),
    /** One objective (default val.accuracy, maximize); `objectives` instead for several. */
    metric: z.string().optional().describe('epoch metric to optimize and to prune on: val.accuracy, val.loss, train.loss...'),
    direction: z.enum(['minimize', 'maximize']).optional(),
    /** Several objectives (a multi-objective study with a Pareto front), instead of metric/direction. */
    objectives: z.array(objectiveSchema).min(1).optional(),
    /** Several objectives: the hypervolume's reference point, one value per objective in its own units (default: each objective's worst complete trial pushed 10% of its range further). */
    referencePoint: z.array(z.number().finite()).optional(),
    trials: z.number().int().positive().default(20),
    /** Seed of the sampler (when its spec gives none). */
    seed: z.number().int().default(0),
    /** A sampler plugin: tpe (default), random, qmc, grid, cma-es, gp, nsga-ii, or one from a package. */
    sampler: pluginSpec.default({ type: 'tpe' }),
    /** A pruner plugin fed the metric at every epoch end: median (default for one epoch-metric objective), percentile, asha, hyperband, none (default otherwise). */
    pruner: pluginSpec.optional(),
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

/**
 * The `anneal tune` config: a fit config (`base`, inline or a file) whose values at the `space`
 * paths each trial chooses, the objective(s) to optimize, and how the study runs. The output
 * always has `objectives` (one per direction); `metric` and `direction` are the first one's.
 * Several objectives make a multi-objective study: no pruner (it ranks one objective), and a
 * sampler that handles several (TPE, the default, as MOTPE; nsga-ii; random, qmc, grid).
 */
export const tuneConfigSchema = tuneConfigObject
  .superRefine((c, ctx) => {
    if (c.objectives && (c.metric !== undefined || c.direction !== undefined)) {
      ctx.addIssue({ code: 'custom', path: [c.metric !== undefined ? 'metric' : 'direction'], message: 'give either metric/direction (one objective) or objectives (a list of { metric, direction }), not both' });
    }
    const objectives = c.objectives ?? [{ metric: c.metric ?? 'val.accuracy', direction: c.direction ?? 'maximize' }];
    const seen = new Set<string>();
    objectives.forEach((o, i) => {
      if (seen.has(o.metric)) ctx.addIssue({ code: 'custom', path: ['objectives', i, 'metric'], message: `'${o.metric}' is already an objective; each objective names another metric` });
      seen.add(o.metric);
    });
    const prunable = objectives.length === 1 && isEpochMetric(objectives[0]!.metric);
    if (c.pruner && c.pruner.type !== 'none' && !prunable) {
      const why = objectives.length > 1 ? `a study with ${objectives.length} objectives cannot prune (pruners rank one objective)` : `the objective '${objectives[0]!.metric}' is measured after training, not at epoch ends`;
      ctx.addIssue({ code: 'custom', path: ['pruner'], message: `${why}; leave pruner out or set pruner: { type: none }` });
    }
    if (c.referencePoint && c.referencePoint.length !== objectives.length) {
      const why = objectives.length === 1 ? 'a study with one objective has no hypervolume; leave referencePoint out' : `give one value per objective (${objectives.map((o) => o.metric).join(', ')}), each worse than every trial's`;
      ctx.addIssue({ code: 'custom', path: ['referencePoint'], message: `${c.referencePoint.length} value(s) for ${objectives.length} objective(s): ${why}` });
    }
    if (objectives.length > 1 && !c.sampler.package && SINGLE_OBJECTIVE_SAMPLERS.includes(c.sampler.type)) {
      ctx.addIssue({ code: 'custom', path: ['sampler', 'type'], message: `sampler '${c.sampler.type}' optimizes one objective; with several use tpe (MOTPE, the default), nsga-ii, random, qmc or grid` });
    }
  })
  .transform((c) => {
    const objectives = c.objectives ?? [{ metric: c.metric ?? 'val.accuracy', direction: c.direction ?? 'maximize' }];
    const prunable = objectives.length === 1 && isEpochMetric(objectives[0]!.metric);
    return { ...c, objectives, metric: objectives[0]!.metric, direction: objectives[0]!.direction, pruner: c.pruner ?? (prunable ? { type: 'median' } : { type: 'none' }) };
  });

/** A tune config as written (before defaults). */
export type TuneConfigInput = z.input<typeof tuneConfigSchema>;
export type TuneConfig = z.infer<typeof tuneConfigSchema>;
/** One objective of a tune config. */
export type Objective = z.infer<typeof objectiveSchema>;
export type Dimension = z.infer<typeof dimensionSchema>;
