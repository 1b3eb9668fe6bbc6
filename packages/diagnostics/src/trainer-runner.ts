import { DivergedError, monitorValue, ofType, type EventOf, type Trainer } from '@anneal/core';
import { CurveRecorder } from './record-curves.js';
import type { FitOutcome, FitRequest, FitRunner } from './target.js';

/** A Trainer built for one {@link FitRequest}, with how to score it on test data and clean up. */
export interface BuiltRun {
  readonly trainer: Trainer;
  readonly classes?: number;
  /** Scores the final weights on held-out test data. */
  test?(): Promise<{ loss: number; accuracy?: number; count: number }>;
  release(): Promise<void>;
}

/**
 * A {@link FitRunner} over the Trainer: `build` makes a Trainer for the request (its lr, weight
 * decay, epochs, lr schedule, capacity, norms and extra callbacks); the runner records the curves,
 * trains, reads the monitored metric at the last epoch and scores the test data. A diverged run
 * returns NaN with its divergence in the curves instead of throwing.
 *
 * @example
 * const runner = trainerRunner(async (req) => ({ trainer: new Trainer({ ... }), release: () => session.release() }));
 * const outcome = await runner({ label: 'a', lr: 1e-3, weightDecay: 0, epochs: 5, lrSchedule: 'constant', monitor: 'val.accuracy' });
 */
export function trainerRunner(build: (request: FitRequest) => Promise<BuiltRun>): FitRunner {
  return async (request) => {
    const started = performance.now();
    const built = await build(request);
    const recorder = new CurveRecorder(built.trainer.events$, { plannedEpochs: request.epochs, classes: built.classes });
    let last: EventOf<'epoch:end'> | undefined;
    const sub = built.trainer.events$.pipe(ofType('epoch:end')).subscribe((e) => (last = e));
    try {
      let stopped = false;
      let reason: string | undefined;
      try {
        const result = await built.trainer.fit();
        stopped = result.stopped;
        reason = result.reason;
      } catch (e) {
        if (!(e instanceof DivergedError)) throw e;
        stopped = true;
        reason = 'diverged';
      }
      const curves = recorder.curves();
      const diverged = reason === 'diverged';
      const value = !diverged && last ? (monitorValue(last, request.monitor) ?? NaN) : NaN;
      const test = diverged ? undefined : await built.test?.();
      const outcome: FitOutcome = { curves: { ...curves, finished: true }, value, stopped, reason, test, seconds: (performance.now() - started) / 1000 };
      return outcome;
    } finally {
      sub.unsubscribe();
      recorder.stop();
      await built.release();
    }
  };
}
