import { writeFileAtomic } from '@anneal/onnx';
import { lineChartSvg, chartGridSvg } from './render-svg.js';
import { svgToPng, type PngOptions } from './svg-to-png.js';
import type { ChartGridSpec, LineChartSpec } from './types.js';

/** Paths written by writeChart. */
export interface WrittenChart {
  svg: string;
  png: string;
}

/**
 * Renders a chart (or a grid of charts) and writes `<path>.svg` and `<path>.png`, creating the
 * directory. Both are rendered before either is written, and each file is written to a temporary
 * sibling and renamed, so bad input or a crash never leaves a half-written or stale pair.
 * A trailing `.svg` or `.png` on the path is ignored. The PNG is drawn at 2x (sharp on high-density
 * screens and in documents) unless `png.scale` says otherwise.
 *
 * @example
 * ```ts
 * const { svg, png } = await writeChart('runs/7/loss', lossChart(epochs)); // runs/7/loss.svg, runs/7/loss.png
 * ```
 */
export async function writeChart(
  pathWithoutExtension: string,
  spec: LineChartSpec | ChartGridSpec,
  png: PngOptions = {},
): Promise<WrittenChart> {
  const base = pathWithoutExtension.replace(/\.(svg|png)$/i, '');
  const svgText = 'charts' in spec ? await chartGridSvg(spec) : await lineChartSvg(spec);
  const pngBytes = svgToPng(svgText, png);
  const out = { svg: `${base}.svg`, png: `${base}.png` };
  writeFileAtomic(out.svg, svgText);
  writeFileAtomic(out.png, pngBytes);
  return out;
}
