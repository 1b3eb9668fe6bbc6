import { z } from 'zod';

/**
 * The options of a PBT run that can come from a config (the zod schema; the member factory, the
 * storage and the search space are code). Defaults: 25% quantile, factors 0.8 / 1.2, resample
 * probability 0.25, concurrency 1, heartbeats every second with a 10 s grace.
 */
export const pbtOptions = z
  .object({
    /** Members in the population. */
    population: z.number().int().min(2),
    /** Intervals each member trains (one `train()` call each). */
    generations: z.number().int().min(1),
    direction: z.enum(['minimize', 'maximize']),
    seed: z.number().int().optional(),
    /** Bottom fraction replaced by copies of the top fraction after each generation (default 0.25, at most 0.5). */
    quantile: z.number().gt(0).max(0.5).optional(),
    /** Multipliers for perturbing numeric hyperparameters (default [0.8, 1.2]). */
    perturbFactors: z.array(z.number().positive()).min(1).optional(),
    /** Probability of redrawing a hyperparameter from its distribution instead of perturbing it (default 0.25). */
    resampleProbability: z.number().min(0).max(1).optional(),
    /** Members training at once in this process (default 1). */
    concurrency: z.number().int().min(1).optional(),
    /** Keep every generation's checkpoints (default false: only the last two generations). */
    keepCheckpoints: z.boolean().optional(),
    /** Heartbeats of running intervals every `intervalMs` (also the poll interval of a waiting process); one silent for `graceMs` is failed and retrained elsewhere (default 1000 / 10000). */
    heartbeat: z.object({ intervalMs: z.number().int().positive(), graceMs: z.number().int().positive() }).strict().optional(),
  })
  .strict();

/** The config part of {@link PopulationBasedTraining}'s options. */
export type PbtConfig = z.infer<typeof pbtOptions>;
