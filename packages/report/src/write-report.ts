import { join } from 'node:path';
import { writeFileAtomic } from '@anneal/onnx';
import { reportCharts, validateReport, type ReportDocument } from './report-document.js';
import { reportHtml } from './report-html.js';
import { reportMarkdown, type ChartFiles } from './report-markdown.js';
import { svgToPng, type PngOptions } from './svg-to-png.js';
import { vegaLiteSvg } from './vega-lite-svg.js';

/** Paths written by writeReport. */
export interface WrittenReport {
  html: string;
  md: string;
  charts: { name: string; svg: string; png: string }[];
}

/** Options of writeReport. */
export interface WriteReportOptions {
  /** Rasterization of the chart PNGs (default scale 2: sharp on high-density screens). */
  png?: PngOptions;
}

/**
 * Writes a report to `dir`: every chart as `charts/<name>.svg` and `.png`, then `report.md`
 * (images linked relatively) and `report.html` (self-contained, SVGs inlined), creating the
 * directories. Everything is rendered before anything is written and each file is written to a
 * temporary sibling and renamed, so a bad document (a ReportError, e.g. two charts with one
 * name) or a chart Vega cannot draw (a ChartError) leaves an existing report untouched.
 *
 * @example
 * ```ts
 * const out = await writeReport('runs/7/report', {
 *   title: 'Run 7',
 *   sections: [{ id: 'loss', title: 'Loss', status: 'ok', charts: [{ name: 'loss', title: 'Loss', spec: lineChartVegaLite(lossChart(epochs)) }] }],
 * });
 * console.log(out.html); // runs/7/report/report.html
 * ```
 */
export async function writeReport(dir: string, doc: ReportDocument, options: WriteReportOptions = {}): Promise<WrittenReport> {
  validateReport(doc);
  const rendered: { name: string; svg: string; png: Buffer }[] = [];
  for (const chart of reportCharts(doc)) {
    const svg = await vegaLiteSvg(chart.spec, chart.title || chart.name);
    rendered.push({ name: chart.name, svg, png: svgToPng(svg, options.png) });
  }
  const relative: Record<string, ChartFiles> = {};
  const svgs: Record<string, string> = {};
  for (const c of rendered) {
    relative[c.name] = { svg: `charts/${c.name}.svg`, png: `charts/${c.name}.png` };
    svgs[c.name] = c.svg;
  }
  const md = reportMarkdown(doc, relative);
  const html = reportHtml(doc, svgs);
  const charts = rendered.map((c) => {
    const out = { name: c.name, svg: join(dir, relative[c.name].svg), png: join(dir, relative[c.name].png) };
    writeFileAtomic(out.svg, c.svg);
    writeFileAtomic(out.png, c.png);
    return out;
  });
  const written = { html: join(dir, 'report.html'), md: join(dir, 'report.md'), charts };
  writeFileAtomic(written.md, md);
  writeFileAtomic(written.html, html);
  return written;
}
