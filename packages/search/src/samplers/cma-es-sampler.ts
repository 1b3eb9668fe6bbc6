import { z } from 'zod';
import { seededRandom } from '@anneal/data';
import type { Distribution, FrozenTrial, ParamValue, Sampler, StudyView } from '../types.js';
import { defaultPopulation, initialCma, sampleCma, shouldRestart, updateCma, type CmaState } from './cma-es-state.js';
import { intersectionSpace } from './relative-space.js';
import { parseSamplerOptions } from './sampler-options.js';
import { combineSeed, defaultSeed, trialRandom } from './seeding.js';
import { TpeSampler } from './tpe-sampler.js';
import { RandomSampler } from './random-sampler.js';
import { fromUnit, trialPoint, unitAxes, type UnitAxis } from './unit-box.js';
import { singleObjectiveOnly, signedValue } from './single-objective.js';

/** Options of {@link CmaEsSampler} (see {@link cmaEsSamplerOptions} for the schema). */
export const cmaEsSamplerOptions = z
  .object({
    seed: z.number().int().optional(),
    /**
     * Trials drawn by the warm-start sampler before CMA-ES starts (default 1: the run starts at
     * the box centre, as Optuna's; with 5 or more the run starts at the best of them).
     */
    nStartupTrials: z.number().int().min(0).optional(),
    /** The warm-start sampler, also used for categorical parameters: 'tpe' (default) or 'random'. */
    warmStart: z.enum(['tpe', 'random']).optional(),
    /** Initial step size in the unit box (default: from the spread of the best warm-start trials, else 1/6). */
    sigma0: z.number().positive().max(1).optional(),
    /** Population size of the first run (default 4 + floor(3 ln d)). */
    popsize: z.number().int().min(2).optional(),
    /** 'ipop' (default): restart with a doubled population when a run converges or stalls; 'none': never restart. */
    restart: z.enum(['ipop', 'none']).optional(),
  })
  .strict();

/** Options of {@link CmaEsSampler}. */
export type CmaEsSamplerOptions = z.infer<typeof cmaEsSamplerOptions>;

interface Replay {
  readonly state: CmaState;
  /** Index of the trial within its generation. */
  readonly position: number;
  readonly restarts: number;
}

/**
 * CMA-ES (Hansen 2016) over the numeric parameters every complete trial has, in a unit box (log
 * parameters in log space; ints and steps continuous and snapped, with a floor on the spread
 * along their axes so a converged run still tries the neighbouring values). The first
 * `nStartupTrials` trials come from the warm-start sampler (TPE by default); with two or more
 * the run starts at the mean of the best quarter of them with a step size from their spread,
 * else at the box centre with step 1/6 (the default: on the search-quality bench functions a
 * 10-trial TPE warm start was better on one function and worse on three). With `restart: 'ipop'` a
 * run that converges or stalls restarts at a random point with twice the population (IPOP-CMA-ES).
 * Categorical and conditional parameters are sampled by the warm-start sampler.
 *
 * The sampler keeps no state: each call replays the study's trials in number order (trial k of a
 * generation is the k-th trial after the previous generation), so any process with the trials
 * gets the same distribution. In a sequential study this is exactly CMA-ES; with parallel
 * workers a generation is updated with the members complete when the next one starts.
 * Single-objective only.
 *
 * @example
 * ```ts
 * const study = await createStudy('rosenbrock', { sampler: new CmaEsSampler({ seed: 1 }) });
 * ```
 */
export class CmaEsSampler implements Sampler {
  readonly name = 'cma-es';
  private readonly seed: number;
  private readonly nStartupTrials: number;
  private readonly sigma0?: number;
  private readonly popsize?: number;
  private readonly restart: 'ipop' | 'none';
  private readonly fallback: Sampler;

  constructor(options: CmaEsSamplerOptions = {}) {
    const o = parseSamplerOptions('cma-es', cmaEsSamplerOptions, options);
    this.seed = o.seed ?? defaultSeed();
    this.nStartupTrials = o.nStartupTrials ?? 1;
    this.sigma0 = o.sigma0;
    this.popsize = o.popsize;
    this.restart = o.restart ?? 'ipop';
    this.fallback = o.warmStart === 'random' ? new RandomSampler({ seed: this.seed }) : new TpeSampler({ seed: this.seed });
  }

  inferRelativeSpace(study: StudyView, _trial: FrozenTrial): Record<string, Distribution> {
    singleObjectiveOnly(study, 'cma-es');
    const space = intersectionSpace(study.trials);
    return Object.fromEntries(unitAxes(space).map((a) => [a.name, a.distribution]));
  }

  sampleRelative(study: StudyView, trial: FrozenTrial, space: Record<string, Distribution>): Record<string, ParamValue> {
    const axes = unitAxes(space);
    if (!axes.length) return {};
    const history = study.trials.filter((t) => t.state !== 'waiting' && t.number < trial.number);
    if (history.length < this.nStartupTrials) return {};
    const replay = this.replay(study, history, axes);
    const rand = trialRandom(this.seed, trial.number, 'cma-es');
    const minStd = Float64Array.from(axes, (a) => a.cell / 4);
    const x = sampleCma(replay.state, rand, minStd);
    return Object.fromEntries(axes.map((a, i) => [a.name, fromUnit(a, x[i]!)]));
  }

  sampleIndependent(study: StudyView, trial: FrozenTrial, name: string, distribution: Distribution): ParamValue {
    return this.fallback.sampleIndependent(study, trial, name, distribution);
  }

  afterTrial(study: StudyView, trial: FrozenTrial): void {
    this.fallback.afterTrial?.(study, trial);
  }

  /** The state the next trial samples from, replayed from the history after the warm start. */
  private replay(study: StudyView, history: readonly FrozenTrial[], axes: readonly UnitAxis[]): Replay {
    const d = axes.length;
    const startup = history.slice(0, this.nStartupTrials);
    let restarts = 0;
    let state = this.firstState(study, startup, axes);
    let generation: FrozenTrial[] = [];
    for (const t of history.slice(this.nStartupTrials)) {
      generation.push(t);
      if (generation.length < state.lambda) continue;
      const xs: Float64Array[] = [];
      const values: number[] = [];
      for (const member of generation) {
        const x = member.state === 'complete' ? trialPoint(member, axes) : undefined;
        const v = signedValue(study, member);
        if (x && v !== undefined) {
          xs.push(x);
          values.push(v);
        }
      }
      generation = [];
      if (xs.length >= 2) state = updateCma(state, xs, values);
      if (this.restart === 'ipop' && shouldRestart(state)) {
        restarts++;
        const rand = seededRandom(combineSeed(this.seed, 'cma-es/restart', restarts));
        const mean = Float64Array.from({ length: d }, () => rand());
        state = initialCma(mean, this.sigma0 ?? 1 / 6, state.lambda * 2);
      }
    }
    return { state, position: generation.length, restarts };
  }

  /** The first run's state: centred on the best warm-start trials (the box centre without any). */
  private firstState(study: StudyView, startup: readonly FrozenTrial[], axes: readonly UnitAxis[]): CmaState {
    const d = axes.length;
    const lambda = this.popsize ?? defaultPopulation(d);
    const scored = startup
      .map((t) => ({ x: t.state === 'complete' ? trialPoint(t, axes) : undefined, v: signedValue(study, t) }))
      .filter((s): s is { x: Float64Array; v: number } => !!s.x && s.v !== undefined)
      .sort((a, b) => a.v - b.v);
    if (scored.length < 2) return initialCma(new Float64Array(d).fill(0.5), this.sigma0 ?? 1 / 6, lambda);
    const top = scored.slice(0, Math.max(2, Math.ceil(scored.length / 4)));
    const mean = new Float64Array(d);
    for (const s of top) s.x.forEach((v, i) => (mean[i]! += v / top.length));
    let spread = 0;
    for (const s of top) s.x.forEach((v, i) => (spread += (v - mean[i]!) ** 2 / (top.length * d)));
    const sigma = this.sigma0 ?? Math.min(0.3, Math.max(0.05, Math.sqrt(spread)));
    return initialCma(mean, sigma, lambda);
  }
}
