import { permutation } from '@anneal/data';
import { contains, describeDistribution } from '../distributions.js';
import { DistributionError } from '../errors.js';
import type { Distribution, FrozenTrial, ParamValue, Sampler, StudyView } from '../types.js';
import { SamplerError } from './sampler-error.js';

/** Options of {@link GridSampler}. */
export interface GridSamplerOptions {
  /** Shuffles the visiting order (reproducibly) when given; without it points are visited in order. */
  readonly seed?: number;
}

/** Grids larger than this cannot be shuffled (the visiting order is kept as an Int32Array). */
const MAX_SHUFFLED_POINTS = 1 << 24;

/**
 * Visits every combination of the given values once. A trial's grid point is read back from its
 * parameters, so the sampler keeps no state that matters: any worker with the study's trials
 * knows which points are taken. Points of trials in any state count as visited (a point whose
 * worker died comes back through the storage's retry, with the same parameters); running trials
 * that have not suggested their grid parameters yet are counted too, in trial-number order, so
 * trials started in parallel pick different points. Once all points are visited, further trials
 * repeat points: check {@link GridSampler.isExhausted} to stop.
 *
 * @example
 * ```ts
 * const sampler = new GridSampler({ lr: [1e-3, 1e-2, 1e-1], depth: [2, 4] }, { seed: 7 });
 * // 6 trials visit the 6 combinations; then sampler.isExhausted(view) is true
 * ```
 */
export class GridSampler implements Sampler {
  readonly name = 'grid';
  /** Number of grid points. */
  readonly size: number;
  private readonly names: readonly string[];
  private readonly values: readonly (readonly ParamValue[])[];
  private readonly strides: readonly number[];
  private readonly lookup: readonly Map<ParamValue, number>[];
  private readonly order: Int32Array | undefined;
  private readonly chosen = new Map<string, number>();

  constructor(grid: Readonly<Record<string, readonly ParamValue[]>>, options: GridSamplerOptions = {}) {
    this.names = Object.keys(grid).sort();
    this.values = this.names.map((name) => {
      const values = grid[name]!;
      if (!Array.isArray(values) || values.length === 0) throw new SamplerError('grid', `grid['${name}'] must be a non-empty array of values`);
      if (new Set(values).size !== values.length) throw new SamplerError('grid', `grid['${name}'] has duplicate values [${values.map((v) => JSON.stringify(v)).join(', ')}]`);
      return [...values];
    });
    this.lookup = this.values.map((values) => new Map(values.map((v, i) => [v, i])));
    const strides: number[] = [];
    let size = 1;
    for (let i = this.values.length - 1; i >= 0; i--) {
      strides[i] = size;
      size *= this.values[i]!.length;
    }
    if (!Number.isSafeInteger(size)) throw new SamplerError('grid', `the grid has more than 2^53 points; split the search`);
    this.size = size;
    this.strides = strides;
    if (options.seed !== undefined) {
      if (size > MAX_SHUFFLED_POINTS) throw new SamplerError('grid', `cannot shuffle ${size} points (at most ${MAX_SHUFFLED_POINTS}); drop the seed or shrink the grid`);
      this.order = permutation(size, options.seed >>> 0);
    }
  }

  /** The parameter values of grid point `index` (0 <= index < size). */
  pointValues(index: number): Record<string, ParamValue> {
    return Object.fromEntries(this.names.map((name, i) => [name, this.values[i]![this.digit(index, i)]!]));
  }

  /** Whether every grid point has been taken by some trial (running trials included). */
  isExhausted(study: StudyView): boolean {
    const visited = new Set<number>();
    for (const t of study.trials) {
      const p = this.pointOf(t.params);
      if (p !== undefined) visited.add(p);
    }
    return visited.size >= this.size;
  }

  sampleIndependent(study: StudyView, trial: FrozenTrial, name: string, distribution: Distribution): ParamValue {
    const i = this.names.indexOf(name);
    if (i < 0) {
      throw new DistributionError(name, `is not in the grid of the grid sampler (grid parameters: ${this.names.join(', ') || 'none'}); add it to the grid or do not suggest it`);
    }
    let point = this.chosen.get(trial.id);
    if (point === undefined) {
      point = this.choose(study, trial);
      this.chosen.set(trial.id, point);
    }
    const value = this.values[i]![this.digit(point, i)]!;
    if (!contains(distribution, value)) {
      throw new DistributionError(name, `grid value ${JSON.stringify(value)} is outside ${describeDistribution(distribution)}; fix the grid or the distribution`);
    }
    return value;
  }

  afterTrial(_study: StudyView, trial: FrozenTrial): void {
    this.chosen.delete(trial.id);
  }

  private digit(point: number, i: number): number {
    return Math.floor(point / this.strides[i]!) % this.values[i]!.length;
  }

  /** The grid point of a full set of grid parameters, or undefined. */
  private pointOf(params: Readonly<Record<string, ParamValue>>): number | undefined {
    let point = 0;
    for (let i = 0; i < this.names.length; i++) {
      const name = this.names[i]!;
      if (!(name in params)) return undefined;
      const j = this.lookup[i]!.get(params[name]!);
      if (j === undefined) return undefined;
      point += j * this.strides[i]!;
    }
    return point;
  }

  /** Whether `point` agrees with the grid parameters the trial already has. */
  private agrees(point: number, params: Readonly<Record<string, ParamValue>>): boolean {
    for (let i = 0; i < this.names.length; i++) {
      const name = this.names[i]!;
      if (name in params && this.lookup[i]!.get(params[name]!) !== this.digit(point, i)) return false;
    }
    return true;
  }

  private choose(study: StudyView, trial: FrozenTrial): number {
    const visited = new Set<number>();
    // running trials started before this one that have not shown their point yet: they take the
    // first unvisited points, in number order
    let pending = 0;
    for (const t of study.trials) {
      if (t.id === trial.id) continue;
      const p = this.pointOf(t.params);
      if (p !== undefined) visited.add(p);
      else if (t.state === 'running' && t.number < trial.number) pending++;
    }
    const at = (k: number): number => (this.order ? this.order[k]! : k);
    let skip = pending;
    let firstFree: number | undefined;
    for (let k = 0; k < this.size; k++) {
      const p = at(k);
      if (visited.has(p) || !this.agrees(p, trial.params)) continue;
      firstFree ??= p;
      if (skip-- === 0) return p;
    }
    if (firstFree !== undefined) return firstFree;
    for (let k = 0; k < this.size; k++) {
      const p = at((trial.number + k) % this.size);
      if (this.agrees(p, trial.params)) return p;
    }
    return at(trial.number % this.size);
  }
}
