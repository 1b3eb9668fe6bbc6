import type { FrozenTrial, Pruner, StudyView } from '../types.js';
import { bestIntermediate, checkInteger, lastStep, percentileOf, PrunerOptionError } from './pruner-utils.js';

/** Options shared by {@link PercentilePruner} and `MedianPruner`. */
export interface PercentilePrunerOptions {
  /** No pruning until this many trials of the study are complete (default 5). */
  nStartupTrials?: number;
  /** No pruning while the trial's latest step is below this (default 0; steps start at 0). */
  nWarmupSteps?: number;
  /**
   * Check every `intervalSteps` steps counted from `nWarmupSteps` (default 1). A check whose
   * step was not reported happens at the next reported step instead.
   */
  intervalSteps?: number;
  /** No pruning at a step where fewer complete trials than this reported a value (default 1). */
  nMinTrials?: number;
  /**
   * What is taken from each complete trial at the step: its value reported at exactly that step
   * (`'at-step'`, the default, as Optuna does) or its best value up to that step (`'best-so-far'`,
   * the same statistic as the trial's own, less sensitive to noisy curves).
   */
  othersValue?: 'at-step' | 'best-so-far';
}

/**
 * Prunes a trial whose best intermediate value so far is worse than a percentile of the complete
 * trials' values at its latest step.
 *
 * The rule, at the trial's latest reported step `s`:
 * - no decision (keep running) until `nStartupTrials` trials are complete, while `s < nWarmupSteps`,
 *   at steps that are not the first report in their `intervalSteps` window, or when fewer than
 *   `nMinTrials` complete trials reported step `s`;
 * - the trial's statistic is its best value over all its reports (min when minimizing, max when
 *   maximizing; NaN reports ignored; a trial with only NaN reports is pruned);
 * - the threshold is the `percentile`-th percentile (linear interpolation) of the complete
 *   trials' values at step `s` when minimizing, the (100 - percentile)-th when maximizing, so
 *   `percentile` is always the share of the best trials that is kept (25: keep the top quarter);
 * - prune when the statistic is strictly worse than the threshold.
 *
 * Stateless: every decision is a function of the StudyView and the trial.
 *
 * @example
 * const pruner = new PercentilePruner(25, { nStartupTrials: 5, nWarmupSteps: 3 });
 * if (pruner.shouldPrune(view, trial)) throw new TrialPruned(step);
 */
export class PercentilePruner implements Pruner {
  readonly name: string = 'percentile';
  readonly nStartupTrials: number;
  readonly nWarmupSteps: number;
  readonly intervalSteps: number;
  readonly nMinTrials: number;
  readonly othersValue: 'at-step' | 'best-so-far';

  constructor(
    readonly percentile: number,
    options: PercentilePrunerOptions = {},
  ) {
    const where = new.target.name; // 'MedianPruner' for the subclass, in error messages
    if (!(percentile >= 0 && percentile <= 100)) throw new PrunerOptionError(`${where}.percentile`, `must be in [0, 100], got ${percentile}`);
    this.nStartupTrials = checkInteger(`${where}.nStartupTrials`, options.nStartupTrials ?? 5, 0);
    this.nWarmupSteps = checkInteger(`${where}.nWarmupSteps`, options.nWarmupSteps ?? 0, 0);
    this.intervalSteps = checkInteger(`${where}.intervalSteps`, options.intervalSteps ?? 1, 1);
    this.nMinTrials = checkInteger(`${where}.nMinTrials`, options.nMinTrials ?? 1, 1);
    this.othersValue = options.othersValue ?? 'at-step';
    if (this.othersValue !== 'at-step' && this.othersValue !== 'best-so-far') throw new PrunerOptionError(`${where}.othersValue`, `must be 'at-step' or 'best-so-far', got '${String(this.othersValue)}'`);
  }

  shouldPrune(study: StudyView, trial: FrozenTrial): boolean {
    const complete = study.trials.filter((t) => t.state === 'complete' && t.id !== trial.id);
    if (complete.length === 0 || complete.length < this.nStartupTrials) return false;
    const step = lastStep(trial);
    if (step === undefined || step < this.nWarmupSteps) return false;
    if (!this.isCheckStep(trial, step)) return false;
    const best = bestIntermediate(trial, study.direction);
    if (Number.isNaN(best)) return true;
    const values: number[] = [];
    for (const t of complete) {
      if (!(step in t.intermediate)) continue;
      values.push(this.othersValue === 'at-step' ? t.intermediate[step]! : bestIntermediate(t, study.direction, step));
    }
    if (values.length < this.nMinTrials) return false;
    const threshold = percentileOf(values, study.direction === 'minimize' ? this.percentile : 100 - this.percentile);
    if (Number.isNaN(threshold)) return false;
    return study.direction === 'minimize' ? best > threshold : best < threshold;
  }

  /** True when `step` is the trial's first report at or after the latest check point (warmup + k * interval). */
  private isCheckStep(trial: FrozenTrial, step: number): boolean {
    const checkPoint = Math.floor((step - this.nWarmupSteps) / this.intervalSteps) * this.intervalSteps + this.nWarmupSteps;
    let previous = -1;
    for (const key in trial.intermediate) {
      const s = Number(key);
      if (s !== step && s > previous) previous = s;
    }
    return previous < checkPoint;
  }
}
