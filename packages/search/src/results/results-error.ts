import { SearchError } from '../errors.js';

/**
 * A study's trials cannot be summarized as asked: too few complete trials for an importance
 * analysis or a chart, or a parameter stored with incompatible distributions in different trials.
 *
 * @example
 * ```ts
 * try { parameterImportance(trials); }
 * catch (e) { if (e instanceof StudyResultsError) console.error(e.message); }
 * ```
 */
export class StudyResultsError extends SearchError {
  constructor(
    /** What was being computed: 'parameter importance', 'optimization history chart', ... */
    readonly what: string,
    detail: string,
  ) {
    super('RESULTS', `${what}: ${detail}`);
  }
}

/** Complete trials with a finite objective value, in number order. */
export function completeTrials<T extends { readonly state: string; readonly value?: number; readonly number: number }>(trials: readonly T[]): T[] {
  return trials.filter((t) => t.state === 'complete' && typeof t.value === 'number' && Number.isFinite(t.value)).sort((a, b) => a.number - b.number);
}

/** "12 trials (9 complete, 2 pruned, 1 fail)". */
export function describeTrialCounts(trials: readonly { readonly state: string }[]): string {
  const counts = new Map<string, number>();
  for (const t of trials) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
  const parts = [...counts].map(([state, n]) => `${n} ${state}`);
  return `${trials.length} trial${trials.length === 1 ? '' : 's'}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}
