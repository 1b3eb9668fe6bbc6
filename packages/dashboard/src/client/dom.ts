/** Attributes of {@link h}: `class`, `data-*`, properties like `href`, and `on*` listeners. */
type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void)>;
type Child = Node | string | number | undefined | null | false;

/**
 * Creates an element: `h('a', { href: '#/' }, 'home')`. Text children are text nodes, never
 * HTML, so names and values from run folders cannot inject markup.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === 'class' || k.startsWith('data-') || k.startsWith('aria-') || k === 'title' || k === 'role') el.setAttribute(k, String(v));
    else (el as unknown as Record<string, unknown>)[k] = v;
  }
  for (const c of children) if (c !== undefined && c !== null && c !== false) el.append(typeof c === 'number' ? String(c) : c);
  return el;
}

/** A number for a table cell: 4 significant digits, '' when missing. */
export function num(v: number | undefined | null): string {
  if (v === undefined || v === null) return '';
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : String(Number(v.toPrecision(4)));
}

/** A parameter value for a table cell: numbers as {@link num}, strings as they are, anything else as JSON. */
export const showParam = (v: unknown) => (typeof v === 'number' ? num(v) : typeof v === 'string' ? v : JSON.stringify(v));

/** A fraction as a percentage, '' when missing. */
export function pct(v: number | undefined): string {
  return v === undefined ? '' : `${(v * 100).toFixed(2)}%`;
}

/** "12 s ago", "3 min ago", or a date. */
export function ago(ms: number): string {
  const s = Math.max(0, (Date.now() - ms) / 1000);
  if (s < 60) return `${Math.round(s)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return new Date(ms).toLocaleString();
}

/** The URL hash of a view of a folder. */
export const link = (view: 'run' | 'study', path: string) => `#/${view}/${encodeURIComponent(path)}`;
