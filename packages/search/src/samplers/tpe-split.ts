/**
 * How TPE reads a study's history: which trials count, how many are "good" (gamma), how they are
 * ranked, and how much each one weighs.
 */
import type { FrozenTrial, StudyView } from '../types.js';
import { splitMultiObjective } from './tpe-split-multi.js';

/** Optuna's default: the best 10% of the trials, at most 25. */
export function defaultGamma(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

/** Weights of n observations in trial-number order: the newest 25 weigh 1, older ones ramp down linearly from 1 to 1/n. */
export function defaultWeights(n: number): Float64Array {
  const w = new Float64Array(n).fill(1);
  const ramp = n - 25;
  if (ramp > 0) {
    // linspace(1/n, 1, ramp) over the oldest trials
    for (let i = 0; i < ramp; i++) w[i] = ramp === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (ramp - 1);
  }
  return w;
}

/** The trials TPE models, split into the good group (`below`) and the rest (`above`), each in number order. */
export interface TpeSplit {
  readonly below: readonly FrozenTrial[];
  readonly above: readonly FrozenTrial[];
  /** Complete and pruned trials other than the one being sampled (startup counts these). */
  readonly finished: number;
}

function lastStep(t: FrozenTrial): { step: number; value: number } | undefined {
  let step = -Infinity;
  for (const key of Object.keys(t.intermediate)) {
    const s = Number(key);
    if (s > step) step = s;
  }
  return step === -Infinity ? undefined : { step, value: t.intermediate[step]! };
}

/**
 * Splits the history for `trial`. Complete trials rank by value (NaN worst); pruned trials rank
 * after all complete ones, those that got further first and then by their value at their last
 * step (Optuna's rule); failed and waiting trials are ignored. The best `gamma(n)` trials are
 * `below`. With `constantLiar`, other running trials count in n and go to `above` (as if bad), so
 * parallel workers avoid sampling next to each other. Multi-objective studies split by Pareto
 * rank and hypervolume instead (see splitMultiObjective).
 */
export function splitTrials(study: StudyView, trial: FrozenTrial, gamma: (n: number) => number, constantLiar: boolean): TpeSplit {
  if (study.directions && study.directions.length > 1) return splitMultiObjective(study, trial, gamma, constantLiar);
  const sign = study.direction === 'minimize' ? 1 : -1;
  const complete: FrozenTrial[] = [];
  const completeKeys: number[] = [];
  const pruned: { t: FrozenTrial; step: number; key: number }[] = [];
  let running = 0;
  for (const t of study.trials) {
    if (t.id === trial.id) continue;
    if (t.state === 'complete') {
      const v = t.value;
      complete.push(t);
      completeKeys.push(v === undefined || Number.isNaN(v) ? Infinity : sign * v);
    } else if (t.state === 'pruned') {
      const last = lastStep(t);
      const key = last === undefined || Number.isNaN(last.value) ? Infinity : sign * last.value;
      pruned.push({ t, step: last?.step ?? -Infinity, key });
    } else if (t.state === 'running' && constantLiar) running++;
  }
  const finished = complete.length + pruned.length;
  const g = gamma(finished + running);
  const nBelow = Math.min(finished, Math.max(0, Number.isFinite(g) ? Math.floor(g) : 0));
  // the best nBelow complete trials by (key, number), selected without sorting them all
  const best: number[] = [];
  const worse = (i: number, j: number): boolean => completeKeys[i]! > completeKeys[j]! || (!(completeKeys[i]! < completeKeys[j]!) && complete[i]!.number > complete[j]!.number);
  const take = Math.min(nBelow, complete.length);
  for (let i = 0; i < complete.length && take > 0; i++) {
    if (best.length === take && !worse(best[take - 1]!, i)) continue;
    let k = best.length === take ? take - 1 : best.length;
    while (k > 0 && worse(best[k - 1]!, i)) {
      best[k] = best[k - 1]!;
      k--;
    }
    best[k] = i;
  }
  const below = new Set<FrozenTrial>(best.map((i) => complete[i]!));
  if (nBelow > complete.length) {
    pruned.sort((a, b) => b.step - a.step || a.key - b.key || a.t.number - b.t.number);
    for (const e of pruned.slice(0, nBelow - complete.length)) below.add(e.t);
  }
  const belowList: FrozenTrial[] = [];
  const above: FrozenTrial[] = [];
  for (const t of study.trials) {
    if (t.id === trial.id) continue;
    if (below.has(t)) belowList.push(t);
    else if (t.state === 'complete' || t.state === 'pruned' || (t.state === 'running' && constantLiar)) above.push(t);
  }
  return { below: belowList, above, finished };
}
