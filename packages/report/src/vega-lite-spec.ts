import type { TopLevelSpec } from 'vega-lite';
import { cleanSeries } from './clean-series.js';
import { ChartError } from './errors.js';
import type { ChartGridSpec, LineChartSpec } from './types.js';

type LayerTopLevel = Extract<TopLevelSpec, { layer: unknown }>;
type LayerEntry = LayerTopLevel['layer'][number];

/** Font families written into the SVG: the first one installed is used (resvg and browsers alike). */
export const CHART_FONT = 'DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif';

const LOG_SCALE = { type: 'log' } as const;
const INTEGER_AXIS = { tickMinStep: 1, format: 'd' } as const;
const DEFAULT_WIDTH = 640;
const DEFAULT_HEIGHT = 360;

const CONFIG = {
  font: CHART_FONT,
  legend: { symbolOpacity: 1, symbolStrokeWidth: 2 },
  view: { stroke: '#ddd' },
} as const;

/**
 * The Vega-Lite spec of a line chart: one layer per band, line and point set of each series
 * (bands at the bottom, then scatter-only series, then lines), colours and legend in series order. Points that cannot be drawn are dropped first
 * (see ChartError for the input that is refused). The same spec renders in a browser with
 * vega-embed, which is what an HTML report uses.
 *
 * @example
 * ```ts
 * const vl = lineChartVegaLite({ title: 'loss', x: { label: 'epoch' }, y: { label: 'loss' },
 *   series: [{ name: 'train', points: [{ x: 1, y: 0.9 }, { x: 2, y: 0.5 }] }] });
 * ```
 */
export function lineChartVegaLite(spec: LineChartSpec): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: spec.title,
    width: spec.width ?? DEFAULT_WIDTH,
    height: spec.height ?? DEFAULT_HEIGHT,
    autosize: { type: 'fit', contains: 'padding' },
    background: 'white',
    config: CONFIG,
    layer: chartLayers(spec),
  };
}

/**
 * The Vega-Lite spec of several line charts in a grid (`columns` per row), each with its own
 * scales and legend. Inside a grid a chart's `width`/`height` is its plot area (default 320 x 200).
 *
 * @example
 * ```ts
 * const vl = chartGridVegaLite({ title: 'run 7', charts: [lossChart(epochs), accuracyChart(epochs)] });
 * ```
 */
export function chartGridVegaLite(grid: ChartGridSpec): TopLevelSpec {
  const name = grid.title ?? '(grid)';
  if (grid.charts.length === 0) throw new ChartError(name, 'the grid has no charts; pass at least one.');
  const columns = grid.columns ?? 2;
  if (!(Number.isInteger(columns) && columns >= 1)) {
    throw new ChartError(name, `columns must be an integer >= 1, got ${columns}.`);
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(grid.title ? { title: grid.title } : {}),
    background: 'white',
    config: CONFIG,
    columns,
    concat: grid.charts.map((c) => ({
      title: c.title,
      width: c.width ?? 320,
      height: c.height ?? 200,
      layer: chartLayers(c),
    })),
    resolve: {
      scale: { x: 'independent', y: 'independent', color: 'independent' },
      legend: { color: 'independent' },
    },
  };
}

/** A scale with a fixed domain (no nice rounding past it), or the scale as it is. */
function withDomain<S extends object>(scale: S, domain: readonly [number, number] | undefined): S | (S & { domain: number[]; nice: false }) {
  return domain ? { ...scale, domain: [...domain], nice: false } : scale;
}

function chartLayers(spec: LineChartSpec): LayerEntry[] {
  const series = cleanSeries(spec);
  const names = series.map((s) => s.name);
  const x = {
    field: 'x',
    type: 'quantitative',
    title: spec.x.label,
    scale: withDomain(spec.x.log ? LOG_SCALE : ({ type: 'linear', zero: false } as const), spec.x.domain),
    ...(spec.x.integer && !spec.x.log ? { axis: INTEGER_AXIS } : {}),
  } as const;
  const yScale = withDomain(spec.y.log ? LOG_SCALE : ({ type: 'linear', zero: spec.y.zero === true } as const), spec.y.domain);
  const color = { field: 'series', type: 'nominal', scale: { domain: names }, legend: { title: null, labelLimit: 260 } } as const;
  const y = { field: 'y', type: 'quantitative', title: spec.y.label, scale: yScale, ...(spec.y.integer && !spec.y.log ? { axis: INTEGER_AXIS } : {}) } as const;
  const layers: LayerEntry[] = [];
  // Bands first, so every line is drawn on top of every band.
  for (const s of series) {
    if (s.band.length === 0) continue;
    layers.push({
      data: { values: s.band.map((p) => ({ series: s.name, ...p })) },
      mark: { type: 'area', opacity: 0.2 * s.opacity, line: false },
      encoding: {
        x,
        y: { field: 'lo', type: 'quantitative', title: spec.y.label, scale: yScale },
        y2: { field: 'hi' },
        color,
      },
    });
  }
  // Then scatter-only series (e.g. faint per-batch losses) under the lines.
  const drawOrder = [...series.filter((s) => s.mark === 'points'), ...series.filter((s) => s.mark !== 'points')];
  for (const s of drawOrder) {
    if (s.points.length === 0) continue;
    const data = { values: s.points.map((p) => ({ series: s.name, ...p })) };
    if (s.mark !== 'points') {
      layers.push({ data, mark: { type: 'line', opacity: s.opacity, strokeWidth: 2 }, encoding: { x, y, color } });
    }
    if (s.mark !== 'line') {
      const size = s.mark === 'points' ? 14 : 30;
      layers.push({ data, mark: { type: 'point', filled: true, size, opacity: s.opacity }, encoding: { x, y, color } });
    }
  }
  return layers;
}
