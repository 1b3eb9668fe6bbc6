import { describe, expect, it } from 'vitest';
import { attr, markElements, svgTexts, textElement, translate } from './chart-test-helpers.js';
import { ChartError } from './errors.js';
import { ratioChart } from './ratio-chart.js';
import { vegaLiteSvg } from './vega-lite-svg.js';

const steps = (ratios: Record<string, (i: number) => number>, n = 20) =>
  Array.from({ length: n }, (_, i) => ({ step: (i + 1) * 10, ratios: Object.fromEntries(Object.entries(ratios).map(([k, f]) => [k, f(i)])) }));

/** Legend labels: the texts of the legend's label marks. */
const legendLabels = (svg: string) =>
  [...svg.matchAll(/<g class="mark-text role-legend-label"[^>]*>(.*?)<\/g>/g)].flatMap((m) => [...m[1].matchAll(/>([^<]*)<\/text>/g)].map((t) => t[1]));

describe('ratioChart', () => {
  it('draws one line per tensor on a log axis with rules and labels at 1e-4, 1e-3 and 1e-2', async () => {
    const svg = await vegaLiteSvg(ratioChart(steps({ 'fc.weight': () => 2e-3, 'fc.bias': (i) => 1e-4 * (1 + i / 10), 'conv.weight': () => 5e-5 })), 'r');
    expect(markElements(svg, 'line')).toHaveLength(3);
    expect(legendLabels(svg)).toEqual(['fc.weight', 'fc.bias', 'conv.weight']);
    const texts = svgTexts(svg);
    for (const t of ['Update / weight ratio', 'step', '‖update‖ / ‖weight‖', 'high 1e-2', 'typical 1e-3', 'low 1e-4']) expect(texts).toContain(t);
    const rules = markElements(svg, 'rule');
    expect(rules).toHaveLength(3);
    // Log scale: the three rules one decade apart are evenly spaced, and 1e-3 sits at its tick.
    const ys = rules.map((r) => translate(r).y);
    expect(ys[1] - ys[0]).toBeCloseTo(ys[2] - ys[1], 6);
    expect(ys[1]).toBeCloseTo(translate(textElement(svg, '1e-3')).y - 3, 0);
    expect(attr(rules[0], 'stroke-dasharray')).toBe('6,4');
    expect(markElements(svg, 'rect')).toHaveLength(1); // the shaded band
  });

  it('keeps the maxTensors tensors whose median is furthest from 1e-3 (median, not mean) and says so', async () => {
    const spec = ratioChart(
      steps({
        typical: () => 1e-3,
        spiky: (i) => (i === 0 ? 1 : 1e-3), // one huge outlier: its mean is far, its median is not
        tiny: () => 1e-6,
        slightlyHigh: () => 3e-3,
        huge: () => 0.5,
      }),
      { maxTensors: 2 },
    );
    const svg = await vegaLiteSvg(spec, 'r');
    expect(legendLabels(svg)).toEqual(['tiny', 'huge']);
    expect(markElements(svg, 'line')).toHaveLength(2);
    expect(svgTexts(svg)).toContain('2 of 5 tensors shown: those whose median ratio is furthest from 1e-3');
  });

  it('leaves out ratios <= 0 or NaN and notes tensors with nothing to draw', async () => {
    const svg = await vegaLiteSvg(ratioChart(steps({ live: (i) => (i % 2 ? NaN : 1e-3), frozen: () => 0 })), 'r');
    expect(legendLabels(svg)).toEqual(['live']);
    expect((attr(markElements(svg, 'line')[0], 'd')?.match(/[ML]/g) ?? []).length).toBe(10);
    expect(svgTexts(svg)).toContain('1 without a ratio > 0 left out');
  });

  it('moves the band edges with low and high', async () => {
    const svg = await vegaLiteSvg(ratioChart(steps({ w: () => 1e-3 }), { low: 1e-5, high: 1e-1 }), 'r');
    expect(svgTexts(svg)).toEqual(expect.arrayContaining(['low 1e-5', 'high 1e-1']));
  });

  it('refuses a bad band, a bad maxTensors and data with nothing to draw', () => {
    expect(() => ratioChart(steps({ w: () => 1e-3 }), { low: 1e-2, high: 1e-3 })).toThrow(/0 < low < high/);
    expect(() => ratioChart(steps({ w: () => 1e-3 }), { maxTensors: 0 })).toThrow(/maxTensors must be an integer >= 1/);
    expect(() => ratioChart(steps({ w: () => 0 }))).toThrow(ChartError);
    expect(() => ratioChart([])).toThrow(/nothing to draw/);
  });
});
