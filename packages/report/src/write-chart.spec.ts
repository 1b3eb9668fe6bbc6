import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChartError } from './errors.js';
import { PNG_SIGNATURE, pngHeader } from './test-helpers.js';
import type { LineChartSpec } from './types.js';
import { writeChart } from './write-chart.js';

const spec: LineChartSpec = {
  title: 'loss',
  x: { label: 'epoch' },
  y: { label: 'loss' },
  width: 320,
  height: 200,
  series: [{ name: 'train', points: [{ x: 1, y: 1, lo: 0.5, hi: 1.5 }, { x: 2, y: 0.5, lo: 0.3, hi: 0.7 }] }],
};

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'anneal-report-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('writeChart', () => {
  it('writes <path>.svg and <path>.png, creating the directory, and leaves no temp file', async () => {
    const dir = tempDir();
    const out = await writeChart(join(dir, 'runs', '7', 'loss'), spec);
    expect(out).toEqual({ svg: join(dir, 'runs', '7', 'loss.svg'), png: join(dir, 'runs', '7', 'loss.png') });
    expect(readdirSync(join(dir, 'runs', '7')).sort()).toEqual(['loss.png', 'loss.svg']);
    expect(readFileSync(out.svg, 'utf8')).toMatch(/^<svg [^>]*width="320" height="200"/);
    const png = readFileSync(out.png);
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(pngHeader(png)).toMatchObject({ width: 640, height: 400 }); // drawn at 2x by default
  });

  it('ignores a trailing .svg/.png and writes a grid when given one', async () => {
    const dir = tempDir();
    const out = await writeChart(join(dir, 'grid.png'), { title: 'run', charts: [spec, spec], columns: 2 }, { scale: 2 });
    expect(readdirSync(dir).sort()).toEqual(['grid.png', 'grid.svg']);
    const svgWidth = Number(/width="(\d+)"/.exec(readFileSync(out.svg, 'utf8'))?.[1]);
    expect(pngHeader(readFileSync(out.png)).width).toBe(2 * svgWidth);
  });

  it('on bad input rejects with a ChartError and leaves existing files untouched', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'loss.svg'), 'old svg');
    writeFileSync(join(dir, 'loss.png'), 'old png');
    const e = await writeChart(join(dir, 'loss'), { ...spec, series: [{ name: 'train', points: [] }] }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ChartError);
    expect(readdirSync(dir).sort()).toEqual(['loss.png', 'loss.svg']);
    expect(readFileSync(join(dir, 'loss.svg'), 'utf8')).toBe('old svg');
    expect(readFileSync(join(dir, 'loss.png'), 'utf8')).toBe('old png');
  });
});
