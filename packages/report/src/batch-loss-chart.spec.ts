import { describe, expect, it } from 'vitest';
import { batchLossChart, debiasedEma } from './batch-loss-chart.js';
import { attr, markElements, pathVertices, svgTexts } from './chart-test-helpers.js';
import { ChartError } from './errors.js';
import { vegaLiteSvg } from './vega-lite-svg.js';

describe('debiasedEma', () => {
  it('matches the closed form s_t / (1 - β^t)', () => {
    const out = debiasedEma([1, 0, 0], 0.5);
    expect(out[0]).toBeCloseTo(1, 15);
    expect(out[1]).toBeCloseTo(1 / 3, 15);
    expect(out[2]).toBeCloseTo(1 / 7, 15);
  });

  it('has no start-up bias on a constant, is the identity at 0 and skips non-finite values', () => {
    for (const v of debiasedEma(Array(50).fill(2.5), 0.98)) expect(v).toBeCloseTo(2.5, 12);
    expect(debiasedEma([3, 1, 4], 0)).toEqual([3, 1, 4]);
    const gap = debiasedEma([1, NaN, 0], 0.5);
    expect(gap[1]).toBeNaN();
    expect(gap[2]).toBeCloseTo(1 / 3, 15);
    expect(() => debiasedEma([1], 1)).toThrow(ChartError);
  });
});

describe('batchLossChart', () => {
  const points = Array.from({ length: 290 }, (_, i) => ({ step: i + 1, loss: 2 * Math.exp(-i / 80) + 0.2 * ((i * 7) % 5) / 5 }));

  it('draws the raw loss faint and the EMA line over steps, in step order', async () => {
    const shuffled = [...points].reverse();
    const svg = await vegaLiteSvg(batchLossChart(shuffled, { smoothing: 0.95 }), 'batch');
    const texts = svgTexts(svg);
    for (const t of ['Batch loss', 'step', 'loss', 'batch loss', 'EMA (smoothing 0.95)']) expect(texts).toContain(t);
    const lines = markElements(svg, 'line');
    expect(lines).toHaveLength(2);
    const [raw, ema] = lines;
    expect(attr(raw, 'opacity')).toBe('0.25');
    expect(attr(ema, 'opacity')).toBe('1');
    const rawXs = pathVertices(attr(raw, 'd') ?? '').map(([x]) => x);
    expect(rawXs).toHaveLength(290);
    expect(rawXs).toEqual([...rawXs].sort((a, b) => a - b));
    // The EMA is smoother: its total vertical travel is well under the raw line's.
    const travel = (d: string) => pathVertices(d).reduce((sum, [, y], i, all) => (i === 0 ? 0 : sum + Math.abs(y - all[i - 1][1])), 0);
    expect(travel(attr(ema, 'd') ?? '')).toBeLessThan(0.5 * travel(attr(raw, 'd') ?? ''));
  });

  it('carries the debiased EMA of the losses as its smoothed series', () => {
    const spec = batchLossChart(points.slice(0, 3), { smoothing: 0.5 }) as { layer: { data: { values: { series: string; y: number }[] } }[] };
    const ema = spec.layer.flatMap((l) => l.data.values).filter((v) => v.series.startsWith('EMA'));
    expect(ema.map((v) => v.y)).toEqual(debiasedEma(points.slice(0, 3).map((p) => p.loss), 0.5));
  });

  it('marks epoch boundaries with dashed rules and says so', async () => {
    const svg = await vegaLiteSvg(batchLossChart(points, { epochSteps: 50 }), 'batch');
    const rules = markElements(svg, 'rule');
    expect(rules).toHaveLength(5); // steps 50, 100, ..., 250 within 1..290
    expect(attr(rules[0], 'stroke-dasharray')).toBe('4,4');
    expect(svgTexts(svg)).toContain('dashed: epoch boundaries (50 steps per epoch)');
  });

  it('leaves NaN losses out of the drawing and can use a log axis', async () => {
    const withNaN = points.slice(0, 20).map((p, i) => (i === 5 ? { ...p, loss: NaN } : p));
    const svg = await vegaLiteSvg(batchLossChart(withNaN, { logY: true }), 'batch');
    expect(pathVertices(attr(markElements(svg, 'line')[0], 'd') ?? '')).toHaveLength(19);
  });

  it('refuses no points, smoothing outside [0, 1) and a non-positive epochSteps', () => {
    expect(() => batchLossChart([])).toThrow("chart 'Batch loss': no batch losses to plot");
    expect(() => batchLossChart(points, { smoothing: 1 })).toThrow(/smoothing must be in \[0, 1\), got 1/);
    expect(() => batchLossChart(points, { epochSteps: 0 })).toThrow(/epochSteps must be a positive number/);
  });
});
