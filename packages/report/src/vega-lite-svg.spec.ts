import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChartError } from './errors.js';
import { PNG_SIGNATURE, pngHeader } from './test-helpers.js';
import { vegaLiteSvg, writeVegaLite, type VegaLiteSpec } from './vega-lite-svg.js';

const bars: VegaLiteSpec = {
  title: 'importance',
  width: 300,
  height: 120,
  data: { values: [{ param: 'lr', importance: 0.7 }, { param: 'momentum', importance: 0.2 }, { param: 'wd', importance: 0.1 }] },
  mark: 'bar',
  encoding: {
    y: { field: 'param', type: 'nominal', title: 'parameter' },
    x: { field: 'importance', type: 'quantitative', title: 'share of variance' },
  },
};

/** A spec Vega-Lite accepts as JSON but Vega cannot run (an expression that does not parse). */
const broken: VegaLiteSpec = {
  title: 'broken',
  data: { values: [{ a: 1 }] },
  transform: [{ calculate: 'datum.a +* 2', as: 'b' }],
  mark: 'point',
  encoding: { x: { field: 'b', type: 'quantitative' } },
};

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'anneal-vl-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('vegaLiteSvg', () => {
  it('renders any Vega-Lite spec: one rect per bar, axis titles and category labels', async () => {
    const svg = await vegaLiteSvg(bars, 'bars');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    for (const t of ['importance', 'parameter', 'share of variance', 'lr', 'momentum', 'wd']) expect(svg).toContain(`>${t}</text>`);
    const rects = /<g class="mark-rect role-mark[^"]*"[^>]*>(.*?)<\/g>/.exec(svg)?.[1] ?? '';
    expect(rects.match(/<path/g)).toHaveLength(3);
  });

  it('rejects a spec Vega cannot run with a ChartError carrying the given name', async () => {
    const e = await vegaLiteSvg(broken, 'my chart').catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ChartError);
    expect((e as ChartError).chart).toBe('my chart');
    expect((e as ChartError).message).toMatch(/Vega could not render/);
  });
});

describe('writeVegaLite', () => {
  it('writes <path>.svg and <path>.png of the same size, creating the directory', async () => {
    const dir = tempDir();
    const out = await writeVegaLite(join(dir, 'study', 'importance.svg'), bars, { scale: 2 });
    expect(out).toEqual({ svg: join(dir, 'study', 'importance.svg'), png: join(dir, 'study', 'importance.png') });
    expect(readdirSync(join(dir, 'study')).sort()).toEqual(['importance.png', 'importance.svg']);
    const svg = readFileSync(out.svg, 'utf8');
    const width = Number(/^<svg [^>]*width="(\d+)"/.exec(svg)?.[1]);
    const png = readFileSync(out.png);
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(pngHeader(png).width).toBe(2 * width);
  });

  it('on a bad spec rejects, names the chart by its title and leaves existing files untouched', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.svg'), 'old svg');
    writeFileSync(join(dir, 'c.png'), 'old png');
    const e = await writeVegaLite(join(dir, 'c'), broken).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ChartError);
    expect((e as ChartError).chart).toBe('broken');
    expect(readdirSync(dir).sort()).toEqual(['c.png', 'c.svg']);
    expect(readFileSync(join(dir, 'c.svg'), 'utf8')).toBe('old svg');
    const untitled = await writeVegaLite(join(dir, 'nameless'), { ...broken, title: undefined }).catch((err: unknown) => err);
    expect((untitled as ChartError).chart).toBe('nameless');
  });
});
