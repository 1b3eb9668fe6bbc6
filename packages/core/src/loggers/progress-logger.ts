import { throttleTime, type Observable, type Subscription } from 'rxjs';
import { ofType, type AnnealEvent } from '../events.js';
import type { Logger } from '../logger.js';
import { epochSummary } from './epoch-summary.js';
import { progressBar, type ProgressBar, type RunIo } from '../run-io.js';

/**
 * Progress on `io`: a bar per epoch (batches done, loss, lr; redrawn at most every
 * `throttleMs`), the epoch's summary line on `io.err` at its end, and warnings as they come.
 * Without bars (no terminal) only the lines are printed.
 *
 * @example
 * progressLogger({ out: console.log, err: console.error }).attach(trainer.events$);
 */
export function progressLogger(io: RunIo, options: { throttleMs?: number } = {}): Logger {
  let bar: ProgressBar | undefined;
  let barEpoch = -1;
  let total = 0;
  let epochs = 0;
  const open = (epoch: number, done: number) => {
    bar?.stop();
    bar = progressBar(io, `epoch ${epoch}/${epochs}`, total, done);
    barEpoch = epoch;
  };
  return {
    attach(events$: Observable<AnnealEvent>): Subscription {
      const subscription = events$.pipe(ofType('run:start')).subscribe((e) => {
        total = e.batchesPerEpoch;
        epochs = e.epochs;
        if (e.startBatch > 0) open(e.startEpoch, e.startBatch);
      });
      subscription.add(events$.pipe(ofType('epoch:start')).subscribe((e) => open(e.epoch, 0)));
      subscription.add(
        events$
          .pipe(ofType('batch:end'), throttleTime(options.throttleMs ?? 100, undefined, { leading: true, trailing: true }))
          // a trailing (late) update of the previous epoch never moves the next epoch's bar
          .subscribe((e) => e.epoch === barEpoch && bar?.update(e.batch + 1, { loss: e.loss.toFixed(4), lr: e.lr.toExponential(2) })),
      );
      subscription.add(
        events$.pipe(ofType('epoch:end')).subscribe((e) => {
          bar?.stop();
          bar = undefined;
          io.err(epochSummary(e, epochs));
        }),
      );
      subscription.add(events$.pipe(ofType('warning')).subscribe((e) => io.err(`warning: ${e.message}`)));
      subscription.add(() => bar?.stop());
      return subscription;
    },
  };
}
