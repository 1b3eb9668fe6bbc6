import { contains, isSingle } from '../distributions.js';
import type { Distribution, FrozenTrial, ParamValue, Sampler, StudyView } from '../types.js';
import { ParzenEstimator, fromKernel, kernelSpace, toKernel, type KernelSpace } from './parzen-estimator.js';
import { intersectionSpace } from './relative-space.js';
import { SamplerError } from './sampler-error.js';
import { defaultSeed, trialRandom } from './seeding.js';
import { defaultGamma, defaultWeights, splitTrials, type TpeSplit } from './tpe-split.js';
import { sampleUniform } from './unit-cube.js';

/** Options of {@link TpeSampler}. */
export interface TpeSamplerOptions {
  readonly seed?: number;
  /** Trials sampled at random before the model is used, counted as complete or pruned trials (default 10). */
  readonly nStartupTrials?: number;
  /** Candidates drawn from the good-trials model per sample; the best ratio wins (default 24). */
  readonly nEiCandidates?: number;
  /** Model the intersection search space jointly (default false, as in Optuna: each parameter is modelled alone). */
  readonly multivariate?: boolean;
  /** Size of the good group for n trials (default min(ceil(0.1 n), 25)). */
  readonly gamma?: (n: number) => number;
  /** Weight of the prior kernel (default 1). */
  readonly priorWeight?: number;
  /** Univariate bandwidths: count the range ends as neighbours (default false). */
  readonly considerEndpoints?: boolean;
  /** Count other running trials as bad ones so parallel workers spread out (default false). */
  readonly constantLiar?: boolean;
  /**
   * Score candidates of one-parameter models with each kernel weighted by its bandwidth, as Optuna
   * 3.1 does in effect (default true); false scores with the normalized densities. The joint
   * multivariate model always scores with its densities (bandwidth weighting measured worse there).
   */
  readonly bandwidthWeighted?: boolean;
}

/**
 * Tree-structured Parzen Estimator (Bergstra et al. 2011; multivariate as in Falkner et al. 2018
 * and Optuna). After `nStartupTrials` random trials, the finished trials are split into the best
 * `gamma(n)` and the rest; a Parzen estimator is fitted to each (l for the good, g for the rest,
 * newer trials weighing more); `nEiCandidates` points drawn from l are scored by
 * log l(x) - log g(x) and the best is taken (by default each parameter is modelled alone and its
 * kernels are weighted by their bandwidths when scoring, which reproduces Optuna 3.1's default
 * TPE). With `multivariate: true` one joint estimator covers the parameters every complete trial
 * has, and the others are modelled one at a time. Pruned
 * trials rank behind complete ones (further-reaching first, then by their last value); failed
 * trials are ignored. In a multi-objective study (MOTPE) the good group is the best Pareto
 * fronts, the last one thinned by hypervolume contribution. Every draw derives from (seed, trial
 * number), so the values depend only on the seed and the study's trials.
 *
 * @example
 * ```ts
 * const sampler = new TpeSampler({ seed: 1, nStartupTrials: 10 });
 * const joint = new TpeSampler({ seed: 1, multivariate: true });
 * ```
 */
export class TpeSampler implements Sampler {
  readonly name = 'tpe';
  private readonly seed: number;
  private readonly nStartupTrials: number;
  private readonly nEiCandidates: number;
  private readonly multivariate: boolean;
  private readonly gamma: (n: number) => number;
  private readonly priorWeight: number;
  private readonly considerEndpoints: boolean;
  private readonly constantLiar: boolean;
  private readonly bandwidthWeighted: boolean;
  private cached: { trials: readonly FrozenTrial[]; trialId: string; split: TpeSplit } | undefined;

  constructor(options: TpeSamplerOptions = {}) {
    this.seed = options.seed ?? defaultSeed();
    this.nStartupTrials = options.nStartupTrials ?? 10;
    this.nEiCandidates = options.nEiCandidates ?? 24;
    this.multivariate = options.multivariate ?? false;
    this.gamma = options.gamma ?? defaultGamma;
    this.priorWeight = options.priorWeight ?? 1;
    this.considerEndpoints = options.considerEndpoints ?? false;
    this.constantLiar = options.constantLiar ?? false;
    this.bandwidthWeighted = options.bandwidthWeighted ?? true;
    if (!Number.isInteger(this.nStartupTrials) || this.nStartupTrials < 0) throw new SamplerError('tpe', `nStartupTrials must be a non-negative integer, got ${this.nStartupTrials}`);
    if (!Number.isInteger(this.nEiCandidates) || this.nEiCandidates < 1) throw new SamplerError('tpe', `nEiCandidates must be a positive integer, got ${this.nEiCandidates}`);
    if (!(this.priorWeight > 0) || !Number.isFinite(this.priorWeight)) throw new SamplerError('tpe', `priorWeight must be a positive number, got ${this.priorWeight}`);
  }

  inferRelativeSpace(study: StudyView, _trial: FrozenTrial): Record<string, Distribution> {
    return this.multivariate ? intersectionSpace(study.trials) : {};
  }

  sampleRelative(study: StudyView, trial: FrozenTrial, space: Record<string, Distribution>): Record<string, ParamValue> {
    const names = Object.keys(space).filter((name) => !isSingle(space[name]!));
    if (!names.length) return {};
    const split = this.split(study, trial);
    if (split.finished < this.nStartupTrials) return {};
    const dists = names.map((name) => space[name]!);
    const best = this.sample(split, names, dists, true, trialRandom(this.seed, trial.number, 'tpe/relative'));
    return Object.fromEntries(names.map((name, d) => [name, best[d]!]));
  }

  sampleIndependent(study: StudyView, trial: FrozenTrial, name: string, distribution: Distribution): ParamValue {
    const rand = trialRandom(this.seed, trial.number, `tpe/${name}`);
    if (isSingle(distribution)) return sampleUniform(distribution, rand);
    const split = this.split(study, trial);
    if (split.finished < this.nStartupTrials) return sampleUniform(distribution, rand);
    return this.sample(split, [name], [distribution], false, rand)[0]!;
  }

  afterTrial(_study: StudyView, _trial: FrozenTrial): void {
    this.cached = undefined;
  }

  /** The split for this snapshot, computed once per trial (relative and independent calls share it). */
  private split(study: StudyView, trial: FrozenTrial): TpeSplit {
    const c = this.cached;
    if (c && c.trials === study.trials && c.trialId === trial.id) return c.split;
    const split = splitTrials(study, trial, this.gamma, this.constantLiar);
    this.cached = { trials: study.trials, trialId: trial.id, split };
    return split;
  }

  private sample(split: TpeSplit, names: readonly string[], dists: readonly Distribution[], joint: boolean, rand: () => number): ParamValue[] {
    const spaces = dists.map(kernelSpace);
    const options = { priorWeight: this.priorWeight, considerEndpoints: this.considerEndpoints, multivariate: joint, bandwidthWeighted: this.bandwidthWeighted && !joint };
    const l = new ParzenEstimator(spaces, ...observe(split.below, names, dists, spaces), options);
    const g = new ParzenEstimator(spaces, ...observe(split.above, names, dists, spaces), options);
    const m = this.nEiCandidates;
    const candidates = l.sample(rand, m);
    // score the values the trial would actually get (snapped to ints / steps)
    candidates.forEach((column, d) => {
      for (let k = 0; k < m; k++) column[k] = toKernel(spaces[d]!, fromKernel(spaces[d]!, column[k]!));
    });
    const ll = l.logScore(candidates, m);
    const lg = g.logScore(candidates, m);
    let best = 0;
    let bestScore = -Infinity;
    for (let k = 0; k < m; k++) {
      const score = ll[k]! - lg[k]!;
      if (score > bestScore) {
        bestScore = score;
        best = k;
      }
    }
    return dists.map((d, i) => {
      const internal = fromKernel(spaces[i]!, candidates[i]![best]!);
      return d.kind === 'categorical' ? d.choices[internal]! : internal;
    });
  }
}

/** Observations (estimator coordinates per dimension) and weights of the trials that have all `names` inside their distributions. */
function observe(trials: readonly FrozenTrial[], names: readonly string[], dists: readonly Distribution[], spaces: readonly KernelSpace[]): [Float64Array[], Float64Array] {
  const columns = names.map(() => new Float64Array(trials.length));
  let kept = 0;
  for (const t of trials) {
    let ok = true;
    for (let d = 0; d < names.length && ok; d++) {
      const value = t.params[names[d]!];
      const dist = dists[d]!;
      ok = value !== undefined && contains(dist, value);
      if (ok) columns[d]![kept] = toKernel(spaces[d]!, dist.kind === 'categorical' ? dist.choices.indexOf(value) : (value as number));
    }
    if (ok) kept++;
  }
  return [columns.map((c) => c.subarray(0, kept)), defaultWeights(kept)];
}
