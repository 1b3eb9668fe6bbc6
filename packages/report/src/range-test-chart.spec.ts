import { describe, expect, it } from 'vitest';
import { debiasedEma } from './batch-loss-chart.js';
import { attr, markElements, pathVertices, svgTexts, textElement, translate } from './chart-test-helpers.js';
import { ChartError } from './errors.js';
import { rangeTestChart } from './range-test-chart.js';
import { vegaLiteSvg } from './vega-lite-svg.js';

const lrs = Array.from({ length: 61 }, (_, i) => 1e-6 * 10 ** (i / 10)); // 1e-6 .. 1
const losses = lrs.map((lr, i) => 2.3 - 1.4 / (1 + (1e-3 / lr) ** 1.5) + (lr > 0.1 ? 40 * (lr - 0.1) : 0) + 0.05 * Math.sin(i));
const smoothed = debiasedEma(losses, 0.8);

describe('rangeTestChart', () => {
  it('plots loss against lr on a log axis: ticks a decade apart are evenly spaced', async () => {
    const svg = await vegaLiteSvg(rangeTestChart({ lrs, losses, smoothed }), 'range');
    for (const t of ['Learning-rate range test', 'learning rate', 'loss', 'smoothed loss']) expect(svgTexts(svg)).toContain(t);
    const ticks = ['1e-5', '1e-4', '1e-3', '1e-2'].map((t) => translate(textElement(svg, t)).x);
    const gaps = ticks.slice(1).map((x, i) => x - ticks[i]);
    for (const g of gaps) expect(g).toBeCloseTo(gaps[0], 6);
    const [raw, smooth] = markElements(svg, 'line');
    expect(attr(raw, 'opacity')).toBe('0.7');
    expect(attr(smooth, 'stroke-width')).toBe('2.5');
  });

  it('puts labelled rules at the suggested, steepest and minimum learning rates', async () => {
    const svg = await vegaLiteSvg(rangeTestChart({ lrs, losses, smoothed, suggested: 3e-4, steepest: 1e-3, minimum: 3e-2 }), 'range');
    const rules = markElements(svg, 'rule');
    expect(rules).toHaveLength(3);
    expect(svgTexts(svg)).toEqual(expect.arrayContaining(['suggested 3e-4', 'steepest 1e-3', 'minimum 3e-2']));
    // On a log axis 3e-4 sits log10(3) of a decade right of 1e-4.
    const decade = translate(textElement(svg, '1e-3')).x - translate(textElement(svg, '1e-4')).x;
    const expected = translate(textElement(svg, '1e-4')).x + Math.log10(3) * decade;
    expect(translate(rules[0]).x).toBeCloseTo(expected, 0);
    expect(translate(rules[1]).x).toBeCloseTo(translate(textElement(svg, '1e-3')).x, 0);
  });

  it('cuts the divergence off a little above the highest loss before the smoothed minimum', async () => {
    const spec = rangeTestChart({ lrs, losses, smoothed });
    const best = smoothed.indexOf(Math.min(...smoothed));
    const cap = 1.1 * Math.max(...losses.slice(0, best + 1), ...smoothed.slice(0, best + 1));
    const values = (spec as { layer: { data: { values: { loss?: number }[] } }[] }).layer.flatMap((l) => l.data.values);
    expect(Math.max(...values.map((v) => v.loss ?? -Infinity))).toBeCloseTo(cap, 12);
    const svg = await vegaLiteSvg(spec, 'range');
    expect(svgTexts(svg).some((t) => /^losses above [\d.]+ are drawn at the top edge$/.test(t))).toBe(true);
    for (const line of markElements(svg, 'line')) {
      for (const [, y] of pathVertices(attr(line, 'd') ?? '')) expect(y).toBeGreaterThanOrEqual(-0.01);
    }
  });

  it('refuses mismatched lengths, no points and a bad suggestion', () => {
    expect(() => rangeTestChart({ lrs, losses: losses.slice(1), smoothed })).toThrow(/same length, got 61, 60, 61/);
    expect(() => rangeTestChart({ lrs: [], losses: [], smoothed: [] })).toThrow(ChartError);
    expect(() => rangeTestChart({ lrs, losses, smoothed, suggested: -1 })).toThrow(/suggested must be a learning rate > 0/);
  });
});
