import { basename } from 'node:path';
import { writeFileAtomic } from '@anneal/onnx';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { ChartError } from './errors.js';
import { svgToPng, type PngOptions } from './svg-to-png.js';
import type { WrittenChart } from './write-chart.js';

/**
 * Any Vega-Lite top-level spec (vega-lite's `TopLevelSpec`), re-exported so packages that build
 * their own charts (e.g. @anneal/search's study charts) need no direct vega-lite dependency.
 */
export type VegaLiteSpec = TopLevelSpec;

/**
 * Renders any Vega-Lite spec to an SVG document (a string starting with `<svg`), in Node without
 * a browser or a canvas: Vega-Lite compiles it to Vega and Vega's headless View draws the
 * scenegraph straight to SVG markup. Vega-Lite's warnings are silenced (a CLI should not print
 * them); a spec Vega cannot render rejects with a ChartError naming `name`.
 *
 * @example
 * ```ts
 * const svg = await vegaLiteSvg({
 *   data: { values: [{ param: 'lr', importance: 0.8 }, { param: 'wd', importance: 0.2 }] },
 *   mark: 'bar',
 *   encoding: { y: { field: 'param', type: 'nominal' }, x: { field: 'importance', type: 'quantitative' } },
 * }, 'importance');
 * ```
 */
export async function vegaLiteSvg(spec: VegaLiteSpec, name: string): Promise<string> {
  let view: vega.View | undefined;
  try {
    const compiled = compile(spec, { logger: vega.logger(vega.None) }).spec;
    view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.None });
    return await view.toSVG();
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    throw new ChartError(name, `Vega could not render the chart: ${detail}`);
  } finally {
    view?.finalize();
  }
}

/**
 * Renders a Vega-Lite spec and writes `<path>.svg` and `<path>.png`, creating the directory.
 * Both are rendered before either is written, and each file is written to a temporary sibling
 * and renamed, so a bad spec or a crash never leaves a half-written or stale pair. A trailing
 * `.svg` or `.png` on the path is ignored. Errors name the chart by the spec's string title, or
 * by the file name when it has none.
 *
 * @example
 * ```ts
 * const { svg, png } = await writeVegaLite('runs/study/importance', spec, { scale: 2 });
 * ```
 */
export async function writeVegaLite(pathWithoutExtension: string, spec: VegaLiteSpec, png: PngOptions = {}): Promise<WrittenChart> {
  const base = pathWithoutExtension.replace(/\.(svg|png)$/i, '');
  const title = 'title' in spec ? spec.title : undefined;
  const name = typeof title === 'string' && title ? title : basename(base);
  const svgText = await vegaLiteSvg(spec, name);
  const pngBytes = svgToPng(svgText, png);
  const out = { svg: `${base}.svg`, png: `${base}.png` };
  writeFileAtomic(out.svg, svgText);
  writeFileAtomic(out.png, pngBytes);
  return out;
}
