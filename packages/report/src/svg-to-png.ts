import { Resvg } from '@resvg/resvg-js';
import { ChartError } from './errors.js';

/** Options of svgToPng. */
export interface PngOptions {
  /** Pixel density: 2 (the default) gives a PNG twice the SVG's width and height, sharp on high-density screens and in documents. */
  scale?: number;
  /** CSS colour painted under the chart; default `'white'`. */
  background?: string;
}

/** Family resvg uses for generic `sans-serif` and for text whose families are all missing. */
const FALLBACK_FAMILY = 'DejaVu Sans';

/**
 * Rasterizes an SVG document to PNG bytes with resvg (pure Rust, prebuilt binary from npm; no
 * browser, canvas or cairo). Text uses the system fonts: the charts ask for DejaVu Sans, then
 * Liberation Sans, Arial, Helvetica; with none of them installed, labels are missing from the
 * PNG (the SVG is unaffected) — on Debian, `apt-get install fonts-dejavu-core`.
 *
 * @example
 * ```ts
 * writeFileSync('loss.png', svgToPng(await lineChartSvg(lossChart(epochs)), { scale: 2 }));
 * ```
 */
export function svgToPng(svg: string, options: PngOptions = {}): Buffer {
  const scale = options.scale ?? 2;
  if (!(Number.isFinite(scale) && scale > 0 && scale <= 16)) {
    throw new ChartError('(svg)', `scale must be a number in (0, 16], got ${scale}.`);
  }
  try {
    const resvg = new Resvg(svg, {
      background: options.background ?? 'white',
      fitTo: scale === 1 ? { mode: 'original' } : { mode: 'zoom', value: scale },
      font: { loadSystemFonts: true, defaultFontFamily: FALLBACK_FAMILY, sansSerifFamily: FALLBACK_FAMILY },
      logLevel: 'off',
    });
    return resvg.render().asPng();
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    throw new ChartError('(svg)', `resvg could not rasterize the SVG (${svg.slice(0, 40)}...): ${detail}`);
  }
}
