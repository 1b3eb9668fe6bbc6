import type { Distribution, FrozenTrial, ParamValue, Sampler, StudyView } from '../types.js';
import { SamplerError } from './sampler-error.js';
import { defaultSeed, trialRandom } from './seeding.js';
import { fromUnit } from './unit-cube.js';

/** Options of {@link RandomSampler}. */
export interface RandomSamplerOptions {
  /** Same seed, same values (default: a fresh seed from the platform's crypto source). */
  readonly seed?: number;
}

/**
 * Draws every parameter independently and uniformly: floats linearly (log floats uniformly in
 * log space), ints and stepped floats uniformly over their grid, categoricals uniformly over the
 * choices. Each value is derived from (seed, trial number, parameter name) only, so a seeded
 * study gives the same parameters for the same trial numbers whatever the concurrency, the
 * number of processes, or the order in which the objective asks.
 *
 * @example
 * const study = await createStudy('mlp', { sampler: new RandomSampler({ seed: 7 }) });
 */
export class RandomSampler implements Sampler {
  readonly name = 'random';
  readonly seed: number;

  constructor(options: RandomSamplerOptions = {}) {
    if (options.seed !== undefined && !Number.isFinite(options.seed)) throw new SamplerError('random', `seed must be a finite number, got ${options.seed}`);
    this.seed = options.seed ?? defaultSeed();
  }

  sampleIndependent(_study: StudyView, trial: FrozenTrial, name: string, distribution: Distribution): ParamValue {
    return fromUnit(distribution, trialRandom(this.seed, trial.number, name)());
  }
}
