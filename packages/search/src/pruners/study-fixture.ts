/**
 * Hand-made studies for the pruner specs (not exported from the package): frozen trials from
 * curves, and a sequential simulation that runs trials one after another under a pruner.
 */
import type { Direction, FrozenTrial, Pruner, StudyView, TrialState } from '../types.js';

/** A trial with intermediate values `curve[step]` (an array: steps 0..n-1; a record: those steps). */
export function trialOf(number: number, curve: readonly number[] | Readonly<Record<number, number>>, state: TrialState = 'complete'): FrozenTrial {
  const intermediate: Record<number, number> = Array.isArray(curve) ? Object.fromEntries(curve.map((v, s) => [s, v])) : { ...curve };
  const values = Object.values(intermediate);
  return {
    id: `t${number}`,
    number,
    state,
    params: {},
    distributions: {},
    intermediate,
    value: state === 'complete' ? values.at(-1) : undefined,
    completedAt: state === 'complete' || state === 'pruned' ? 1000 + number : undefined,
    userAttrs: {},
    systemAttrs: {},
  };
}

/** A StudyView of the trials (numbered by position unless they carry their own numbers). */
export function studyOf(trials: readonly FrozenTrial[], direction: Direction = 'minimize', name = 'study'): StudyView {
  return { name, direction, trials };
}

/** The outcome of {@link simulate}. */
export interface Simulation {
  readonly trials: FrozenTrial[];
  /** Per trial: the step at which it was pruned, or undefined when it ran its whole curve. */
  readonly prunedAt: (number | undefined)[];
  /** Steps run over all trials (a pruned trial ran its steps 0..prunedAt). */
  readonly totalSteps: number;
}

/**
 * Runs the curves as trials one after another: trial i reports curves[i][0], [1], ... and asks
 * the pruner after each report; it ends `pruned` when told to, `complete` after its last step.
 */
export function simulate(pruner: Pruner, curves: readonly (readonly number[])[], direction: Direction = 'minimize', name = 'study'): Simulation {
  const trials: FrozenTrial[] = [];
  const prunedAt: (number | undefined)[] = [];
  let totalSteps = 0;
  curves.forEach((curve, number) => {
    const reported: number[] = [];
    let stoppedAt: number | undefined;
    for (let step = 0; step < curve.length; step++) {
      reported.push(curve[step]!);
      totalSteps++;
      const running = trialOf(number, reported, 'running');
      if (pruner.shouldPrune(studyOf([...trials, running], direction, name), running)) {
        stoppedAt = step;
        break;
      }
    }
    trials.push(trialOf(number, reported, stoppedAt === undefined ? 'complete' : 'pruned'));
    prunedAt.push(stoppedAt);
  });
  return { trials, prunedAt, totalSteps };
}
