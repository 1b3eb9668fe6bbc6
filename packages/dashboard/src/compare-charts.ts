import { lineChartVegaLite, type ChartSeries } from '@anneal/report';
import { tryChart, type DashboardChart } from './dashboard-chart.js';
import { epochRecords, finite, type EpochRecord } from './run-records.js';
import type { RunSnapshot } from './run-reader.js';

/** A label per run: its name, or its path where two runs share a name. */
function labels(runs: readonly RunSnapshot[]): string[] {
  const count = new Map<string, number>();
  for (const r of runs) count.set(r.name, (count.get(r.name) ?? 0) + 1);
  return runs.map((r) => (count.get(r.name)! > 1 ? r.rel : r.name));
}

function overlay(runs: readonly RunSnapshot[], value: (e: EpochRecord) => number | undefined): ChartSeries[] {
  const names = labels(runs);
  return runs.flatMap((r, i) => {
    const points = epochRecords(r.records).flatMap((e) => {
      const y = finite(value(e));
      return y === undefined ? [] : [{ x: e.epoch, y }];
    });
    return points.length ? [{ name: names[i]!, mark: 'line+points' as const, points }] : [];
  });
}

/**
 * Charts that overlay several runs, one series per run: validation loss per epoch (training loss
 * for runs without a validation split, said in the legend) and validation accuracy per epoch
 * when any run has it.
 */
export function compareCharts(runs: readonly RunSnapshot[], options: { logLoss?: boolean } = {}): DashboardChart[] {
  const charts: DashboardChart[] = [];
  const hasVal = (r: RunSnapshot) => epochRecords(r.records).some((e) => finite(e.val?.loss.mean) !== undefined);
  const loss = overlay(runs, (e) => e.val?.loss.mean).concat(overlay(runs.filter((r) => !hasVal(r)), (e) => e.train.loss.mean).map((s) => ({ ...s, name: `${s.name} (train)` })));
  charts.push(tryChart('compare-loss', 'Validation loss per epoch', () => lineChartVegaLite({ title: 'Validation loss per epoch', x: { label: 'epoch', integer: true }, y: { label: 'loss', log: options.logLoss }, series: loss })));
  const acc = overlay(runs, (e) => e.val?.metrics.accuracy);
  if (acc.length) charts.push(tryChart('compare-accuracy', 'Validation accuracy per epoch', () => lineChartVegaLite({ title: 'Validation accuracy per epoch', x: { label: 'epoch', integer: true }, y: { label: 'accuracy' }, series: acc })));
  return charts;
}
