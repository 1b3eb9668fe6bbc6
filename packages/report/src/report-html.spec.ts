import { describe, expect, it } from 'vitest';
import type { ReportDocument } from './report-document.js';
import { ReportError } from './report-error.js';
import { reportHtml } from './report-html.js';
import { sampleReport } from './report-fixture.js';

/** A minimal chart SVG with a clip path, shaped like Vega's output. */
const svgFor = (name: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" class="marks" width="300" height="200" viewBox="0 0 300 200">` +
  `<g clip-path="url(#clip1)"><path d="M0,0L300,200" stroke="#000"/><text>${name}</text></g>` +
  `<defs><clipPath id="clip1"><rect width="300" height="200"/></clipPath></defs></svg>`;

const doc = sampleReport();
const names = doc.sections.flatMap((s) => s.charts ?? []).map((c) => c.name);
const svgs = Object.fromEntries(names.map((n) => [n, svgFor(n)]));

describe('reportHtml', () => {
  const html = reportHtml(doc, svgs);

  it('is one self-contained page: inline CSS, no script, no external URL, a CSP that blocks fetches', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<style>');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link|@import|https?:\/\//i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('escapes every text: a title with <script> comes out inert', () => {
    expect(html).toContain('<title>Run 7 &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co</title>');
    expect(html).toContain('<h1>Run 7 &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co</h1>');
    expect(html).toContain('<p>A &lt;b&gt;bold&lt;/b&gt; claim stays plain text.</p>');
    expect(html).not.toContain('<b>bold</b>');
  });

  it('renders `code` spans as <code>', () => {
    expect(html).toContain('<p class="subtitle">ResNet-ish on <code>digits</code>, AdamW</p>');
    expect(html).toContain('<li>suggested lr: <code>3e-4</code></li>');
  });

  it('links a table of contents to every section, each with its status badge', () => {
    const toc = /<nav class="toc"[^>]*>([\s\S]*?)<\/nav>/.exec(html)?.[1] ?? '';
    const links = [...toc.matchAll(/<a href="#([\w-]+)">/g)].map((m) => m[1]);
    expect(links).toEqual(doc.sections.map((s) => s.id));
    for (const id of links) expect(html).toContain(`<section id="${id}"`);
    expect(toc).toContain('<a href="#lr">Learning rate</a> <span class="badge badge-warning">warning</span>');
    expect(toc).toContain('<a href="#notes">Notes | pipes &amp; <code>code|pipe</code></a></li>');
  });

  it('renders a section without content as its title and status', () => {
    expect(html).toContain('<section id="ensembles" class="status-skipped">\n<h2>Ensembles <span class="badge badge-skipped">skipped</span></h2>\n</section>');
  });

  it('styles tables with numeric columns right-aligned and numbers formatted', () => {
    const table = /<table>([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
    expect(table).toContain('<th scope="col" class="num">lr</th><th scope="col" class="num">weight decay</th><th scope="col">val accuracy</th>');
    expect(table).toContain('<td class="num">0.003</td>');
    expect(table.match(/<tr>/g)).toHaveLength(1 + 12);
  });

  it('shows findings with severity, evidence and suggestion', () => {
    expect(html).toContain('<div class="finding finding-warning">\n<h3><span class="badge badge-warning">warning</span> lr 1e-1 diverged</h3>');
    expect(html).toContain('<li>loss x2 after 4 iterations</li><li>grad norm 1e4</li>');
    expect(html).toContain('<p class="suggestion"><strong>Suggestion:</strong> Stay at or below <code>1e-2</code>.</p>');
  });

  it('inlines each SVG in a figure with a caption, ids prefixed so clip paths stay per chart', () => {
    const figures = [...html.matchAll(/<figure class="chart" data-chart="([\w-]+)">\n(<svg[\s\S]*?<\/svg>)\n<figcaption>(.*?)<\/figcaption>/g)];
    expect(figures.map((f) => f[1])).toEqual(names);
    const loss = figures[0];
    expect(loss[2]).not.toContain('xmlns');
    expect(loss[2]).toContain('clip-path="url(#chart-loss-clip1)"');
    expect(loss[2]).toContain('<clipPath id="chart-loss-clip1">');
    expect(loss[3]).toBe('<strong>Loss per epoch</strong> — mean ± std of the batch losses');
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of html.matchAll(/url\(#([^)]+)\)/g)) expect(ids).toContain(m[1]);
  });

  it('refuses a chart without SVG, an SVG that is not plain chart markup, and a bad document', () => {
    const { loss: _, ...withoutLoss } = svgs;
    expect(() => reportHtml(doc, withoutLoss)).toThrow(ReportError);
    expect(() => reportHtml(doc, withoutLoss)).toThrow("report sections[0] 'training'.charts[0]: no SVG given for chart 'loss'");
    for (const bad of ['<div>no svg</div>', '<svg><script>alert(1)</script></svg>', '<svg><image href="http://x/y.png"/></svg>', '<svg><a href="https://x">x</a></svg>']) {
      expect(() => reportHtml(doc, { ...svgs, loss: bad })).toThrow(ReportError);
    }
    const dup: ReportDocument = { title: 't', sections: [{ id: 'a', title: 'A' }, { id: 'a', title: 'B' }] };
    expect(() => reportHtml(dup, {})).toThrow("report sections[1] 'a': another section has the same id");
    const badRow: ReportDocument = { title: 't', sections: [{ id: 'a', title: 'A', table: { columns: ['x', 'y'], rows: [[1]] } }] };
    expect(() => reportHtml(badRow, {})).toThrow(/table\.rows\[0\]: has 1 cells but the table has 2 columns/);
  });
});
