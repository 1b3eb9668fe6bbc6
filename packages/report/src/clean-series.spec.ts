import { describe, expect, it } from 'vitest';
import { cleanSeries } from './clean-series.js';
import { ChartError } from './errors.js';
import type { ChartSeries, LineChartSpec } from './types.js';

const chart = (series: ChartSeries[], extra: Partial<LineChartSpec> = {}): LineChartSpec => ({
  title: 'test chart',
  x: { label: 'x' },
  y: { label: 'y' },
  series,
  ...extra,
});

function chartError(f: () => unknown): ChartError {
  try {
    f();
  } catch (e) {
    if (e instanceof ChartError) return e;
    throw e;
  }
  throw new Error('expected a ChartError');
}

describe('cleanSeries', () => {
  it('drops NaN and infinite points and keeps the rest in order', () => {
    const [s] = cleanSeries(chart([{ name: 'a', points: [
      { x: 1, y: 1 }, { x: 2, y: NaN }, { x: 3, y: 3 }, { x: Infinity, y: 4 }, { x: 5, y: -Infinity }, { x: 6, y: 6 },
    ] }]));
    expect(s.points).toEqual([{ x: 1, y: 1 }, { x: 3, y: 3 }, { x: 6, y: 6 }]);
  });

  it('drops values <= 0 on a log axis only', () => {
    const pts = [{ x: 0, y: 1 }, { x: 1, y: 0 }, { x: 2, y: -1 }, { x: 3, y: 2 }];
    expect(cleanSeries(chart([{ name: 'a', points: pts }]))[0].points).toHaveLength(4);
    expect(cleanSeries(chart([{ name: 'a', points: pts }], { y: { label: 'y', log: true } }))[0].points).toEqual([{ x: 0, y: 1 }, { x: 3, y: 2 }]);
    expect(cleanSeries(chart([{ name: 'a', points: pts }], { x: { label: 'x', log: true } }))[0].points).toEqual([{ x: 1, y: 0 }, { x: 2, y: -1 }, { x: 3, y: 2 }]);
  });

  it('draws a band by default when points carry lo and hi, and drops undrawable band points alone', () => {
    const points = [{ x: 1, y: 2, lo: 1, hi: 3 }, { x: 2, y: 2, lo: NaN, hi: 3 }, { x: 3, y: 2, lo: 1.5, hi: 2.5 }];
    const [s] = cleanSeries(chart([{ name: 'a', points }]));
    expect(s.band).toEqual([{ x: 1, lo: 1, hi: 3 }, { x: 3, lo: 1.5, hi: 2.5 }]);
    expect(s.points).toHaveLength(3);
    expect(cleanSeries(chart([{ name: 'a', points, band: false }]))[0].band).toEqual([]);
    expect(cleanSeries(chart([{ name: 'a', points: [{ x: 1, y: 1 }] }]))[0].band).toEqual([]);
  });

  it('defaults mark to line and opacity to 1', () => {
    const [s] = cleanSeries(chart([{ name: 'a', points: [{ x: 1, y: 1 }] }]));
    expect(s).toMatchObject({ name: 'a', mark: 'line', opacity: 1 });
  });

  it('leaves out a series with nothing drawable when another series has points', () => {
    const out = cleanSeries(chart([{ name: 'ok', points: [{ x: 1, y: 1 }] }, { name: 'diverged', points: [{ x: 1, y: NaN }] }]));
    expect(out.map((s) => s.name)).toEqual(['ok']);
  });

  it('refuses bad input with a ChartError naming the chart and the series', () => {
    expect(chartError(() => cleanSeries(chart([]))).message).toBe("chart 'test chart': has no series; pass at least one series with points.");
    const empty = chartError(() => cleanSeries(chart([{ name: 'a', points: [{ x: 1, y: 1 }] }, { name: 'val', points: [] }])));
    expect(empty.chart).toBe('test chart');
    expect(empty.message).toContain("series[1] 'val' has no points");
    expect(chartError(() => cleanSeries(chart([{ name: 'a', points: [{ x: 1, y: 1 }] }, { name: 'a', points: [{ x: 1, y: 1 }] }]))).message).toContain('used by another series');
    expect(chartError(() => cleanSeries(chart([{ name: 'a', points: [{ x: 1, y: NaN }, { x: NaN, y: 1 }] }]))).message).toContain('nothing to draw');
    expect(chartError(() => cleanSeries(chart([{ name: 'a', points: [{ x: 1, y: 0 }] }], { y: { label: 'y', log: true } }))).message).toContain('<= 0 on a log axis');
    expect(chartError(() => cleanSeries(chart([{ name: 'a', points: [{ x: 1, y: 1 }] }], { width: 0 }))).message).toContain('width must be');
    expect(chartError(() => cleanSeries(chart([{ name: 'a', points: [{ x: 1, y: 1 }], opacity: 2 }]))).message).toContain('opacity must be in 0..1');
  });
});
