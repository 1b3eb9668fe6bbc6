import type { Distribution, FrozenTrial, ParamValue, Sampler, StudyView } from '../types.js';
import { HaltonSequence } from './halton.js';
import { firstCompleteSpace } from './relative-space.js';
import { SamplerError } from './sampler-error.js';
import { defaultSeed, trialRandom } from './seeding.js';
import { SOBOL_MAX_DIMS, SobolSequence } from './sobol.js';
import { fromUnit, sampleUniform } from './unit-cube.js';

/** Options of {@link QmcSampler}. */
export interface QmcSamplerOptions {
  /** Seeds the scrambling and the random sampling of parameters outside the sequence's space. */
  readonly seed?: number;
  /** Sobol' (default; up to 32 dimensions) or Halton (any number of dimensions). */
  readonly kind?: 'sobol' | 'halton';
  /**
   * Randomizes the sequence (default: true when a seed is given). Unscrambled sequences are the
   * same on every worker even without a seed; scrambled ones need the same seed on all workers.
   */
  readonly scramble?: boolean;
}

/**
 * Quasi-random search: trial n takes point n of a low-discrepancy sequence over the search space
 * of the study's first complete trial (so parallel workers get distinct points, and the points
 * of any prefix of trials cover the space evenly). The unit cube maps through each distribution:
 * log ranges in log space, ints and steps uniformly over their grid points, categoricals by
 * choice index. Parameters outside that space (and all of them before the first trial
 * completes) are sampled uniformly at random.
 *
 * @example
 * ```ts
 * const sampler = new QmcSampler({ seed: 42, kind: 'sobol' });
 * ```
 */
export class QmcSampler implements Sampler {
  readonly name = 'qmc';
  readonly kind: 'sobol' | 'halton';
  private readonly seed: number;
  private readonly scrambleSeed: number | undefined;
  private readonly sequences = new Map<number, SobolSequence | HaltonSequence>();

  constructor(options: QmcSamplerOptions = {}) {
    this.kind = options.kind ?? 'sobol';
    if (this.kind !== 'sobol' && this.kind !== 'halton') throw new SamplerError('qmc', `kind must be 'sobol' or 'halton', got ${JSON.stringify(this.kind)}`);
    this.seed = options.seed ?? defaultSeed();
    const scramble = options.scramble ?? options.seed !== undefined;
    this.scrambleSeed = scramble ? this.seed : undefined;
  }

  inferRelativeSpace(study: StudyView, _trial: FrozenTrial): Record<string, Distribution> {
    return firstCompleteSpace(study.trials);
  }

  sampleRelative(_study: StudyView, trial: FrozenTrial, space: Record<string, Distribution>): Record<string, ParamValue> {
    const names = Object.keys(space);
    if (!names.length) return {};
    const u = this.sequence(names.length).point(trial.number);
    return Object.fromEntries(names.map((name, j) => [name, fromUnit(space[name]!, u[j]!)]));
  }

  sampleIndependent(_study: StudyView, trial: FrozenTrial, name: string, distribution: Distribution): ParamValue {
    return sampleUniform(distribution, trialRandom(this.seed, trial.number, `qmc/${name}`));
  }

  private sequence(dims: number): SobolSequence | HaltonSequence {
    let sequence = this.sequences.get(dims);
    if (!sequence) {
      if (this.kind === 'sobol' && dims > SOBOL_MAX_DIMS) {
        throw new SamplerError('qmc', `Sobol' points are available for up to ${SOBOL_MAX_DIMS} parameters, the search space has ${dims}; use new QmcSampler({ kind: 'halton' })`);
      }
      sequence = this.kind === 'sobol' ? new SobolSequence(dims, this.scrambleSeed) : new HaltonSequence(dims, this.scrambleSeed);
      this.sequences.set(dims, sequence);
    }
    return sequence;
  }
}
