import type { Direction, FrozenTrial, Pruner, StudyView } from '../types.js';
import { checkInteger, firstCompleted, lastStep, PrunerOptionError } from './pruner-utils.js';

/** Options of {@link SuccessiveHalvingPruner}. */
export interface SuccessiveHalvingOptions {
  /**
   * Resource (steps) of the first rung, `r` in the ASHA paper (default `'auto'`: the last step of
   * the study's first complete trial divided by 100, at least 1; nothing is pruned before a
   * trial completes).
   */
  minResource?: 'auto' | number;
  /** `η`: about 1/η of the trials reaching a rung are promoted past it (default 4, at least 2). */
  reductionFactor?: number;
  /** `s`: the first rung sits at minResource * η^s (default 0). */
  minEarlyStoppingRate?: number;
  /** A trial reaching a rung where at most this many trials (itself included) arrived is pruned (default 0). */
  bootstrapCount?: number;
}

/**
 * Asynchronous successive halving (ASHA, Li et al. 2018). Rung k sits at step
 * `minResource * reductionFactor^(minEarlyStoppingRate + k)`. When a trial's report first reaches
 * a rung, its value there is compared with the rung values of every trial that reached the rung
 * before (any state, the trial itself included): with n such values it continues when it is among
 * the best max(1, floor(n / η)) of them, otherwise it is pruned. A report that jumps over several
 * rungs is checked at each of them in order with that report's value.
 *
 * Stateless across processes: nothing is written anywhere. A trial's value at rung k is derived
 * from its intermediate values as the one at its first reported step >= the rung's step (NaN
 * values are not rung values: a NaN report at a rung prunes the trial). This is what Optuna keeps
 * as `completed_rung_k` system attributes, provided every report was followed by a pruning check.
 *
 * @example
 * const pruner = new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 3 }); // rungs at steps 1, 3, 9, 27...
 * if (pruner.shouldPrune(view, trial)) throw new TrialPruned(epoch);
 */
export class SuccessiveHalvingPruner implements Pruner {
  readonly name = 'successive-halving';
  readonly minResource: 'auto' | number;
  readonly reductionFactor: number;
  readonly minEarlyStoppingRate: number;
  readonly bootstrapCount: number;

  constructor(options: SuccessiveHalvingOptions = {}) {
    const min = options.minResource ?? 'auto';
    if (min !== 'auto' && (!Number.isInteger(min) || min < 1)) throw new PrunerOptionError('SuccessiveHalvingPruner.minResource', `must be 'auto' or an integer >= 1, got ${String(min)}`);
    this.minResource = min;
    this.reductionFactor = checkInteger('SuccessiveHalvingPruner.reductionFactor', options.reductionFactor ?? 4, 2);
    this.minEarlyStoppingRate = checkInteger('SuccessiveHalvingPruner.minEarlyStoppingRate', options.minEarlyStoppingRate ?? 0, 0);
    this.bootstrapCount = checkInteger('SuccessiveHalvingPruner.bootstrapCount', options.bootstrapCount ?? 0, 0);
    if (this.bootstrapCount > 0 && min === 'auto') throw new PrunerOptionError('SuccessiveHalvingPruner.bootstrapCount', `needs a numeric minResource (got 'auto'); set minResource to the first rung's step`);
  }

  /** The step of rung `rung` for a given first-rung resource: minResource * η^(s + rung). */
  rungStep(rung: number, minResource: number): number {
    return minResource * this.reductionFactor ** (this.minEarlyStoppingRate + rung);
  }

  /** The minResource in effect for a study: the number given, or the `'auto'` estimate (undefined before any trial completes). */
  resolveMinResource(study: StudyView): number | undefined {
    if (this.minResource !== 'auto') return this.minResource;
    const first = firstCompleted(study);
    return first ? Math.max(Math.floor(lastStep(first)! / 100), 1) : undefined;
  }

  shouldPrune(study: StudyView, trial: FrozenTrial): boolean {
    const step = lastStep(trial);
    if (step === undefined) return false;
    const minResource = this.resolveMinResource(study);
    if (minResource === undefined) return false;
    let previous = -1;
    for (const key in trial.intermediate) {
      const s = Number(key);
      if (s !== step && s > previous) previous = s;
    }
    const value = trial.intermediate[step]!;
    for (let rung = 0; ; rung++) {
      const at = this.rungStep(rung, minResource);
      if (at > step) return false;
      if (at <= previous) continue; // decided at an earlier report
      if (Number.isNaN(value)) return true;
      const competing = [value];
      for (const t of study.trials) {
        if (t.id === trial.id) continue;
        const v = rungValue(t, at);
        if (v !== undefined) competing.push(v);
      }
      if (competing.length <= this.bootstrapCount) return true;
      if (!promotable(value, competing, this.reductionFactor, study.direction)) return true;
    }
  }
}

/** A trial's value at the rung at step `at`: its value at its first reported step >= at (undefined when none, or NaN). */
function rungValue(trial: FrozenTrial, at: number): number | undefined {
  let first = Infinity;
  for (const key in trial.intermediate) {
    const s = Number(key);
    if (s >= at && s < first) first = s;
  }
  if (first === Infinity) return undefined;
  const v = trial.intermediate[first]!;
  return Number.isNaN(v) ? undefined : v;
}

/** Whether `value` is among the best max(1, floor(n / η)) of the n competing values (which include it). */
function promotable(value: number, competing: number[], eta: number, direction: Direction): boolean {
  const k = Math.max(Math.floor(competing.length / eta), 1);
  competing.sort(direction === 'minimize' ? (a, b) => a - b : (a, b) => b - a);
  const kth = competing[k - 1]!;
  return direction === 'minimize' ? value <= kth : value >= kth;
}
