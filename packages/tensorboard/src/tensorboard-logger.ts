import { ofType, type AnnealEvent, type Logger } from '@anneal/core';
import { filter, map, share, type Observable, type Subscription } from 'rxjs';
import { dropEventsAfter, EventFileWriter } from '#event-files';
import { batchScalars, batchStep, epochScalars, type BatchScalarOptions } from './scalars.js';

/** Options of {@link tensorboardLogger}. */
export interface TensorBoardLoggerOptions extends BatchScalarOptions {
  /** Per-step scalars (`train/loss`, `lr`, `hp/*`, `train/grad_norm`); default true. Epoch scalars are always written. */
  readonly steps?: boolean;
  /** Also flush at a step once this many seconds passed since the last flush (default 30), so a long epoch shows up live. */
  readonly flushSeconds?: number;
  /** The host name in file names (default the machine's). */
  readonly host?: string;
  /** The clock, in milliseconds since the Unix epoch (default `Date.now`). */
  readonly now?: () => number;
  /** Told about event files a resumed run found damaged and left as they were. */
  readonly onWarning?: (message: string) => void;
}

/**
 * Writes a run's scalars as TensorBoard event files in `dir` (one run of `tensorboard --logdir`).
 * Per step, at x = updates applied (`batch:end.step + 1`): `train/loss`, `lr`, `hp/<name>` for
 * every scheduled hyperparameter, `train/grad_norm` on steps that computed norms (and, with
 * `norms`, `grad_norm/<tensor>`, `weight_norm/<tensor>`, `update_ratio/<tensor>`). Per epoch, at
 * x = `epoch:end.step`: `train/loss_mean`, `train/loss_std`, `train/<metric>`, `val/loss`,
 * `val/<metric>`.
 *
 * Records are appended and fsynced at every epoch end, before every checkpoint, at the run's end,
 * at `close` and every `flushSeconds` during an epoch; the file is new (never written over). A
 * resumed run (`run:start` with `resumed`) first removes the steps after its checkpoint from the
 * folder's older files (each rewritten atomically), then starts a new file with a SessionLog START
 * at the next step, so TensorBoard shows every step once, also one that had read the orphans live.
 *
 * @example
 * const tb = tensorboardLogger('runs/mnist/tensorboard');
 * const subscription = tb.attach(trainer.events$);
 * await trainer.fit();
 * subscription.unsubscribe();
 * tb.close?.({ ok: true });
 */
export function tensorboardLogger(dir: string, options: TensorBoardLoggerOptions = {}): Logger & { readonly file: string | undefined } {
  const now = options.now ?? Date.now;
  const flushMs = (options.flushSeconds ?? 30) * 1000;
  let writer: EventFileWriter | undefined;
  let lastFlush = 0;
  const flush = () => {
    writer?.flush();
    lastFlush = now();
  };
  const open = (restartStep?: number): EventFileWriter => {
    writer?.close();
    const wallTime = now() / 1000;
    writer = EventFileWriter.create(dir, { wallTime, host: options.host });
    if (restartStep !== undefined) writer.encoder.sessionStart(restartStep, wallTime);
    flush();
    return writer;
  };
  const write = (values: Record<string, number>, step: number) => (writer ?? open()).encoder.scalars(values, step, now() / 1000);

  return {
    get file() {
      return writer?.path;
    },
    attach(events$: Observable<AnnealEvent>): Subscription {
      const shared$ = events$.pipe(share());
      const subscription = shared$.pipe(ofType('run:start')).subscribe((e) => {
        writer?.close();
        writer = undefined;
        if (!e.resumed) return void open();
        // the checkpoint was taken after e.step updates: later values are orphans the resumed run writes again
        const { damaged } = dropEventsAfter(dir, e.step);
        for (const d of damaged) options.onWarning?.(`tensorboard: left a damaged event file as it was (${d.reason})`);
        open(e.step + 1);
      });
      if (options.steps ?? true) {
        const steps$ = shared$.pipe(
          ofType('batch:end'),
          map((e) => ({ step: batchStep(e), values: batchScalars(e, options) })),
          filter((s) => Object.keys(s.values).length > 0),
        );
        subscription.add(
          steps$.subscribe((s) => {
            write(s.values, s.step);
            if (now() - lastFlush >= flushMs) flush();
          }),
        );
      }
      subscription.add(shared$.pipe(ofType('epoch:end')).subscribe((e) => write(epochScalars(e), e.step)));
      // values first, then flushes: an epoch's own values are in the file its end flushes
      subscription.add(shared$.pipe(ofType('epoch:end', 'checkpoint:start', 'run:end')).subscribe(flush));
      return subscription;
    },
    close() {
      writer?.close();
    },
  };
}
