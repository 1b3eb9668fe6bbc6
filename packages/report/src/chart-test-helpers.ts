// Helpers for this package's chart specs only (not exported from index.ts): pick marks, texts
// and positions out of the SVG that Vega renders.

/** The elements (as markup) inside every `<g class="mark-<kind> role-mark ...">` group. */
export function markElements(svg: string, kind: 'line' | 'area' | 'symbol' | 'rect' | 'rule' | 'text'): string[] {
  const out: string[] = [];
  const group = new RegExp(`<g class="mark-${kind} role-mark[^"]*"[^>]*>(.*?)</g>`, 'g');
  for (const m of svg.matchAll(group)) {
    for (const e of m[1].matchAll(/<(path|line|text)\b[^>]*?(?:\/>|>.*?<\/\1>)/g)) out.push(e[0]);
  }
  return out;
}

/** The contents of every `<text>` element, unescaped (`&lt;` back to `<`, ...). */
export function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) =>
    m[1].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&'),
  );
}

/** An attribute of an element's markup, or undefined. */
export function attr(element: string, name: string): string | undefined {
  return new RegExp(`\\s${name}="([^"]*)"`).exec(element)?.[1];
}

/** The x and y of an element's `transform="translate(x,y)"`. */
export function translate(element: string): { x: number; y: number } {
  const m = /transform="translate\(([-\d.e]+),([-\d.e]+)\)/.exec(element);
  if (!m) throw new Error(`no translate() in ${element.slice(0, 80)}`);
  return { x: Number(m[1]), y: Number(m[2]) };
}

/** The text label element whose content is exactly `label`. */
export function textElement(svg: string, label: string): string {
  const found = [...svg.matchAll(/<text[^>]*>[^<]*<\/text>/g)].map((m) => m[0]).find((t) => t.endsWith(`>${label}</text>`));
  if (!found) throw new Error(`no <text> '${label}' in the SVG`);
  return found;
}

/** Vertices of an SVG path made of M/L commands, as [x, y] pairs. */
export function pathVertices(d: string): [number, number][] {
  return [...d.matchAll(/[ML]([-\d.e]+),([-\d.e]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}
