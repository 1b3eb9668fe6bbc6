import { describe, expect, it } from 'vitest';
import { attr, markElements, pathVertices, svgTexts } from './chart-test-helpers.js';
import { ChartError } from './errors.js';
import { lrProbeChart } from './lr-probe-chart.js';
import { vegaLiteSvg } from './vega-lite-svg.js';

const decay = (lr: number) => Array.from({ length: 10 }, (_, i) => 2.3 - 0.5 * (1 - Math.exp(-i * lr * 100)));

const legendLabels = (svg: string) =>
  [...svg.matchAll(/<g class="mark-text role-legend-label"[^>]*>(.*?)<\/g>/g)].flatMap((m) => [...m[1].matchAll(/>([^<]*)<\/text>/g)].map((t) => t[1]));

describe('lrProbeChart', () => {
  it('draws one line per learning rate, in increasing lr, labelled kept or dropped', async () => {
    const svg = await vegaLiteSvg(lrProbeChart([
      { lr: 1e-2, losses: decay(1e-2), kept: true },
      { lr: 3e-3, losses: decay(3e-3), kept: true },
      { lr: 1e-4, losses: decay(1e-4), kept: false },
    ]), 'probes');
    expect(legendLabels(svg)).toEqual(['lr 1e-4 (dropped)', 'lr 3e-3 (kept)', 'lr 1e-2 (kept)']);
    for (const t of ['Learning-rate probes', 'iteration', 'loss']) expect(svgTexts(svg)).toContain(t);
    const lines = markElements(svg, 'line');
    expect(lines).toHaveLength(3);
    const dropped = lines.find((l) => l.includes('lr 1e-4 (dropped)')) ?? '';
    const kept = lines.filter((l) => l.includes('(kept)'));
    expect(attr(dropped, 'stroke-dasharray')).toBe('6,4');
    expect(attr(dropped, 'opacity')).toBe('0.5');
    for (const k of kept) expect(attr(k, 'stroke-dasharray')).toBeUndefined();
    expect(markElements(svg, 'symbol')).toHaveLength(20); // points on the kept lines only
    for (const l of lines) expect(pathVertices(attr(l, 'd') ?? '')).toHaveLength(10);
  });

  it('stops the loss axis at twice the largest first loss so a diverging probe does not flatten the rest', async () => {
    const diverging = Array.from({ length: 10 }, (_, i) => 2 * 3 ** i); // 2, 6, 18, ...
    const spec = lrProbeChart([{ lr: 1e-3, losses: decay(1e-3), kept: true }, { lr: 1, losses: diverging, kept: false }]);
    const rows = (spec as { layer: { data: { values: { loss: number; iteration: number; probe: string }[] } }[] }).layer.flatMap((l) => l.data.values);
    const cap = 2 * 2.3;
    expect(Math.max(...rows.map((r) => r.loss))).toBeCloseTo(cap, 12);
    const crossing = rows.find((r) => r.probe === 'lr 1 (dropped)' && r.iteration > 1 && r.iteration < 2);
    expect(crossing?.iteration).toBeCloseTo(1 + (cap - 2) / (6 - 2), 12);
    const svg = await vegaLiteSvg(spec, 'probes');
    expect(svgTexts(svg)).toContain('losses above 4.6 (twice the largest first loss) are drawn at the top edge');
    const height = Number(/^<svg [^>]*height="(\d+)"/.exec(svg)?.[1]);
    expect(height).toBeLessThan(450); // nothing is drawn far outside the plot
  });

  it('skips NaN losses and refuses no probes, a bad lr, a repeated lr and all-NaN losses', () => {
    const spec = lrProbeChart([{ lr: 1e-3, losses: [2, NaN, 1.5], kept: true }]) as { layer: { data: { values: unknown[] } }[] };
    expect(spec.layer[0].data.values).toHaveLength(2);
    expect(() => lrProbeChart([])).toThrow(ChartError);
    expect(() => lrProbeChart([{ lr: 0, losses: [1], kept: true }])).toThrow(/probes\[0\]\.lr must be a positive number, got 0/);
    expect(() => lrProbeChart([{ lr: 1e-3, losses: [1], kept: true }, { lr: 1e-3, losses: [1], kept: false }])).toThrow(/appears twice/);
    expect(() => lrProbeChart([{ lr: 1e-3, losses: [NaN], kept: true }])).toThrow(/nothing to draw/);
  });
});
