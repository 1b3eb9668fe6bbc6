import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChartError } from './errors.js';
import type { ReportDocument } from './report-document.js';
import { ReportError } from './report-error.js';
import { sampleReport } from './report-fixture.js';
import { PNG_SIGNATURE, pngHeader } from './test-helpers.js';
import type { VegaLiteSpec } from './vega-lite-svg.js';
import { writeReport } from './write-report.js';

const root = mkdtempSync(join(tmpdir(), 'anneal-report-doc-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const bars: VegaLiteSpec = {
  data: { values: [{ k: 'a', v: 1 }, { k: 'b', v: 2 }] },
  mark: 'bar',
  encoding: { x: { field: 'k', type: 'nominal' }, y: { field: 'v', type: 'quantitative' } },
};
const broken: VegaLiteSpec = { ...bars, transform: [{ calculate: 'datum.v +* 2', as: 'w' }] } as VegaLiteSpec;

describe('writeReport', () => {
  it('writes every chart as SVG and PNG, report.md linking the PNGs and report.html inlining the SVGs', async () => {
    const dir = join(root, 'full');
    const doc = sampleReport();
    const names = doc.sections.flatMap((s) => s.charts ?? []).map((c) => c.name);
    const out = await writeReport(dir, doc);
    expect(out.html).toBe(join(dir, 'report.html'));
    expect(out.md).toBe(join(dir, 'report.md'));
    expect(out.charts.map((c) => c.name)).toEqual(names);
    expect(readdirSync(dir).sort()).toEqual(['charts', 'report.html', 'report.md']);
    expect(readdirSync(join(dir, 'charts')).sort()).toEqual(names.flatMap((n) => [`${n}.png`, `${n}.svg`]).sort());
    for (const c of out.charts) {
      expect(readFileSync(c.svg, 'utf8')).toMatch(/^<svg /);
      expect([...readFileSync(c.png).subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    }
    const md = readFileSync(out.md, 'utf8');
    const images = [...md.matchAll(/^!\[[^\]]*\]\(([^)]+)\)$/gm)].map((m) => m[1]);
    expect(images).toEqual(names.map((n) => `charts/${n}.png`));
    for (const img of images) expect(existsSync(join(dir, img))).toBe(true);
    const html = readFileSync(out.html, 'utf8');
    const figures = [...html.matchAll(/<figure class="chart" data-chart="([\w-]+)">\n<svg[\s\S]*?<\/svg>/g)];
    expect(figures.map((f) => f[1])).toEqual(names);
    for (const f of figures) expect(f[0]).toMatch(/<path[^>]* d="M/);
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toContain('chart-grid-gradient_0'); // the colour legend's gradient
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of html.matchAll(/url\(#([^)]+)\)/g)) expect(ids).toContain(m[1]);
    expect(html).not.toMatch(/<script|https?:\/\//i);
  });

  it('prefixes the clip paths of inlined charts with the chart name and keeps references intact', async () => {
    // Vega numbers clip paths with a counter, so SVGs rendered in another process or run reuse ids.
    const clipped: VegaLiteSpec = { ...bars, mark: { type: 'bar', clip: true } } as VegaLiteSpec;
    const out = await writeReport(join(root, 'clips'), {
      title: 't',
      sections: [{ id: 's', title: 'S', charts: [{ name: 'a', title: 'A', spec: clipped }, { name: 'b', title: 'B', spec: clipped }] }],
    });
    const html = readFileSync(out.html, 'utf8');
    for (const c of out.charts) {
      const own = /<clipPath id="([^"]+)"/.exec(readFileSync(c.svg, 'utf8'))?.[1];
      expect(own).toMatch(/^clip\d+$/);
      expect(html).toContain(`<clipPath id="chart-${c.name}-${own}">`);
      expect(html).toContain(`clip-path="url(#chart-${c.name}-${own})"`);
    }
  });

  it('renders PNGs at the requested scale', async () => {
    const out = await writeReport(join(root, 'scaled'), { title: 't', sections: [{ id: 's', title: 'S', charts: [{ name: 'bars', title: 'Bars', spec: bars }] }] }, { png: { scale: 2 } });
    const width = Number(/^<svg [^>]*width="(\d+)"/.exec(readFileSync(out.charts[0].svg, 'utf8'))?.[1]);
    expect(pngHeader(readFileSync(out.charts[0].png)).width).toBe(2 * width);
  });

  it('refuses two charts with one name before writing anything', async () => {
    const dir = join(root, 'dup');
    const doc: ReportDocument = {
      title: 't',
      sections: [
        { id: 'a', title: 'A', charts: [{ name: 'loss', title: 'one', spec: bars }] },
        { id: 'b', title: 'B', charts: [{ name: 'loss', title: 'two', spec: bars }] },
      ],
    };
    const e = await writeReport(dir, doc).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ReportError);
    expect((e as ReportError).path).toBe("sections[1] 'b'.charts[0]");
    expect((e as ReportError).message).toMatch(/chart name 'loss' is already used by sections\[0\] 'a'\.charts\[0\]/);
    expect(existsSync(dir)).toBe(false);
    const badName: ReportDocument = { title: 't', sections: [{ id: 'a', title: 'A', charts: [{ name: '../x', title: 'x', spec: bars }] }] };
    await expect(writeReport(dir, badName)).rejects.toThrow(/chart name '\.\.\/x' must be letters, digits/);
  });

  it('leaves an existing report untouched when a chart cannot be rendered', async () => {
    const dir = join(root, 'keep');
    await writeReport(dir, { title: 'old', sections: [{ id: 'a', title: 'A', charts: [{ name: 'bars', title: 'Bars', spec: bars }] }] });
    const before = readFileSync(join(dir, 'report.html'), 'utf8');
    writeFileSync(join(dir, 'report.md'), 'old md');
    const doc: ReportDocument = {
      title: 'new',
      sections: [{ id: 'a', title: 'A', charts: [{ name: 'bars', title: 'Bars', spec: bars }, { name: 'broken', title: 'Broken', spec: broken }] }],
    };
    const e = await writeReport(dir, doc).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ChartError);
    expect((e as ChartError).chart).toBe('Broken');
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toBe(before);
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toBe('old md');
    expect(readdirSync(join(dir, 'charts')).sort()).toEqual(['bars.png', 'bars.svg']);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
