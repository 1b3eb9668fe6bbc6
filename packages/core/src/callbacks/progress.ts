import type { Callback } from '../callback';
import type { EventOf } from '../events';

/** Where progress goes (the CLI draws bars with cli-progress; tests can collect lines). */
export interface ProgressSink {
  /** A new bar for epoch `epoch` with `total` batches, starting at `done`. */
  start(label: string, total: number, done: number): void;
  update(done: number, fields: { loss: number; lr: number }): void;
  /** The epoch's summary line. */
  stop(summary: string): void;
}

/**
 * Reports progress: one bar per epoch advanced at every batch, and a summary line per epoch
 * (train loss mean ± std, metrics, validation metrics, time).
 *
 * @example
 * progress(cliBars()) // in the CLI
 */
export function progress(sink: ProgressSink, options: { key?: string; every?: number } = {}): Callback {
  let total = 0;
  let epochs = 0;
  const every = options.every ?? 1;
  return {
    key: options.key ?? 'progress',
    onRunStart(e: EventOf<'run:start'>) {
      total = e.batchesPerEpoch;
      epochs = e.epochs;
      if (e.startBatch > 0) sink.start(`epoch ${e.startEpoch + 1}/${epochs}`, total, e.startBatch);
    },
    onEpochStart(e: EventOf<'epoch:start'>) {
      sink.start(`epoch ${e.epoch + 1}/${epochs}`, total, 0);
    },
    onBatchEnd(e: EventOf<'batch:end'>) {
      if ((e.batch + 1) % every === 0 || e.batch + 1 === total) sink.update(e.batch + 1, { loss: e.loss, lr: e.lr });
    },
    onEpochEnd(e: EventOf<'epoch:end'>) {
      sink.stop(epochSummary(e, epochs));
    },
  };
}

/** `epoch 3/12  loss 0.1234 ± 0.0456  accuracy 96.10%  val loss 0.1100 accuracy 96.85%  4.2 s`. */
export function epochSummary(e: EventOf<'epoch:end'>, epochs: number): string {
  const fmt = (name: string, v: number) => (name.startsWith('top') || name === 'accuracy' ? `${name} ${(v * 100).toFixed(2)}%` : `${name} ${v.toFixed(4)}`);
  const parts = [`epoch ${e.epoch + 1}/${epochs}`, `loss ${e.train.loss.mean.toFixed(4)} ± ${e.train.loss.std.toFixed(4)}`];
  for (const [k, v] of Object.entries(e.train.metrics)) if (Number.isFinite(v)) parts.push(fmt(k, v));
  if (e.val) parts.push(`val loss ${e.val.loss.mean.toFixed(4)}`, ...Object.entries(e.val.metrics).map(([k, v]) => fmt(k, v)));
  parts.push(`${(e.durationMs / 1000).toFixed(1)} s`);
  return parts.join('  ');
}
