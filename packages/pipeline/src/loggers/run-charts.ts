import { join } from 'node:path';
import { thin } from '@anneal/diagnostics';
import { accuracyChart, lossChart, writeChart, type LineChartSpec } from '@anneal/report';
import type { MetricsRecord } from './metrics-record.js';

/** How the loss axis is scaled: `auto` is log when the epoch means span more than a factor of 30. */
export type LossScale = 'linear' | 'log' | 'auto';

/** Options of {@link writeRunCharts}. */
export interface RunChartsOptions {
  batchesPerEpoch: number;
  lossScale?: LossScale;
}

type EpochRecord = Extract<MetricsRecord, { kind: 'epoch' }>;
type BatchRecord = Extract<MetricsRecord, { kind: 'batch' }>;

/** Whether values spanning `max / min` (all positive) read better on a log axis. */
const spansDecades = (values: readonly number[], ratio: number) => {
  const finite = values.filter((v) => Number.isFinite(v));
  return finite.length > 1 && finite.every((v) => v > 0) && Math.max(...finite) / Math.min(...finite) > ratio;
};

/**
 * Writes the run's charts as SVG and PNG (2x): `loss` (per-epoch mean training loss with a ±std
 * band clipped to the epoch's batch losses, validation loss, raw batch losses), `accuracy` (train
 * and validation per epoch) and `lr` (the learning rate of every step). All three share one x
 * axis, epochs from 0 to the last one, with a batch at `step / batchesPerEpoch` (its last
 * batch at the epoch's number). Returns the written SVG paths.
 */
export async function writeRunCharts(dir: string, records: readonly MetricsRecord[], options: RunChartsOptions): Promise<string[]> {
  const epochs = records.filter((r): r is EpochRecord => r.kind === 'epoch');
  const batches = records.filter((r): r is BatchRecord => r.kind === 'batch');
  if (!epochs.length) return [];
  const perEpoch = options.batchesPerEpoch;
  const x = { label: 'epoch', integer: true, domain: [0, Math.max(...epochs.map((e) => e.epoch))] as const };
  const validated = epochs.some((e) => e.val);
  const written: string[] = [];

  const loss = lossChart(
    epochs.map((e) => ({ epoch: e.epoch, mean: e.train.loss.mean, std: e.train.loss.std, min: e.train.loss.min, max: e.train.loss.max, valLoss: e.val?.loss.mean })),
    thin(batches.filter((b) => Number.isFinite(b.loss)), 4000).map((b) => ({ step: b.step + 1, loss: b.loss })),
    perEpoch,
  );
  const scale = options.lossScale ?? 'auto';
  const log = scale === 'log' || (scale === 'auto' && spansDecades(epochs.map((e) => e.train.loss.mean), 30));
  loss.title = `Loss per epoch: train (mean ± std of its batches)${validated ? ' and val' : ''}`;
  loss.x = x;
  loss.y = { label: log ? 'loss (log scale)' : 'loss', log };
  written.push((await writeChart(join(dir, 'loss'), loss)).svg);

  if (epochs.some((e) => e.train.metrics.accuracy !== undefined || e.val?.metrics.accuracy !== undefined)) {
    const acc = accuracyChart(epochs.map((e) => ({ epoch: e.epoch, trainAccuracy: e.train.metrics.accuracy, valAccuracy: e.val?.metrics.accuracy })));
    acc.title = `Accuracy per epoch: train${epochs.some((e) => e.val?.metrics.accuracy !== undefined) ? ' and val' : ''}`;
    acc.x = x;
    written.push((await writeChart(join(dir, 'accuracy'), acc)).svg);
  }

  const lrs = batches.filter((b) => Number.isFinite(b.lr));
  if (lrs.length) {
    const lrLog = spansDecades(lrs.map((b) => b.lr), 100);
    const lr: LineChartSpec = {
      title: 'Learning rate of every step',
      x,
      y: { label: lrLog ? 'learning rate (log scale)' : 'learning rate', log: lrLog },
      series: [{ name: 'lr', mark: 'line', points: lrs.map((b) => ({ x: (b.step + 1) / perEpoch, y: b.lr })) }],
    };
    written.push((await writeChart(join(dir, 'lr'), lr)).svg);
  }
  return written;
}
