import { ChartError } from './errors.js';
import type { ChartPoint, LineChartSpec } from './types.js';

/** A series after validation: only drawable points, band points kept apart. */
export interface CleanSeries {
  name: string;
  mark: 'line' | 'points' | 'line+points';
  opacity: number;
  /** Points with a finite x and y (and > 0 on a log axis). */
  points: { x: number; y: number }[];
  /** Points whose lo and hi are drawable too; empty when no band is drawn. */
  band: { x: number; lo: number; hi: number }[];
}

const MARKS = new Set(['line', 'points', 'line+points']);

/**
 * Validates a chart spec and drops the points that cannot be drawn: NaN or infinite
 * coordinates, and values <= 0 on a logarithmic axis. Throws ChartError when the chart has no
 * series, a series has no points, two series share a name, a size or opacity is out of range,
 * or nothing drawable is left at all.
 */
export function cleanSeries(spec: LineChartSpec): CleanSeries[] {
  const chart = spec.title || '(untitled)';
  if (spec.series.length === 0) {
    throw new ChartError(chart, 'has no series; pass at least one series with points.');
  }
  for (const [key, value] of [['width', spec.width], ['height', spec.height]] as const) {
    if (value !== undefined && !(Number.isFinite(value) && value >= 50)) {
      throw new ChartError(chart, `${key} must be a finite number of pixels >= 50, got ${value}.`);
    }
  }
  const seen = new Set<string>();
  const okX = drawable(spec.x.log === true);
  const okY = drawable(spec.y.log === true);
  const out = spec.series.map((s, i): CleanSeries => {
    const where = `series[${i}] '${s.name}'`;
    if (seen.has(s.name)) throw new ChartError(chart, `${where}: the name is used by another series; give each series its own name.`);
    seen.add(s.name);
    if (s.points.length === 0) throw new ChartError(chart, `${where} has no points; leave the series out or give it data.`);
    const mark = s.mark ?? 'line';
    if (!MARKS.has(mark)) throw new ChartError(chart, `${where}: mark '${mark}' is not one of line, points, line+points.`);
    const opacity = s.opacity ?? 1;
    if (!(opacity >= 0 && opacity <= 1)) throw new ChartError(chart, `${where}: opacity must be in 0..1, got ${opacity}.`);
    const points = s.points.filter((p) => okX(p.x) && okY(p.y)).map((p) => ({ x: p.x, y: p.y }));
    const wantBand = s.band ?? s.points.some(hasBand);
    const band = wantBand
      ? s.points.flatMap((p) => (hasBand(p) && okX(p.x) && okY(p.lo) && okY(p.hi) ? [{ x: p.x, lo: p.lo, hi: p.hi }] : []))
      : [];
    return { name: s.name, mark, opacity, points, band };
  });
  if (out.every((s) => s.points.length === 0 && s.band.length === 0)) {
    const why = spec.x.log || spec.y.log ? 'NaN, infinite or <= 0 on a log axis' : 'NaN or infinite';
    throw new ChartError(chart, `nothing to draw: every point is ${why}. Check the data the chart was built from.`);
  }
  return out.filter((s) => s.points.length > 0 || s.band.length > 0);
}

function drawable(log: boolean): (v: number) => boolean {
  return log ? (v) => Number.isFinite(v) && v > 0 : (v) => Number.isFinite(v);
}

function hasBand(p: ChartPoint): p is ChartPoint & { lo: number; hi: number } {
  return typeof p.lo === 'number' && typeof p.hi === 'number';
}
