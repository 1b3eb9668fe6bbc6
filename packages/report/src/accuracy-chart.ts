import { ChartError } from './errors.js';
import type { ChartSeries, LineChartSpec } from './types.js';

/** One epoch's accuracies, in 0..1; either may be missing. */
export interface EpochAccuracy {
  epoch: number;
  trainAccuracy?: number;
  valAccuracy?: number;
}

const TITLE = 'Accuracy';

/**
 * The accuracy chart: training and validation accuracy per epoch, each series drawn only when
 * some epoch has it.
 *
 * @example
 * ```ts
 * await writeChart('runs/7/accuracy', accuracyChart([{ epoch: 1, valAccuracy: 0.81 }, { epoch: 2, valAccuracy: 0.88 }]));
 * ```
 */
export function accuracyChart(epochs: readonly EpochAccuracy[]): LineChartSpec {
  const series: ChartSeries[] = [];
  for (const [name, key] of [['train accuracy', 'trainAccuracy'], ['val accuracy', 'valAccuracy']] as const) {
    const points = epochs.flatMap((e) => (e[key] === undefined ? [] : [{ x: e.epoch, y: e[key] as number }]));
    if (points.length > 0) series.push({ name, mark: 'line+points', points });
  }
  if (series.length === 0) {
    throw new ChartError(TITLE, `no epoch has trainAccuracy or valAccuracy (${epochs.length} epochs given); evaluate accuracy or leave this chart out.`);
  }
  return { title: TITLE, x: { label: 'epoch', integer: true }, y: { label: 'accuracy' }, series };
}
