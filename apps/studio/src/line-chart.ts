// A small SVG line chart for the live curves: redrawn whole on each update (a few hundred points),
// no dependency. Text goes in as text nodes, never markup.

export interface ChartSeries {
  name: string;
  color: string;
  points: readonly [number, number][];
  /** Draw dots (epoch metrics) instead of a line (per-batch losses). */
  dots?: boolean;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  /** Label only whole x values (epochs). */
  integerX?: boolean;
  /** Fixed y range (accuracy: [0, 1]); by default the data's. */
  yDomain?: [number, number];
  yFormat?: (v: number) => string;
}

const SVG = 'http://www.w3.org/2000/svg';
const [W, H] = [420, 220];
const PAD = { left: 44, right: 12, top: 26, bottom: 34 };

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Round tick values covering [lo, hi]. */
function ticks(lo: number, hi: number, count = 4): number[] {
  const span = hi - lo || 1;
  const step = 10 ** Math.floor(Math.log10(span / count));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => span / s <= count) ?? span;
  const out: number[] = [];
  for (let v = Math.ceil(lo / nice) * nice; v <= hi + 1e-9; v += nice) out.push(Number(v.toPrecision(6)));
  return out;
}

/** Draws (or redraws) the chart into `host`. */
export function drawChart(host: HTMLElement, series: readonly ChartSeries[], o: ChartOptions): void {
  const all = series.flatMap((s) => s.points);
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': o.title, class: 'chart' });
  svg.append(el('text', { x: PAD.left, y: 16, class: 'chart-title' }, o.title));
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]).filter(Number.isFinite);
  const [x0, x1] = xs.length ? [Math.min(0, ...xs), Math.max(1, ...xs)] : [0, 1];
  let [y0, y1] = o.yDomain ?? (ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1]);
  if (y1 - y0 < 1e-9) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const sx = (x: number) => PAD.left + ((x - x0) / (x1 - x0)) * (W - PAD.left - PAD.right);
  const sy = (y: number) => H - PAD.bottom - ((y - y0) / (y1 - y0)) * (H - PAD.top - PAD.bottom);
  const fmt = o.yFormat ?? ((v: number) => String(Number(v.toPrecision(3))));
  for (const t of ticks(y0, y1)) {
    svg.append(el('line', { x1: PAD.left, x2: W - PAD.right, y1: sy(t), y2: sy(t), class: 'grid' }));
    svg.append(el('text', { x: PAD.left - 6, y: sy(t) + 4, class: 'tick', 'text-anchor': 'end' }, fmt(t)));
  }
  for (const t of ticks(x0, x1, 6).filter((v) => !o.integerX || Number.isInteger(v))) svg.append(el('text', { x: sx(t), y: H - PAD.bottom + 14, class: 'tick', 'text-anchor': 'middle' }, String(t)));
  svg.append(el('text', { x: (PAD.left + W - PAD.right) / 2, y: H - 4, class: 'axis-label', 'text-anchor': 'middle' }, o.xLabel));
  let legendX = W - PAD.right;
  for (const s of [...series].reverse()) {
    const label = el('text', { x: legendX, y: 16, class: 'legend', 'text-anchor': 'end', fill: s.color }, `● ${s.name}`);
    svg.append(label);
    legendX -= 14 + 7 * s.name.length;
  }
  for (const s of series) {
    const pts = s.points.filter((p) => Number.isFinite(p[1]));
    if (s.dots) {
      for (const [x, y] of pts) svg.append(el('circle', { cx: sx(x), cy: sy(y), r: 3, fill: s.color, class: 'point', 'data-series': s.name }));
      if (pts.length > 1) svg.append(el('polyline', { points: pts.map(([x, y]) => `${sx(x)},${sy(y)}`).join(' '), fill: 'none', stroke: s.color, 'stroke-width': 1, 'stroke-dasharray': '3 3' }));
    } else if (pts.length) {
      svg.append(el('polyline', { points: pts.map(([x, y]) => `${sx(x)},${sy(y)}`).join(' '), fill: 'none', stroke: s.color, 'stroke-width': 1.5, class: 'line', 'data-series': s.name }));
    }
  }
  host.replaceChildren(svg);
}
