/**
 * PBT's decisions as pure functions of the scores and a seed: which members copy which
 * (truncation selection) and how the copied hyperparameters are perturbed or resampled.
 */
import { fromInternal } from '../distributions.js';
import type { Direction, Distribution, ParamValue } from '../types.js';
import { combineSeed } from '../samplers/seeding.js';
import { fromUnit } from '../samplers/unit-cube.js';
import { seededRandom } from '@anneal/data';

/** How the controller explores (see pbtOptions for the defaults). */
export interface ExploreSettings {
  /** Fraction of members replaced (bottom) and copied from (top). */
  readonly quantile: number;
  /** Multipliers a numeric hyperparameter is perturbed by, one picked at random. */
  readonly perturbFactors: readonly number[];
  /** Probability that a hyperparameter is redrawn from its distribution instead of perturbed. */
  readonly resampleProbability: number;
}

/** What happens to a member before the next generation. */
export interface MemberPlan {
  /** The member whose checkpoint it continues from (itself when not exploited). */
  readonly parent: number;
  readonly exploited: boolean;
  readonly hyperparameters: Readonly<Record<string, ParamValue>>;
}

/**
 * Truncation selection: with scores of generation `generation` (one per member), each member of
 * the bottom `quantile` copies a member of the top `quantile` picked at random (seeded by
 * seed, generation and member). Ties rank by member index. Returns the parent of each member.
 *
 * @example
 * truncationParents([0.1, 0.9, 0.5, 0.7], 'maximize', 0.25, 1, 0); // [1, 1, 2, 3]: member 0 copies member 1
 */
export function truncationParents(scores: readonly number[], direction: Direction, quantile: number, seed: number, generation: number): number[] {
  const n = scores.length;
  const sign = direction === 'minimize' ? 1 : -1;
  const key = (i: number) => (Number.isNaN(scores[i]!) ? Infinity : sign * scores[i]!);
  const order = scores.map((_, i) => i).sort((a, b) => key(a) - key(b) || a - b);
  const k = Math.min(Math.floor(n / 2), Math.max(n >= 2 ? 1 : 0, Math.floor(quantile * n)));
  const top = order.slice(0, k);
  const parents = scores.map((_, i) => i);
  for (const i of order.slice(n - k)) {
    const rand = seededRandom(combineSeed(seed, 'pbt/exploit', generation, i));
    parents[i] = top[Math.floor(rand() * top.length)]!;
  }
  return parents;
}

/**
 * Explore: each hyperparameter of `values` is redrawn from its distribution with probability
 * `resampleProbability`, else perturbed: numbers multiplied by one of `perturbFactors` (clamped
 * to the range, snapped to ints and steps), categoricals moved to a neighbouring choice.
 */
export function explore(values: Readonly<Record<string, ParamValue>>, space: Readonly<Record<string, Distribution>>, settings: ExploreSettings, rand: () => number): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const name of Object.keys(space).sort()) {
    const d = space[name]!;
    const v = values[name];
    if (v === undefined || rand() < settings.resampleProbability) {
      out[name] = fromUnit(d, rand());
      continue;
    }
    if (d.kind === 'categorical') {
      const i = d.choices.indexOf(v);
      const j = Math.min(d.choices.length - 1, Math.max(0, i + (rand() < 0.5 ? -1 : 1)));
      out[name] = d.choices[j]!;
      continue;
    }
    const factor = settings.perturbFactors[Math.floor(rand() * settings.perturbFactors.length)]!;
    out[name] = fromInternal(d, (v as number) * factor);
  }
  return out;
}

/** The plans of every member for the generation after `generation`, from its scores. */
export function planNextGeneration(
  scores: readonly number[],
  current: readonly Readonly<Record<string, ParamValue>>[],
  space: Readonly<Record<string, Distribution>>,
  direction: Direction,
  settings: ExploreSettings,
  seed: number,
  generation: number,
): MemberPlan[] {
  const parents = truncationParents(scores, direction, settings.quantile, seed, generation);
  return parents.map((parent, i) =>
    parent === i
      ? { parent, exploited: false, hyperparameters: current[i]! }
      : { parent, exploited: true, hyperparameters: explore(current[parent]!, space, settings, seededRandom(combineSeed(seed, 'pbt/explore', generation, i))) },
  );
}
