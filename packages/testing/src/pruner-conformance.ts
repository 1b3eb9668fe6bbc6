import type { Direction, FrozenTrial, Pruner, PrunerContext, PrunerDescriptor, StudyView, TrialState } from '@anneal/search';
import { expect } from 'vitest';
import { deepFrozen } from './conformance-utils.js';
import { describeChecks, descriptorContractChecks, noNestedSpecs, optionLabel, parseOptions, type ConformanceCheck } from './descriptor-contract.js';

/** Inputs of {@link describePrunerConformance}. */
export interface PrunerConformanceCases {
  /** Option sets the schema must accept; every check runs on each. */
  readonly valid: readonly unknown[];
  /** Option sets the schema must reject. */
  readonly invalid: readonly unknown[];
  /** The context's `maxSteps` (default 9: the trials of the suite report steps 0..8). */
  readonly maxSteps?: number;
}

/** One question put to a pruner. */
export interface PrunerQuery {
  readonly label: string;
  readonly study: StudyView;
  readonly trial: FrozenTrial;
}

const STEPS = 9;

function trial(number: number, intermediate: Readonly<Record<number, number>>, state: TrialState): FrozenTrial {
  const values = Object.values(intermediate);
  const ended = state === 'complete' || state === 'pruned' || state === 'fail';
  return {
    id: `trial-${number}`,
    number,
    state,
    params: { x: number / 10 },
    distributions: { x: { kind: 'float', low: 0, high: 2 } },
    intermediate,
    ...(state === 'complete' || state === 'pruned' ? { value: values.at(-1) } : {}),
    ...(state === 'waiting' ? {} : { startedAt: 1000 + number, heartbeatAt: 1500 + number }),
    ...(ended ? { completedAt: 2000 + number } : {}),
    userAttrs: {},
    systemAttrs: {},
  };
}

/** A learning curve: `quality` scales it (1: average), decreasing over the steps, with a wiggle. */
const curve = (quality: number, steps: number, seed: number): Record<number, number> =>
  Object.fromEntries(Array.from({ length: steps }, (_, s) => [s, quality * (0.5 + 1 / (1 + s)) + 0.02 * Math.sin(seed * 3.1 + s)]));

/** Finished and unfinished trials of every state, with NaN reports and gaps. */
function history(direction: Direction): FrozenTrial[] {
  // a maximized objective is the negated curve, so "better" means the same trials in both directions
  const sign = direction === 'minimize' ? 1 : -1;
  const flip = (c: Record<number, number>) => Object.fromEntries(Object.entries(c).map(([s, v]) => [s, sign * v]));
  const trials = Array.from({ length: 10 }, (_, i) => trial(i, flip(curve(0.8 + 0.05 * i, STEPS, i)), 'complete'));
  trials.push(
    trial(10, flip(curve(1.6, 4, 10)), 'pruned'),
    trial(11, flip(curve(1.2, 2, 11)), 'fail'),
    trial(12, flip(curve(1, 5, 12)), 'running'),
    trial(13, {}, 'waiting'),
    trial(14, { ...flip(curve(0.9, STEPS, 14)), 0: NaN, 4: NaN }, 'complete'),
    trial(15, { 0: sign * 2, 3: sign * 1.1, 8: sign * 0.7 }, 'complete'),
  );
  return trials;
}

/**
 * Every question the suite asks: for both directions and for studies with 0, 1, 3 and all 16
 * finished or unfinished trials, running trials (several numbers) that are good, average or bad
 * at each step, reported with gaps, with NaN or Infinity, or not at all. Study, trials and
 * intermediate values are deeply frozen.
 */
export function prunerQueries(): PrunerQuery[] {
  const out: PrunerQuery[] = [];
  for (const direction of ['minimize', 'maximize'] as const) {
    const sign = direction === 'minimize' ? 1 : -1;
    const all = history(direction);
    for (const size of [0, 1, 3, all.length]) {
      const trials = all.slice(0, size);
      let number = 16;
      const ask = (label: string, intermediate: Record<number, number>) => {
        const t = trial(number++, intermediate, 'running');
        out.push(deepFrozen({ label: `${direction}, ${size} trials, ${label}`, study: { name: 'pruner-conformance', direction, trials: [...trials, t] }, trial: t }));
      };
      ask('no report yet', {});
      for (const [name, quality] of [['good', 0.7], ['average', 1], ['bad', 2]] as const) {
        for (let s = 0; s < STEPS; s++) ask(`${name} trial at step ${s}`, Object.fromEntries(Object.entries(curve(quality, s + 1, number)).map(([k, v]) => [k, sign * v])));
      }
      ask('reports with gaps', { 0: sign * 1.5, 3: sign * 1.2, 7: sign * 0.9 });
      ask('NaN at the latest step', { 0: sign * 1.5, 1: NaN });
      ask('only NaN reports', { 0: NaN, 1: NaN, 2: NaN });
      ask('an infinite report', { 0: sign * Infinity, 1: sign * 1 });
      ask('a report past the last step', { 0: sign * 1, [STEPS + 5]: sign * 0.5 });
    }
  }
  return out;
}

/** The checks {@link describePrunerConformance} runs. */
export function prunerConformanceChecks<O>(descriptor: PrunerDescriptor<O>, cases: PrunerConformanceCases): ConformanceCheck[] {
  const context: PrunerContext = { path: 'pruner', build: noNestedSpecs('pruner'), maxSteps: cases.maxSteps ?? STEPS };
  const create = (options: unknown): Pruner => descriptor.create(parseOptions(descriptor, options), context);
  const queries = prunerQueries();
  const decide = (pruner: Pruner, order: readonly PrunerQuery[] = queries): boolean[] => order.map((q) => pruner.shouldPrune(q.study, q.trial));

  const checks = descriptorContractChecks<Pruner>(descriptor, {
    kind: 'pruner',
    valid: cases.valid,
    invalid: cases.invalid,
    create: (options) => descriptor.create(options as O, context),
    independence: { use: (p) => decide(p), observe: (p) => decide(p) },
  });
  cases.valid.forEach((options, k) => {
    const label = optionLabel(options, k);
    checks.push(
      {
        title: `${label}: answers all ${queries.length} queries with a boolean, without throwing (NaN and infinite reports included)`,
        run() {
          const pruner = create(options);
          expect(typeof pruner.name === 'string' && pruner.name.length > 0, 'name').toBe(true);
          for (const q of queries) {
            let decision: unknown;
            try {
              decision = pruner.shouldPrune(q.study, q.trial);
            } catch (e) {
              throw new Error(`shouldPrune threw on '${q.label}' (a write to the frozen study or trial throws too): ${(e as Error).message}`, { cause: e });
            }
            expect(typeof decision, `'${q.label}'`).toBe('boolean');
          }
        },
      },
      {
        title: `${label}: never prunes a trial that has reported nothing`,
        run() {
          const pruner = create(options);
          for (const q of queries.filter((q) => Object.keys(q.trial.intermediate).length === 0)) expect(pruner.shouldPrune(q.study, q.trial), `'${q.label}'`).toBe(false);
        },
      },
      {
        title: `${label}: decisions are a pure function of (study, trial): asked again, and in reverse order, it agrees`,
        run() {
          const pruner = create(options);
          const first = decide(pruner);
          const reversed = decide(pruner, [...queries].reverse()).reverse();
          const again = decide(pruner);
          queries.forEach((q, i) => {
            expect(again[i], `'${q.label}' asked a second time`).toBe(first[i]);
            expect(reversed[i], `'${q.label}' asked after the other queries in reverse order`).toBe(first[i]);
          });
        },
      },
      {
        title: `${label}: a fresh instance agrees with one that has decided before (no hidden state)`,
        run() {
          const used = create(options);
          decide(used);
          const expected = decide(used);
          const fresh = decide(create(options));
          queries.forEach((q, i) => expect(fresh[i], `'${q.label}'`).toBe(expected[i]));
        },
      },
    );
  });
  return checks;
}

/**
 * Declares vitest blocks that check a pruner descriptor against the plugin contract and, for
 * every valid option set, against the Pruner contract: over a corpus of studies (both
 * directions, 0 to 16 trials of every state) and running trials (good, average, bad at every
 * step; gaps; NaN and infinite reports; no report), decisions are booleans given without
 * throwing, a trial without reports is never pruned, and a decision is a pure function of the
 * study view and the trial: repeated calls in any order and other instances agree. Views and
 * trials are frozen, so a pruner that writes to them fails.
 *
 * @example
 * ```ts
 * // my-pruner.spec.ts
 * import { describePrunerConformance } from '@anneal/testing';
 * describePrunerConformance(thresholdPruner, { valid: [{ threshold: 2 }], invalid: [{}] });
 * ```
 */
export function describePrunerConformance<O>(descriptor: PrunerDescriptor<O>, cases: PrunerConformanceCases): void {
  describeChecks(`pruner conformance: ${descriptor.id}`, prunerConformanceChecks(descriptor, cases));
}
