import type { Observable, Subscription } from 'rxjs';
import type { AnnealEvent } from './events.js';

/**
 * Something that receives a run's events: metrics.jsonl, charts, progress bars, CSV and
 * TensorBoard files, a dashboard, anything a third party adds. A logger subscribes to
 * `events$` with RxJS operators (filter by type with `ofType`, buffer, throttle) and never
 * changes the run: decisions (stop, save, prune) belong to callbacks.
 *
 * @example
 * const printEpochs: Logger = { attach: (events$) => events$.pipe(ofType('epoch:end')).subscribe((e) => console.log(e.epoch, e.val?.loss.mean)) };
 */
export interface Logger {
  /** Subscribes to the run's events (called once, before training starts). */
  attach(events$: Observable<AnnealEvent>): Subscription;
  /** Called once after the run, whether it succeeded or not, after the subscription ended: flush and close files. */
  close?(outcome: { readonly ok: boolean }): void | Promise<void>;
}
