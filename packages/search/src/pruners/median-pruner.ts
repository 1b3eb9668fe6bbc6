import { PercentilePruner, type PercentilePrunerOptions } from './percentile-pruner.js';

/**
 * The median stopping rule: prunes a trial whose best intermediate value so far is worse than
 * the median of the complete trials' values at its latest step. Exactly
 * `PercentilePruner(50, options)`; see {@link PercentilePruner} for the full rule (startup
 * trials, warmup, check interval, minimum number of trials, direction).
 *
 * @example
 * const pruner = new MedianPruner({ nStartupTrials: 5, nWarmupSteps: 2 });
 * await trial.report(valLoss, epoch);
 * if (pruner.shouldPrune(view, frozen)) throw new TrialPruned(epoch);
 */
export class MedianPruner extends PercentilePruner {
  override readonly name: string = 'median';

  constructor(options: PercentilePrunerOptions = {}) {
    super(50, options);
  }
}
