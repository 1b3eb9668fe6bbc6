import { join } from 'node:path';
import type { AnnealEvent, Callback, CallbackContext, CallbackDescriptor, RunInfo } from '@anneal/core';
import { expect } from 'vitest';
import { boringModel } from './boring-model.js';
import { runBoring, type BoringRunOutcome } from './boring-run.js';
import { comparable, expectPlainJson, expectTensors, withTempDirs } from './conformance-utils.js';
import { describeChecks, descriptorContractChecks, noNestedSpecs, optionLabel, parseOptions, type ConformanceCheck } from './descriptor-contract.js';
import { memoryCheckpoints } from './memory-checkpoints.js';

/** Inputs of {@link describeCallbackConformance}. */
export interface CallbackConformanceCases {
  /** Option sets the schema must accept; every check runs on each. */
  readonly valid: readonly unknown[];
  /** Option sets the schema must reject. */
  readonly invalid: readonly unknown[];
  /**
   * The boring run the callback lives in: `epochs` (default 4, at least 3), per-tensor norms
   * every `normsEvery` steps (default 0: none) and the base lr per step (default a slow decay).
   * Every run has 6 batches per epoch in groups of 2, validation, accuracy and checkpoints.
   */
  readonly run?: { readonly epochs?: number; readonly normsEvery?: number; readonly lr?: (step: number) => number };
}

const KILLED = 'killed by the callback conformance suite';

/** Where the interrupted run is killed: in `onBatchEnd` of a batch, or in `onEpochStart` of an epoch. */
type KillPoint = { readonly epoch: number; readonly batch?: number };

function killer(at: KillPoint): Callback {
  const kill = () => {
    throw new Error(KILLED);
  };
  return {
    key: 'conformance-killer',
    onEpochStart: (e) => (at.batch === undefined && e.epoch === at.epoch ? kill() : undefined),
    onBatchEnd: (e) => (at.batch !== undefined && e.epoch === at.epoch && e.batch === at.batch ? kill() : undefined),
  };
}

/** The events after `index`, minus the warnings a resumed run emits right after its `run:start`. */
function after(events: readonly AnnealEvent[], index: number, skipStartWarnings: boolean): AnnealEvent[] {
  let i = index + 1;
  if (skipStartWarnings) while (events[i]?.type === 'warning') i++;
  return events.slice(i);
}

function firstDifference(a: readonly unknown[], b: readonly unknown[]): string {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (JSON.stringify(a[i]) !== JSON.stringify(b[i])) return `event ${i} after the checkpoint: uninterrupted ${JSON.stringify(a[i])}, resumed ${JSON.stringify(b[i])}`;
  }
  return 'none';
}

/**
 * The checks {@link describeCallbackConformance} runs, for suites that run them their own way.
 * Each runs the callback in real Trainer runs of the boring model (see `boringModel`).
 */
export function callbackConformanceChecks<O>(descriptor: CallbackDescriptor<O>, cases: CallbackConformanceCases): ConformanceCheck[] {
  const epochs = cases.run?.epochs ?? 4;
  if (!(Number.isInteger(epochs) && epochs >= 3)) throw new Error(`callback conformance: run.epochs must be an integer >= 3 (a run is killed in epochs 1 and 2), got ${epochs}`);
  const model = boringModel();
  const runInfo = (dir: string): RunInfo => ({ name: 'callback-conformance', seed: 0, epochs, batchesPerEpoch: model.train.batchesPerEpoch, classes: model.classes, validation: true, dir });
  const context = (dir: string): CallbackContext => ({ path: 'callbacks[0]', build: noNestedSpecs('callback'), run: runInfo(dir) });
  const create = (options: unknown, dir: string): Callback => descriptor.create(parseOptions(descriptor, options), context(dir));
  const run = (callbacks: Callback[], dir: string, extra: { io?: ReturnType<typeof memoryCheckpoints>; resume?: string } = {}): Promise<BoringRunOutcome> =>
    runBoring(model, { epochs, normsEvery: cases.run?.normsEvery, lr: cases.run?.lr, callbacks, checkpoint: { dir, io: extra.io ?? memoryCheckpoints() }, resume: extra.resume });

  /** Uninterrupted vs killed at `at` and resumed in a fresh Trainer with a fresh callback. */
  const resumeCheck = (options: unknown, at: KillPoint) =>
    withTempDirs('callback', async (temp) => {
      const [dirA, dirB] = [temp(), temp()];
      const a = create(options, dirA);
      const full = await run([a], dirA);
      if (full.error) throw full.error;
      const io = memoryCheckpoints();
      const b = create(options, dirB);
      const killed = await run([b, killer(at)], dirB, { io });
      if (!(killed.error instanceof Error && killed.error.message === KILLED)) {
        throw new Error(`the run to interrupt was not killed at ${JSON.stringify(at)} (${killed.error ? `it failed: ${String(killed.error)}` : `it ended after ${killed.result?.epochs} epochs`}); the callback must let a ${epochs}-epoch run reach epoch ${at.epoch}, or give run.epochs`);
      }
      const saved = killed.events.filter((e) => e.type === 'checkpoint:saved').at(-1);
      if (!saved || saved.type !== 'checkpoint:saved') throw new Error('the interrupted run wrote no checkpoint before it was killed');
      const c = create(options, dirB);
      const resumed = await run([c], dirB, { io, resume: join(dirB, 'last.safetensors') });
      if (resumed.error) throw resumed.error;
      const dirs = [dirA, dirB];

      const where = full.events.findIndex((e) => e.type === 'checkpoint:saved' && e.epoch === saved.epoch && e.step === saved.step && e.reason === saved.reason);
      expect(where, `the uninterrupted run wrote no checkpoint at epoch ${saved.epoch}, step ${saved.step} (${saved.reason}) as the interrupted one did`).toBeGreaterThanOrEqual(0);
      const expectedEvents = comparable(after(full.events, where, false), dirs) as unknown[];
      const resumedEvents = comparable(after(resumed.events, 0, true), dirs) as unknown[];
      expect(resumedEvents, `the resumed run's events differ from the uninterrupted run's after the checkpoint; first difference: ${firstDifference(expectedEvents, resumedEvents)}`).toEqual(expectedEvents);
      expect(comparable(resumed.result, dirs), 'fit results (epochs, steps, stop, history)').toEqual(comparable(full.result, dirs));

      const [stateA, stateC] = [a.state?.(), c.state?.()];
      expectPlainJson(stateC, 'state() of the resumed callback');
      expect(comparable(stateC, dirs), "the resumed callback's final state() differs from the uninterrupted one's").toEqual(comparable(stateA, dirs));
      expect(comparable(c.tensors?.() ?? {}, dirs), "the resumed callback's final tensors() differ from the uninterrupted one's").toEqual(comparable(a.tensors?.() ?? {}, dirs));
    });

  const checks = descriptorContractChecks<Callback>(descriptor, {
    kind: 'callback',
    valid: cases.valid,
    invalid: cases.invalid,
    create: (options) => descriptor.create(options as O, context('/nonexistent/callback-conformance')),
    independence: {
      use: (cb) => withTempDirs('callback', async (temp) => void (await run([cb], temp()))),
      observe: (cb) => comparable({ state: cb.state?.() ?? null, tensors: cb.tensors?.() ?? {} }, []),
    },
  });
  cases.valid.forEach((options, k) => {
    const label = optionLabel(options, k);
    checks.push(
      {
        title: `${label}: state() is plain JSON and tensors() are well-formed, before and after a run`,
        run: () =>
          withTempDirs('callback', async (temp) => {
            const dir = temp();
            const cb = create(options, dir);
            expect(typeof cb.key === 'string' && cb.key.length > 0, 'key must be a non-empty string (it names the state in checkpoints)').toBe(true);
            const saves = typeof cb.state === 'function' || typeof cb.tensors === 'function';
            expect(typeof cb.restore === 'function', saves ? 'state()/tensors() without restore(): a resumed run never gets its state back' : 'restore() without state() or tensors(): there is nothing to restore').toBe(saves);
            expectPlainJson(cb.state?.(), 'state() before the run');
            expectTensors(cb.tensors?.() ?? {}, 'tensors() before the run');
            const outcome = await run([cb], dir);
            if (outcome.error) throw outcome.error;
            expectPlainJson(cb.state?.(), 'state() after the run');
            expectTensors(cb.tensors?.() ?? {}, 'tensors() after the run');
          }),
      },
      {
        title: `${label}: killed mid-epoch and resumed from the checkpoint with a fresh callback, it ends as an uninterrupted run (state, tensors, events, result)`,
        run: () => resumeCheck(options, { epoch: 2, batch: 5 }),
      },
      {
        title: `${label}: killed at an epoch start and resumed from the epoch-end checkpoint with a fresh callback, it ends as an uninterrupted run`,
        run: () => resumeCheck(options, { epoch: 3 }),
      },
    );
  });
  return checks;
}

/**
 * Declares vitest blocks that check a callback descriptor against the plugin contract (kind,
 * kebab-case id, description, schema, independent instances) and, for every valid option set,
 * against the checkpoint contract in real Trainer runs of the boring model: `state()` is plain
 * JSON and `tensors()` are well-formed; a run killed mid-epoch, and one killed at an epoch
 * start, resumed from its last checkpoint in a fresh Trainer with a freshly created callback,
 * ends exactly as the uninterrupted run: the callback's final `state()` and `tensors()`, the
 * events after the checkpoint (its stops, warnings, saves, and the training itself) and the fit
 * result are equal.
 *
 * @example
 * ```ts
 * // my-callback.spec.ts
 * import { describeCallbackConformance } from '@anneal/testing';
 * describeCallbackConformance(lossSpikeAlarm, { valid: [{}, { factor: 3 }], invalid: [{ factor: -1 }], run: { normsEvery: 2 } });
 * ```
 */
export function describeCallbackConformance<O>(descriptor: CallbackDescriptor<O>, cases: CallbackConformanceCases): void {
  describeChecks(`callback conformance: ${descriptor.id}`, callbackConformanceChecks(descriptor, cases));
}
