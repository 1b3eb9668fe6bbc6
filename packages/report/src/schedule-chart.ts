import { ChartError } from './errors.js';
import type { LineChartSpec } from './types.js';

/** One schedule (or parameter group) sampled at consecutive steps. */
export interface ScheduleValues {
  name: string;
  values: readonly number[];
}

/** Labels and step origin of scheduleChart. */
export interface ScheduleChartOptions {
  title?: string;
  /** Default `'value'`. */
  yLabel?: string;
  /** Default `'step'`. */
  xLabel?: string;
  /** Step of `values[0]`; default 0, so `values[i]` is plotted at step i. */
  firstStep?: number;
  /** Logarithmic y axis (e.g. learning rates spanning decades); default false. */
  logY?: boolean;
}

/**
 * A schedule plot: each series' values over steps, one line per schedule or parameter group.
 *
 * @example
 * ```ts
 * const values = Array.from({ length: 100 }, (_, step) => schedule.valueAt(step));
 * await writeChart('lr', scheduleChart([{ name: 'lr', values }], { title: 'cosine', yLabel: 'learning rate' }));
 * ```
 */
export function scheduleChart(series: readonly ScheduleValues[], options: ScheduleChartOptions = {}): LineChartSpec {
  const title = options.title ?? 'Schedule';
  if (series.length === 0) throw new ChartError(title, 'no schedules to plot; pass at least one { name, values }.');
  const first = options.firstStep ?? 0;
  return {
    title,
    x: { label: options.xLabel ?? 'step' },
    y: { label: options.yLabel ?? 'value', log: options.logY },
    series: series.map((s) => ({ name: s.name, mark: 'line', points: s.values.map((y, i) => ({ x: first + i, y })) })),
  };
}
