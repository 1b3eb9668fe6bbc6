/**
 * TPE's split for multi-objective studies (MOTPE, Ozaki et al. 2020): the good group is filled
 * with whole Pareto fronts (non-dominated sorting) while they fit; from the front that does not
 * fit, the members are chosen greedily by the hypervolume they add (hypervolume subset
 * selection), the reference point being 10% beyond the worst value of each objective.
 */
import { nonDominatedRanks, objectiveValues, toMinimized } from '../multi-objective/dominance.js';
import { hypervolume } from '../multi-objective/hypervolume.js';
import type { Direction, FrozenTrial, StudyView } from '../types.js';
import type { TpeSplit } from './tpe-split.js';

/** Greedy hypervolume subset selection: `k` indices of `points` maximizing the hypervolume step by step. */
export function greedyHypervolumeSubset(points: readonly (readonly number[])[], k: number, reference: readonly number[]): number[] {
  const chosen: number[] = [];
  const left = new Set(points.map((_, i) => i));
  while (chosen.length < k && left.size) {
    let best = -1;
    let bestVolume = -Infinity;
    for (const i of left) {
      const v = hypervolume([...chosen, i].map((j) => points[j]!), reference);
      if (v > bestVolume) {
        bestVolume = v;
        best = i;
      }
    }
    chosen.push(best);
    left.delete(best);
  }
  return chosen;
}

/** The multi-objective counterpart of splitTrials (complete trials only; pruned trials have no values to rank). */
export function splitMultiObjective(study: StudyView, trial: FrozenTrial, gamma: (n: number) => number, constantLiar: boolean): TpeSplit {
  const directions: readonly Direction[] = study.directions!;
  const complete: FrozenTrial[] = [];
  let running = 0;
  for (const t of study.trials) {
    if (t.id === trial.id) continue;
    if (t.state === 'complete' && objectiveValues(t)?.length === directions.length && objectiveValues(t)!.every(Number.isFinite)) complete.push(t);
    else if (t.state === 'running' && constantLiar) running++;
  }
  const g = gamma(complete.length + running);
  const nBelow = Math.min(complete.length, Math.max(0, Number.isFinite(g) ? Math.floor(g) : 0));
  const points = complete.map((t) => toMinimized(objectiveValues(t)!, directions));
  const ranks = nonDominatedRanks(points);
  const below = new Set<FrozenTrial>();
  for (let rank = 0; below.size < nBelow; rank++) {
    const front = complete.map((_, i) => i).filter((i) => ranks[i] === rank);
    if (front.length <= nBelow - below.size) {
      for (const i of front) below.add(complete[i]!);
      continue;
    }
    const frontPoints = front.map((i) => points[i]!);
    const reference = directions.map((_, k) => {
      const worst = Math.max(...frontPoints.map((p) => p[k]!));
      const best = Math.min(...frontPoints.map((p) => p[k]!));
      return worst + 0.1 * Math.max(worst - best, Math.abs(worst), 1e-12);
    });
    for (const j of greedyHypervolumeSubset(frontPoints, nBelow - below.size, reference)) below.add(complete[front[j]!]!);
  }
  const belowList: FrozenTrial[] = [];
  const above: FrozenTrial[] = [];
  for (const t of study.trials) {
    if (t.id === trial.id) continue;
    if (below.has(t)) belowList.push(t);
    else if ((t.state === 'complete' && complete.includes(t)) || (t.state === 'running' && constantLiar)) above.push(t);
  }
  return { below: belowList, above, finished: complete.length };
}
