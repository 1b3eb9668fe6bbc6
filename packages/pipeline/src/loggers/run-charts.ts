import { join } from 'node:path';
import { thin } from '@anneal/diagnostics';
import { accuracyChart, lossChart, scheduleChart, writeChart } from '@anneal/report';
import type { MetricsRecord } from './metrics-record.js';

/**
 * Writes the run's charts as SVG and PNG: `loss` (per-epoch mean training loss with a ±std band,
 * validation loss, raw batch losses), `accuracy` (train and validation per epoch) and `lr` (the
 * learning rate per step). Returns the written paths.
 */
export async function writeRunCharts(dir: string, records: readonly MetricsRecord[], options: { batchesPerEpoch: number; valLabel: string }): Promise<string[]> {
  const epochs = records.filter((r): r is Extract<MetricsRecord, { kind: 'epoch' }> => r.kind === 'epoch');
  const batches = records.filter((r): r is Extract<MetricsRecord, { kind: 'batch' }> => r.kind === 'batch');
  if (!epochs.length) return [];
  const written: string[] = [];
  const loss = lossChart(
    epochs.map((e) => ({ epoch: e.epoch + 1, mean: e.train.loss.mean, std: e.train.loss.std, valLoss: e.val?.loss.mean })),
    thin(batches.filter((b) => Number.isFinite(b.loss)), 4000).map((b) => ({ step: b.step + 1, loss: b.loss })),
    options.batchesPerEpoch,
  );
  loss.title = `Training loss per epoch (mean ± std of batch losses), ${options.valLabel} loss`;
  written.push((await writeChart(join(dir, 'loss'), loss)).svg);
  if (epochs.some((e) => e.train.metrics.accuracy !== undefined || e.val?.metrics.accuracy !== undefined)) {
    const acc = accuracyChart(epochs.map((e) => ({ epoch: e.epoch + 1, trainAccuracy: e.train.metrics.accuracy, valAccuracy: e.val?.metrics.accuracy })));
    acc.title = `Accuracy per epoch (train, ${options.valLabel})`;
    written.push((await writeChart(join(dir, 'accuracy'), acc)).svg);
  }
  const lrs = batches.map((b) => b.lr);
  if (lrs.some(Number.isFinite)) written.push((await writeChart(join(dir, 'lr'), scheduleChart([{ name: 'lr', values: lrs }], { title: 'Learning rate per step', yLabel: 'learning rate' }))).svg);
  return written;
}
