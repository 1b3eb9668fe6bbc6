import { z } from 'zod';
import { crowdingDistances, nonDominatedRanks, objectiveValues, toMinimized } from '../multi-objective/dominance.js';
import type { Direction, Distribution, FrozenTrial, ParamValue, Sampler, StudyView } from '../types.js';
import { RandomSampler } from './random-sampler.js';
import { intersectionSpace } from './relative-space.js';
import { parseSamplerOptions } from './sampler-options.js';
import { defaultSeed, trialRandom } from './seeding.js';
import { fromUnit as fromUnitCube } from './unit-cube.js';
import { fromUnit, toUnit, unitAxes } from './unit-box.js';

/** Options of {@link NsgaIISampler} (the zod schema, for configs). */
export const nsgaIISamplerOptions = z
  .object({
    seed: z.number().int().optional(),
    /** Trials per generation (default 50). */
    populationSize: z.number().int().min(2).optional(),
    /** Probability that a parameter is redrawn at random after crossover (default 1 / number of parameters). */
    mutationProb: z.number().min(0).max(1).optional(),
    /** Probability that a child is a crossover of two parents rather than a copy of one (default 0.9). */
    crossoverProb: z.number().min(0).max(1).optional(),
    /** 'sbx' (default): simulated binary crossover on numeric parameters; 'uniform': each parameter from either parent. Categoricals always take either parent's choice. */
    crossover: z.enum(['sbx', 'uniform']).optional(),
  })
  .strict();

/** Options of {@link NsgaIISampler}. */
export type NsgaIISamplerOptions = z.infer<typeof nsgaIISamplerOptions>;

interface Member {
  readonly trial: FrozenTrial;
  readonly rank: number;
  readonly crowding: number;
}

/**
 * NSGA-II (Deb et al. 2002), the genetic algorithm for multi-objective studies (it works on one
 * objective too). Trials form generations of `populationSize` in number order; the first is drawn
 * at random. The parents of generation g are the survivors of the parents of g-1 plus the
 * complete trials of g-1: whole Pareto fronts (non-dominated sorting) while they fit, the last
 * one cut by crowding distance. A child takes two parents by binary tournament (lower rank, then
 * larger crowding distance), crosses them (SBX on numeric parameters in a unit box, log ones in
 * log space; categoricals from either parent) and mutates each parameter with `mutationProb`.
 * Everything is recomputed from the trials, so the sampler keeps no state.
 *
 * @example
 * ```ts
 * const study = await createStudy('mlp', { directions: ['maximize', 'minimize'], sampler: new NsgaIISampler({ seed: 1, populationSize: 20 }) });
 * ```
 */
export class NsgaIISampler implements Sampler {
  readonly name = 'nsga-ii';
  private readonly seed: number;
  private readonly populationSize: number;
  private readonly mutationProb?: number;
  private readonly crossoverProb: number;
  private readonly crossover: 'sbx' | 'uniform';
  private readonly random: RandomSampler;

  constructor(options: NsgaIISamplerOptions = {}) {
    const o = parseSamplerOptions('nsga-ii', nsgaIISamplerOptions, options);
    this.seed = o.seed ?? defaultSeed();
    this.populationSize = o.populationSize ?? 50;
    this.mutationProb = o.mutationProb;
    this.crossoverProb = o.crossoverProb ?? 0.9;
    this.crossover = o.crossover ?? 'sbx';
    this.random = new RandomSampler({ seed: this.seed });
  }

  inferRelativeSpace(study: StudyView, _trial: FrozenTrial): Record<string, Distribution> {
    return intersectionSpace(study.trials);
  }

  sampleRelative(study: StudyView, trial: FrozenTrial, space: Record<string, Distribution>): Record<string, ParamValue> {
    const parents = this.parents(study, trial);
    if (parents.length < 2) return {};
    const rand = trialRandom(this.seed, trial.number, 'nsga-ii');
    const tournament = (): FrozenTrial => {
      const a = parents[Math.floor(rand() * parents.length)]!;
      const b = parents[Math.floor(rand() * parents.length)]!;
      return a.rank < b.rank || (a.rank === b.rank && a.crowding >= b.crowding) ? a.trial : b.trial;
    };
    const p1 = tournament();
    const p2 = tournament();
    const names = Object.keys(space).sort();
    const mutation = this.mutationProb ?? 1 / Math.max(1, names.length);
    const cross = rand() < this.crossoverProb;
    const axes = new Map(unitAxes(space).map((a) => [a.name, a]));
    const child: Record<string, ParamValue> = {};
    for (const name of names) {
      const d = space[name]!;
      const v1 = p1.params[name];
      const v2 = p2.params[name];
      const axis = axes.get(name);
      let value: ParamValue | undefined;
      if (v1 === undefined || v2 === undefined) value = undefined;
      else if (!cross) value = v1;
      else if (axis && this.crossover === 'sbx' && typeof v1 === 'number' && typeof v2 === 'number') value = fromUnit(axis, sbx(toUnit(axis, v1), toUnit(axis, v2), rand));
      else value = rand() < 0.5 ? v1 : v2;
      if (value === undefined || rand() < mutation) value = fromUnitCube(d, rand());
      child[name] = value;
    }
    return child;
  }

  sampleIndependent(study: StudyView, trial: FrozenTrial, name: string, distribution: Distribution): ParamValue {
    return this.random.sampleIndependent(study, trial, name, distribution);
  }

  /** The parent population of the trial's generation (empty in generation 0). */
  private parents(study: StudyView, trial: FrozenTrial): Member[] {
    const directions: readonly Direction[] = study.directions ?? [study.direction];
    const history = study.trials.filter((t) => t.state !== 'waiting' && t.number < trial.number);
    const generation = Math.floor(history.length / this.populationSize);
    let population: FrozenTrial[] = [];
    let members: Member[] = [];
    for (let g = 0; g < generation; g++) {
      const offspring = history.slice(g * this.populationSize, (g + 1) * this.populationSize).filter((t) => objectiveValues(t)?.length === directions.length && t.state === 'complete');
      members = select([...population, ...offspring], directions, this.populationSize);
      population = members.map((m) => m.trial);
    }
    return members;
  }
}

/** Simulated binary crossover of two coordinates in [0, 1] (distribution index 20): one child. */
function sbx(a: number, b: number, rand: () => number, eta = 20): number {
  const u = rand();
  const beta = u <= 0.5 ? (2 * u) ** (1 / (eta + 1)) : (1 / (2 * (1 - u))) ** (1 / (eta + 1));
  const c = rand() < 0.5 ? 0.5 * ((1 + beta) * a + (1 - beta) * b) : 0.5 * ((1 - beta) * a + (1 + beta) * b);
  return Math.min(1, Math.max(0, c));
}

/** NSGA-II survival: whole fronts while they fit, the last one by crowding distance (ties: lower trial number). */
function select(trials: readonly FrozenTrial[], directions: readonly Direction[], size: number): Member[] {
  const points = trials.map((t) => toMinimized(objectiveValues(t)!, directions));
  const ranks = nonDominatedRanks(points);
  const out: Member[] = [];
  for (let rank = 0; out.length < size; rank++) {
    const front = trials.map((_, i) => i).filter((i) => ranks[i] === rank);
    if (!front.length) break;
    const crowding = crowdingDistances(front.map((i) => points[i]!));
    const members = front.map((i, k) => ({ trial: trials[i]!, rank, crowding: crowding[k]! }));
    if (out.length + members.length > size) members.sort((a, b) => b.crowding - a.crowding || a.trial.number - b.trial.number);
    out.push(...members.slice(0, size - out.length));
  }
  return out;
}
