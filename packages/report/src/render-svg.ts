import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { ChartError } from './errors';
import type { ChartGridSpec, LineChartSpec } from './types';
import { chartGridVegaLite, lineChartVegaLite } from './vega-lite-spec';

/**
 * Renders a line chart to an SVG document (a string starting with `<svg`), in Node without a
 * browser or a canvas: Vega's headless View draws the scenegraph straight to SVG markup.
 *
 * @example
 * ```ts
 * const svg = await lineChartSvg({
 *   title: 'training loss', x: { label: 'epoch' }, y: { label: 'loss', log: true },
 *   series: [{ name: 'train', points: [{ x: 1, y: 0.9, lo: 0.7, hi: 1.1 }, { x: 2, y: 0.4, lo: 0.3, hi: 0.5 }] }],
 * });
 * ```
 */
export async function lineChartSvg(spec: LineChartSpec): Promise<string> {
  return renderSvg(spec.title || '(untitled)', lineChartVegaLite(spec));
}

/**
 * Renders several line charts side by side (`columns` per row) to one SVG document.
 *
 * @example
 * ```ts
 * const svg = await chartGridSvg({ title: 'run 7', columns: 2, charts: [lossChart(epochs), accuracyChart(epochs)] });
 * ```
 */
export async function chartGridSvg(grid: ChartGridSpec): Promise<string> {
  return renderSvg(grid.title ?? '(grid)', chartGridVegaLite(grid));
}

async function renderSvg(chart: string, spec: TopLevelSpec): Promise<string> {
  let view: vega.View | undefined;
  try {
    // Vega-Lite's warnings (e.g. a dropped scale option) go nowhere: a CLI should not print them.
    const compiled = compile(spec, { logger: vega.logger(vega.None) }).spec;
    view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.None });
    return await view.toSVG();
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    throw new ChartError(chart, `Vega could not render the chart: ${detail}`);
  } finally {
    view?.finalize();
  }
}
