import type { FrozenTrial, Pruner, StudyView } from '../types.js';

/**
 * A pruner that never prunes: every trial runs to the end (the default of a study).
 *
 * @example
 * const pruner = new NopPruner();
 * pruner.shouldPrune(view, trial); // false
 */
export class NopPruner implements Pruner {
  readonly name = 'nop';

  shouldPrune(_study: StudyView, _trial: FrozenTrial): boolean {
    return false;
  }
}
