import type { ChartGridSpec, LineChartSpec } from './types.js';
import { chartGridVegaLite, lineChartVegaLite } from './vega-lite-spec.js';
import { vegaLiteSvg } from './vega-lite-svg.js';

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
  return vegaLiteSvg(lineChartVegaLite(spec), spec.title || '(untitled)');
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
  return vegaLiteSvg(chartGridVegaLite(grid), grid.title ?? '(grid)');
}
