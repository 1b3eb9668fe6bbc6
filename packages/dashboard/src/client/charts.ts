import embed, { vega, vegaLite, type Result } from 'vega-embed';
import { expressionInterpreter } from 'vega-interpreter';
import type { DashboardChart } from './api.js';
import { h } from './dom.js';

type VegaSpec = Result['vgSpec'];

/** A chart on the page: its Vega view and the shape of its spec without data. */
interface Mounted {
  result: Result;
  shape: string;
}

const mounted = new WeakMap<HTMLElement, Mounted>();

/** The compiled Vega spec's inline datasets, and the spec's JSON with their values left out. */
function splitData(spec: VegaSpec): { shape: string; datasets: [string, object[]][] } {
  const datasets: [string, object[]][] = [];
  const data = (spec.data ?? []).map((d) => {
    if ('values' in d && Array.isArray(d.values)) {
      datasets.push([d.name, d.values as object[]]);
      return { ...d, values: [] };
    }
    return d;
  });
  return { shape: JSON.stringify({ ...spec, data }), datasets };
}

/**
 * Draws `chart` into `el`, or updates the chart already there. The Vega-Lite spec (built on the
 * server by the same builders as the static reports) is compiled to Vega here; when only its
 * data changed (the usual case while a run trains), the new rows are streamed into the existing
 * view through Vega changesets, so the chart keeps its size, tooltips and export menu and does
 * not flicker. Any other change (log scale toggled, new series) re-embeds it. Expressions run
 * through vega-interpreter, so the page needs no 'unsafe-eval'.
 */
export async function showChart(el: HTMLElement, chart: DashboardChart): Promise<void> {
  if (!chart.spec) {
    mounted.get(el)?.result.finalize();
    mounted.delete(el);
    el.replaceChildren(h('p', { class: 'chart-note' }, `${chart.title}: ${chart.error ?? 'no data yet'}`));
    return;
  }
  const compiled = vegaLite.compile(chart.spec as Parameters<typeof vegaLite.compile>[0]).spec as VegaSpec;
  const { shape, datasets } = splitData(compiled);
  const current = mounted.get(el);
  if (current && current.shape === shape) {
    const view = current.result.view;
    for (const [name, values] of datasets) view.change(name, vega.changeset().remove(() => true).insert(values.map((v) => ({ ...v }))));
    await view.runAsync();
    return;
  }
  current?.result.finalize();
  el.replaceChildren();
  const result = await embed(el, compiled, {
    mode: 'vega',
    renderer: 'svg',
    ast: true,
    expr: expressionInterpreter,
    actions: { export: true, source: false, compiled: false, editor: false },
    downloadFileName: chart.name,
  });
  mounted.set(el, { result, shape });
}

/** Releases the Vega views under `root` (before the page shows another view). */
export function releaseCharts(root: HTMLElement): void {
  for (const el of Array.from(root.querySelectorAll<HTMLElement>('.chart-body'))) {
    mounted.get(el)?.result.finalize();
    mounted.delete(el);
  }
}

/**
 * Keeps one figure per chart name in `grid`, in the given order: existing figures are updated in
 * place (see showChart), new ones added, vanished ones removed.
 */
export async function syncCharts(grid: HTMLElement, charts: readonly DashboardChart[]): Promise<void> {
  const existing = new Map(Array.from(grid.querySelectorAll<HTMLElement>(':scope > figure.chart')).map((f) => [f.dataset.chart!, f]));
  const figures: HTMLElement[] = [];
  for (const chart of charts) {
    let fig = existing.get(chart.name);
    if (!fig) fig = h('figure', { class: 'chart', 'data-chart': chart.name }, h('div', { class: 'chart-body' }), h('figcaption'));
    existing.delete(chart.name);
    fig.querySelector('figcaption')!.textContent = chart.caption ?? '';
    figures.push(fig);
  }
  for (const fig of existing.values()) {
    releaseCharts(fig);
    fig.remove();
  }
  grid.replaceChildren(...figures);
  await Promise.all(charts.map((c, i) => showChart(figures[i]!.querySelector<HTMLElement>('.chart-body')!, c)));
}
