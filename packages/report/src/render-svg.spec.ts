import { describe, expect, it } from 'vitest';
import { ChartError } from './errors.js';
import { chartGridSvg, lineChartSvg } from './render-svg.js';
import { markPaths } from './test-helpers.js';
import type { LineChartSpec } from './types.js';

const band: LineChartSpec = {
  title: 'Loss & <friends>',
  x: { label: 'epoch' },
  y: { label: 'loss' },
  width: 500,
  height: 300,
  series: [
    { name: 'train', points: [1, 2, 3, 4].map((x) => ({ x, y: 1 / x, lo: 0.8 / x, hi: 1.2 / x })) },
    { name: 'val', mark: 'line+points', points: [1, 2, 3, 4].map((x) => ({ x, y: 1.1 / x })) },
    { name: 'batch', mark: 'points', opacity: 0.3, points: [0.5, 1.5, 2.5].map((x) => ({ x, y: 1 / x })) },
  ],
};

/** Number of vertices of an SVG path made of M/L commands. */
const vertices = (d: string) => (d.match(/[ML]/g) ?? []).length;

describe('lineChartSvg', () => {
  it('renders a well-formed SVG of the requested size with the escaped title', async () => {
    const svg = await lineChartSvg(band);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toMatch(/^<svg [^>]*width="500" height="300"/);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<g[\s>]/g)?.length).toBe(svg.match(/<\/g>/g)?.length);
    expect(svg).toContain('Loss &amp; &lt;friends&gt;');
    expect(svg).toContain('>epoch</text>');
    for (const name of ['train', 'val', 'batch']) expect(svg).toContain(`>${name}</text>`);
  });

  it('draws one path per line series, one symbol per point and the band as an area', async () => {
    const svg = await lineChartSvg(band);
    const lines = markPaths(svg, 'line');
    expect(lines).toHaveLength(2);
    expect(lines.map(vertices)).toEqual([4, 4]);
    expect(markPaths(svg, 'symbol')).toHaveLength(4 + 3); // val's points + batch points
    const areas = markPaths(svg, 'area');
    expect(areas).toHaveLength(1);
    expect(vertices(areas[0])).toBe(8); // 4 lo + 4 hi vertices
  });

  it('draws no area without lo/hi or with band: false', async () => {
    const noBand = await lineChartSvg({ ...band, series: [{ ...band.series[0], band: false }] });
    expect(markPaths(noBand, 'area')).toHaveLength(0);
    expect(markPaths(noBand, 'line')).toHaveLength(1);
  });

  it('renders with NaN and infinite points dropped, not crashed', async () => {
    const svg = await lineChartSvg({
      ...band,
      series: [{ name: 'diverging', points: [{ x: 1, y: 1 }, { x: 2, y: NaN }, { x: 3, y: Infinity }, { x: 4, y: 0.5 }, { x: 5, y: 0.4 }] }],
    });
    const [line] = markPaths(svg, 'line');
    expect(vertices(line)).toBe(3);
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it('renders log axes with decade ticks', async () => {
    const svg = await lineChartSvg({
      title: 'lr', x: { label: 'step' }, y: { label: 'lr', log: true },
      series: [{ name: 'lr', points: [0, 1, 2, 3].map((i) => ({ x: i, y: 10 ** -i })) }],
    });
    expect(svg).toContain('>0.001</text>');
    expect(svg).toContain('>1</text>');
  });

  it('labels an integer axis at whole numbers only, where the default puts ticks at halves', async () => {
    const spec: LineChartSpec = { title: 'ens', x: { label: 'seed group' }, y: { label: 'acc' }, width: 460, height: 300, series: [{ name: 'a', points: [1, 2, 3].map((x) => ({ x, y: 90 + x })) }] };
    // tick labels below 10 are the x axis' (y runs 91..93)
    const xTicks = async (s: LineChartSpec) => [...(await lineChartSvg(s)).matchAll(/>([0-9.]+)<\/text>/g)].map((m) => m[1]!).filter((t) => Number(t) < 10);
    expect(await xTicks(spec)).toContain('1.4');
    expect(await xTicks({ ...spec, x: { label: 'seed group', integer: true } })).toEqual(['1', '2', '3']);
  });

  it('rejects an empty series with a ChartError naming the chart', async () => {
    const e = await lineChartSvg({ ...band, series: [{ name: 'train', points: [] }] }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ChartError);
    expect((e as ChartError).chart).toBe('Loss & <friends>');
  });
});

describe('chartGridSvg', () => {
  it('renders every chart of the grid with its own title', async () => {
    const svg = await chartGridSvg({ title: 'run 7', charts: [band, { ...band, title: 'second chart' }] });
    expect(svg.startsWith('<svg')).toBe(true);
    for (const t of ['run 7', 'Loss &amp; &lt;friends&gt;', 'second chart']) expect(svg).toContain(`>${t}</text>`);
    expect(markPaths(svg, 'line')).toHaveLength(4);
  });
});
