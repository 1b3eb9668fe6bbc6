import { isSingle, sameDistribution } from '../distributions.js';
import type { Distribution, FrozenTrial } from '../types.js';

/**
 * The parameters every complete trial has, with the same distribution in all of them
 * (single-valued distributions left out: there is nothing to sample). Empty without complete
 * trials. Names come back sorted.
 */
export function intersectionSpace(trials: readonly FrozenTrial[]): Record<string, Distribution> {
  let space: Map<string, Distribution> | undefined;
  for (const t of trials) {
    if (t.state !== 'complete') continue;
    if (!space) {
      space = new Map(Object.entries(t.distributions).filter(([, d]) => !isSingle(d)));
      continue;
    }
    for (const [name, d] of space) {
      const other = t.distributions[name];
      if (!other || !sameDistribution(d, other)) space.delete(name);
    }
    if (!space.size) break;
  }
  if (!space) return {};
  return Object.fromEntries([...space].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The space of the first complete trial (lowest number), single-valued distributions left out. */
export function firstCompleteSpace(trials: readonly FrozenTrial[]): Record<string, Distribution> {
  const first = trials.find((t) => t.state === 'complete');
  if (!first) return {};
  const entries = Object.entries(first.distributions).filter(([, d]) => !isSingle(d));
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
