/** One sample of a series; `lo`/`hi` give a band around `y` (e.g. mean ± std). */
export interface ChartPoint {
  x: number;
  y: number;
  lo?: number;
  hi?: number;
}

/** A named series of points, drawn in its own colour with an entry in the legend. */
export interface ChartSeries {
  /** Legend label; unique within a chart. */
  name: string;
  points: readonly ChartPoint[];
  /** How the points are drawn; default `'line'`. */
  mark?: 'line' | 'points' | 'line+points';
  /** Shade the `lo`..`hi` band; default: when some point carries both `lo` and `hi`. */
  band?: boolean;
  /** Opacity of the line and points in 0..1 (the band is drawn at a fifth of it); default 1. */
  opacity?: number;
}

/** An axis of a line chart. */
export interface AxisSpec {
  label: string;
  /** Logarithmic scale; points with a value <= 0 on this axis are dropped. */
  log?: boolean;
  /** Ticks at whole numbers only (epochs, counts, seeds), labelled without decimals. Ignored on a log axis. */
  integer?: boolean;
  /** Fixed [min, max] of the axis (e.g. [0, epochs] on every chart of a run, so they line up); default: fit the data. */
  domain?: readonly [number, number];
}

/** A line chart: one or more series over a shared x and y axis. */
export interface LineChartSpec {
  title: string;
  x: AxisSpec;
  /** `zero`: force the y scale to include 0 (default false: fit the data). */
  y: AxisSpec & { zero?: boolean };
  series: readonly ChartSeries[];
  /** Outer size in pixels, axes, title and legend included; defaults 640 x 360. */
  width?: number;
  height?: number;
}

/** Several line charts laid out in a grid, each with its own scales and legend. */
export interface ChartGridSpec {
  /** Title over the whole grid. */
  title?: string;
  charts: readonly LineChartSpec[];
  /** Charts per row; default 2. */
  columns?: number;
}
