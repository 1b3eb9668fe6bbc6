import { ChartError } from './errors.js';
import { distinctSciLabels, formatValue } from './format-number.js';
import { layeredChart, type LayerEntry } from './vega-lite-base.js';
import type { VegaLiteSpec } from './vega-lite-svg.js';

/** One cell of a learning-rate x weight-decay grid search. */
export interface GridCell {
  lr: number;
  weightDecay: number;
  /** The metric of a complete trial (a pruned trial's last value is not shown). */
  value?: number;
  state: 'complete' | 'pruned' | 'failed';
}

/** What the grid's colour shows and which way is better. */
export interface GridChartOptions {
  metric: string;
  direction: 'maximize' | 'minimize';
  /** Default `'Grid search: <metric>'`. */
  title?: string;
}

const STATES = new Set(['complete', 'pruned', 'failed']);

/**
 * The grid-search heatmap: learning rate across (ordinal, labelled like `3e-3`), weight decay up
 * (ordinal, `0` at the bottom), each complete cell coloured by its metric (brighter is better in
 * either direction) and labelled with the value; pruned and failed cells are grey and say so.
 * The best complete cell is outlined in black and named in the subtitle.
 *
 * @example
 * ```ts
 * await writeVegaLite('runs/grid', gridChart(cells, { metric: 'val accuracy', direction: 'maximize' }));
 * ```
 */
export function gridChart(cells: readonly GridCell[], options: GridChartOptions): VegaLiteSpec {
  const title = options.title ?? `Grid search: ${options.metric}`;
  if (cells.length === 0) throw new ChartError(title, 'no cells to plot; pass at least one { lr, weightDecay, state }.');
  if (options.direction !== 'maximize' && options.direction !== 'minimize') {
    throw new ChartError(title, `options.direction must be 'maximize' or 'minimize', got '${String(options.direction)}'.`);
  }
  const seen = new Set<string>();
  for (const [i, c] of cells.entries()) {
    const where = `cells[${i}] (lr ${c.lr}, weightDecay ${c.weightDecay})`;
    if (!(Number.isFinite(c.lr) && c.lr > 0)) throw new ChartError(title, `${where}: lr must be a number > 0.`);
    if (!(Number.isFinite(c.weightDecay) && c.weightDecay >= 0)) throw new ChartError(title, `${where}: weightDecay must be a number >= 0.`);
    if (!STATES.has(c.state)) throw new ChartError(title, `${where}: state must be complete, pruned or failed, got '${String(c.state)}'.`);
    const key = `${c.lr}|${c.weightDecay}`;
    if (seen.has(key)) throw new ChartError(title, `${where} appears twice; merge the trials or keep one per cell.`);
    seen.add(key);
  }
  const lrLabels = distinctSciLabels(cells.map((c) => c.lr));
  const wdLabels = distinctSciLabels(cells.map((c) => c.weightDecay));
  const lrOrder = [...lrLabels.keys()].sort((a, b) => a - b).map((v) => lrLabels.get(v) as string);
  const wdOrder = [...wdLabels.keys()].sort((a, b) => b - a).map((v) => wdLabels.get(v) as string);
  const scored = cells.filter((c) => c.state === 'complete' && Number.isFinite(c.value)) as (GridCell & { value: number })[];
  const sign = options.direction === 'maximize' ? 1 : -1;
  const best = scored.reduce<(GridCell & { value: number }) | undefined>((b, c) => (b === undefined || sign * c.value > sign * b.value ? c : b), undefined);
  const values = scored.map((c) => c.value);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const rows = cells.map((c) => {
    const scoredCell = c.state === 'complete' && Number.isFinite(c.value);
    // Goodness in 0..1: where the cell sits on the (direction-aware) colour ramp.
    const good = scoredCell && hi > lo ? (sign > 0 ? (c.value as number) - lo : hi - (c.value as number)) / (hi - lo) : 1;
    return {
      lr: lrLabels.get(c.lr),
      wd: wdLabels.get(c.weightDecay),
      value: scoredCell ? c.value : null,
      label: scoredCell ? formatValue(c.value as number) : c.state === 'complete' ? 'n/a' : c.state,
      ink: scoredCell && good < 0.55 ? 'white' : 'black',
      best: c === best,
    };
  });
  const x = { field: 'lr', type: 'ordinal', title: 'learning rate', sort: lrOrder, axis: { labelAngle: 0 } } as const;
  const y = { field: 'wd', type: 'ordinal', title: 'weight decay', sort: wdOrder } as const;
  const layer: LayerEntry[] = [
    {
      data: { values: rows.filter((r) => r.value === null) },
      mark: { type: 'rect', color: '#e5e5e5', stroke: 'white', strokeWidth: 2 },
      encoding: { x, y },
    },
    {
      data: { values: rows.filter((r) => r.value !== null) },
      mark: { type: 'rect', stroke: 'white', strokeWidth: 2 },
      encoding: {
        x,
        y,
        color: {
          field: 'value',
          type: 'quantitative',
          title: `${options.metric} (${options.direction === 'maximize' ? 'higher' : 'lower'} is better)`,
          scale: { scheme: 'viridis', reverse: sign < 0 },
          legend: { orient: 'right', titleLimit: 320 },
        },
      },
    },
    {
      data: { values: rows.filter((r) => r.best) },
      mark: { type: 'rect', filled: false, stroke: 'black', strokeWidth: 3 },
      encoding: { x, y },
    },
    {
      data: { values: rows },
      mark: { type: 'text', fontSize: 11 },
      encoding: { x, y, text: { field: 'label' }, color: { condition: { test: "datum.ink === 'white'", value: 'white' }, value: 'black' } },
    },
  ];
  const subtitle = best
    ? `best (outlined): lr ${lrLabels.get(best.lr)}, weight decay ${wdLabels.get(best.weightDecay)} → ${formatValue(best.value)}`
    : 'no complete trial with a value yet';
  return layeredChart({ title, subtitle, width: { step: 72 }, height: { step: 36 }, layer });
}
