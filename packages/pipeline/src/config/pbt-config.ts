import { z } from 'zod';
import { pluginSpec, runName } from './fit-config.js';
import { dimensionSchema } from './tune-config.js';

const CONFIG_PATH = /^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*|\[\d+\])*$/;
/**
 * Config paths a PBT space cannot explore: members copy each other's checkpoints, so the model,
 * the data and the length of the run are the same for all of them.
 */
const FIXED_PATHS = /^(model|data)(\.|\[|$)|^seed$|^train\.(epochs|threads|device|deviceId|parallel)$/;

/**
 * The `anneal pbt` config: population-based training over a fit config (`base`, inline or a
 * file). `population` members train side by side, each a run composed by the pipeline in
 * `<study>/members/<k>` (seed: the base's + k); every `epochsPerGeneration` epochs the bottom
 * `quantile` copy the checkpoint (weights, optimizer and schedule state) of a top member
 * (exploit) and perturb the hyperparameters at the `space` paths (explore). The run is
 * `generations` x `epochsPerGeneration` epochs long (the base's `train.epochs` is replaced).
 */
export const pbtConfigSchema = z
  .object({
    name: runName,
    /** A fit config, or the path of one (relative to this file). */
    base: z.union([z.string(), z.record(z.string(), z.unknown())]),
    /** The hyperparameters members get, explore and resample, by config path (as in `anneal tune`). */
    space: z.record(z.string(), dimensionSchema),
    /** Members in the population. */
    population: z.number().int().min(2).default(8),
    /** Intervals each member trains; after each one the population exploits and explores. */
    generations: z.number().int().min(1).default(5),
    /** Epochs of one interval. */
    epochsPerGeneration: z.number().int().positive().default(1),
    metric: z.string().default('val.accuracy').describe('epoch metric members are ranked by (its value at the interval\'s last epoch): val.accuracy, val.loss...'),
    direction: z.enum(['minimize', 'maximize']).default('maximize'),
    /** Seed of the initial draws, the exploit choices and the perturbations. */
    seed: z.number().int().default(0),
    /** Bottom fraction replaced by copies of the top fraction after each generation (default 0.25, at most 0.5). */
    quantile: z.number().gt(0).max(0.5).optional(),
    /** Multipliers for perturbing numeric hyperparameters (default [0.8, 1.2]). */
    perturbFactors: z.array(z.number().positive()).min(1).optional(),
    /** Probability of redrawing a hyperparameter from its distribution instead of perturbing it (default 0.25). */
    resampleProbability: z.number().min(0).max(1).optional(),
    /** Members training at once in this process (default 1). */
    concurrency: z.number().int().min(1).optional(),
    /** Worker processes on this machine training intervals beside each other (`anneal pbt --parallel`); the same numbers as one process. */
    parallel: z.number().int().positive().default(1),
    /** Heartbeat of running intervals; one silent for `graceMs` (its process lost) is failed and retrained by another process. */
    heartbeat: z.object({ intervalMs: z.number().int().positive().default(1000), graceMs: z.number().int().positive().default(10000) }).strict().default({ intervalMs: 1000, graceMs: 10000 }),
    /** Keep every generation's checkpoints in `<study>/checkpoints` (default: only the last two generations). */
    keepCheckpoints: z.boolean().optional(),
    /** Where the run lives: a storage plugin spec, a journal file path, or redis://host:port (default: the journal `runs/<name>/study.jsonl`); with workers on other machines, they must see the run folder too (checkpoints, members). */
    storage: z.union([z.string().min(1), pluginSpec]).optional(),
    /** Packages whose descriptors (storages, anything the base config names) are registered. */
    plugins: z.array(z.string().min(1)).default([]),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (!Object.keys(c.space).length) ctx.addIssue({ code: 'custom', path: ['space'], message: 'give at least one hyperparameter to explore' });
    for (const path of Object.keys(c.space)) {
      if (!CONFIG_PATH.test(path)) ctx.addIssue({ code: 'custom', path: ['space', path], message: 'a config path such as optimizer.lr or schedules[0].schedule.base' });
      else if (FIXED_PATHS.test(path)) ctx.addIssue({ code: 'custom', path: ['space', path], message: 'members exchange checkpoints, so the model, the data, seed and train.epochs/threads/device/parallel are the same for all; explore optimizer, schedule or callback values' });
    }
  });

/** A PBT config as written (before defaults). */
export type PbtConfigInput = z.input<typeof pbtConfigSchema>;
export type PbtConfig = z.infer<typeof pbtConfigSchema>;
