import { ReportError } from './report-error.js';

/** Markup a chart SVG must not carry into an offline page: scripts, embedded HTML, links out. */
const UNSAFE = /<script|<foreignObject|<iframe|<image|javascript:|(?:href|src)\s*=\s*["'](?!#)|url\(\s*["']?(?!#)/i;

/**
 * Prepares a standalone SVG document (as Vega renders it) for inlining into an HTML page:
 * drops the XML prolog and the namespace declarations (HTML's parser supplies them), and
 * prefixes every `id` and every `url(#…)` / `href="#…"` reference with `prefix`, so the clip
 * paths and gradients of one chart cannot capture another's when several sit in one page.
 * Refuses SVG that is not a lone `<svg>` element or that could run code or fetch something.
 */
export function inlineSvg(svg: string, prefix: string, where: string): string {
  const body = svg.replace(/^\s*<\?xml[^>]*\?>\s*/, '').trim();
  if (!body.startsWith('<svg') || !body.endsWith('</svg>')) {
    throw new ReportError(where, `expected an SVG document (<svg ...>...</svg>), got '${body.slice(0, 40)}...'; pass the output of vegaLiteSvg.`);
  }
  if (UNSAFE.test(body)) {
    throw new ReportError(where, 'the SVG contains a script, embedded HTML, an image or an external link; an offline report inlines only plain chart SVG.');
  }
  return body
    .replace(/^<svg([^>]*)>/, (_, attrs: string) => `<svg${attrs.replace(/\s+xmlns(:\w+)?="[^"]*"/g, '')}>`)
    .replace(/\sid="([^"]+)"/g, (_, id: string) => ` id="${prefix}${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${prefix}${id})`)
    .replace(/(\s(?:xlink:)?href=")#([^"]+)"/g, (_, attr: string, id: string) => `${attr}#${prefix}${id}"`);
}
