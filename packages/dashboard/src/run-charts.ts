import { curvesFromRecords, thin } from '@anneal/diagnostics';
import type { MetricsRecord } from '@anneal/pipeline';
import { accuracyChart, batchLossChart, chartGridVegaLite, lineChartVegaLite, lossChart, ratioChart, type ChartSeries, type LineChartSpec } from '@anneal/report';
import { tryChart, type DashboardChart } from './dashboard-chart.js';
import { batchRecords, epochRecords, finite, type BatchRecord, type EpochRecord } from './run-records.js';

/** Options of {@link runViewCharts}. */
export interface RunChartOptions {
  /** Logarithmic loss axes. */
  logLoss?: boolean;
}

/** Size of the line charts (two fit side by side on a laptop screen). */
const CHART_WIDTH = 600;
const CHART_HEIGHT = 330;

/** Most batch points drawn per chart (a long run is thinned evenly). */
const MAX_BATCH_POINTS = 3000;

/** Batches per epoch: the epoch line's count of batch losses, else the largest batch index seen + 1. */
function batchesPerEpoch(epochs: readonly EpochRecord[], batches: readonly BatchRecord[]): Map<number, number> {
  const n = new Map<number, number>();
  for (const b of batches) n.set(b.epoch, Math.max(n.get(b.epoch) ?? 0, b.batch + 1));
  for (const e of epochs) if (e.train.loss.count > 0) n.set(e.epoch, e.train.loss.count);
  return n;
}

/**
 * The loss chart: per-epoch mean of the batch losses with a ±1 std band clipped to the epoch's
 * min..max (a std band can reach below the smallest loss, or below 0, which a log axis cannot
 * draw), the validation loss, and every batch loss as a faint point spread across its epoch
 * (epoch e's batches between e - 0.5 and e + 0.5, so they sit under e's mean whatever number the
 * file gives the first epoch). Built with @anneal/report's lossChart.
 */
export function epochLossChart(epochs: readonly EpochRecord[], batches: readonly BatchRecord[], options: RunChartOptions = {}): LineChartSpec {
  const spec = lossChart(epochs.map((e) => ({ epoch: e.epoch, mean: e.train.loss.mean, std: e.train.loss.std, valLoss: finite(e.val?.loss.mean) })));
  const byEpoch = new Map(epochs.map((e) => [e.epoch, e.train.loss]));
  const [band, ...rest] = spec.series;
  const clipped: ChartSeries = {
    ...band!,
    points: band!.points.map((p) => {
      const l = byEpoch.get(p.x);
      return l && p.lo !== undefined && p.hi !== undefined ? { ...p, lo: Math.max(p.lo, l.min), hi: Math.min(p.hi, l.max) } : p;
    }),
  };
  const perEpoch = batchesPerEpoch(epochs, batches);
  const points = thin(batches.filter((b) => finite(b.loss) !== undefined), MAX_BATCH_POINTS).map((b) => ({ x: b.epoch - 0.5 + (b.batch + 0.5) / (perEpoch.get(b.epoch) ?? b.batch + 1), y: b.loss }));
  const series: ChartSeries[] = [clipped, ...rest, ...(points.length ? [{ name: 'batch loss', mark: 'points' as const, opacity: 0.3, points }] : [])];
  return {
    ...spec,
    title: 'Loss per epoch: mean ± std, validation, batch losses',
    y: { label: 'loss', log: options.logLoss },
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    series,
  };
}

/** One metric per epoch as train/val series (those present). */
function metricSeries(epochs: readonly EpochRecord[], metric: string): ChartSeries[] {
  const series: ChartSeries[] = [];
  for (const pass of ['train', 'val'] as const) {
    const points = epochs.flatMap((e) => {
      const y = finite(e[pass]?.metrics[metric]);
      return y === undefined ? [] : [{ x: e.epoch, y }];
    });
    if (points.length) series.push({ name: `${pass} ${metric}`, mark: 'line+points', points });
  }
  return series;
}

/** A line chart of values over steps. */
function stepChart(title: string, label: string, points: { x: number; y: number }[], log = false): LineChartSpec {
  return { title, x: { label: 'step' }, y: { label, log }, series: [{ name: label, mark: 'line', points }], width: CHART_WIDTH, height: CHART_HEIGHT };
}

/**
 * The charts of a run view from its metrics.jsonl records, each built with the @anneal/report
 * builder the static reports use: loss per epoch (band + batch points), batch loss per step with
 * its EMA, accuracy, the other metrics, the learning rate, every scheduled hyperparameter, and
 * the update/weight ratio per tensor (from the batch lines that carry norms, as
 * @anneal/diagnostics reads them). Epoch and step numbers are drawn as the file writes them.
 */
export function runViewCharts(records: readonly MetricsRecord[], options: RunChartOptions = {}): DashboardChart[] {
  const epochs = epochRecords(records);
  const batches = batchRecords(records);
  const charts: DashboardChart[] = [];
  const finiteBatches = batches.filter((b) => finite(b.loss) !== undefined);
  if (epochs.length) charts.push(tryChart('loss', 'Loss per epoch', () => lineChartVegaLite(epochLossChart(epochs, batches, options)), 'The band is ±1 std of the epoch’s batch losses, clipped to their min and max; faint points are the batch losses of each epoch.'));
  if (finiteBatches.length >= 2) {
    const steps = [...batchesPerEpoch(epochs, batches).values()];
    const epochSteps = steps.length && steps.every((s) => s === steps[0]) ? steps[0] : undefined;
    charts.push(tryChart('batch-loss', 'Batch loss per step', () => ({ ...batchLossChart(thin(finiteBatches, MAX_BATCH_POINTS).map((b) => ({ step: b.step, loss: b.loss })), { title: 'Batch loss per step', epochSteps, logY: options.logLoss }), width: CHART_WIDTH - 80, height: CHART_HEIGHT - 30 })));
  }
  const metrics = [...new Set(epochs.flatMap((e) => [...Object.keys(e.train.metrics), ...Object.keys(e.val?.metrics ?? {})]))];
  if (metrics.includes('accuracy')) {
    charts.push(tryChart('accuracy', 'Accuracy per epoch', () => lineChartVegaLite({ ...accuracyChart(epochs.map((e) => ({ epoch: e.epoch, trainAccuracy: finite(e.train.metrics.accuracy), valAccuracy: finite(e.val?.metrics.accuracy) }))), title: 'Accuracy per epoch (train, val)', width: CHART_WIDTH, height: CHART_HEIGHT })));
  }
  const others = metrics.filter((m) => m !== 'accuracy');
  if (others.length) {
    charts.push(tryChart('metrics', 'Other metrics per epoch', () => lineChartVegaLite({ title: `Metrics per epoch: ${others.join(', ')}`, x: { label: 'epoch', integer: true }, y: { label: 'value' }, series: others.flatMap((m) => metricSeries(epochs, m)), width: CHART_WIDTH, height: CHART_HEIGHT })));
  }
  const sampled = thin(batches, MAX_BATCH_POINTS);
  const lrs = sampled.flatMap((b) => (finite(b.lr) === undefined ? [] : [{ x: b.step, y: b.lr }]));
  if (lrs.length) charts.push(tryChart('lr', 'Learning rate per step', () => lineChartVegaLite(stepChart('Learning rate per step', 'learning rate', lrs))));
  const names = [...new Set(batches.flatMap((b) => Object.keys(b.hyperparameters ?? {})))];
  if (names.length) {
    charts.push(
      tryChart('hyperparameters', 'Scheduled hyperparameters per step', () =>
        chartGridVegaLite({
          title: 'Scheduled hyperparameters per step',
          columns: 2,
          charts: names.map((n) => ({ ...stepChart(n, n, sampled.flatMap((b) => (finite(b.hyperparameters?.[n]) === undefined ? [] : [{ x: b.step, y: b.hyperparameters![n]! }]))), width: 250, height: 170 })),
        }),
      ),
    );
  }
  if (batches.some((b) => b.norms)) {
    charts.push(
      tryChart(
        'ratios',
        'Update / weight ratio per tensor',
        () => ratioChart(thin(curvesFromRecords(batches.filter((b) => b.norms)).ratios, 500), { title: 'Update / weight ratio per tensor' }),
        'About 1e-3 is typical; far above means the lr is too high for that tensor, far below that it barely learns.',
      ),
    );
  }
  return charts;
}
