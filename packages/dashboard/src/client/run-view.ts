import { api, type RunView } from './api.js';
import { syncCharts } from './charts.js';
import { ago, h, link, num, pct } from './dom.js';
import { findingsSection } from './findings.js';

/** Whether loss axes are logarithmic (kept across views and refreshes). */
let logLoss = false;

function header(view: RunView): HTMLElement {
  const r = view.run;
  const test = view.result?.test as { loss?: number; accuracy?: number; count?: number } | undefined;
  const facts = [
    `${r.epochs}${r.plannedEpochs ? ` of ${r.plannedEpochs}` : ''} epochs recorded`,
    r.lastEpoch !== undefined ? `last epoch line: epoch ${r.lastEpoch}` : '',
    `${r.steps} steps`,
    r.valLoss !== undefined ? `val loss ${num(r.valLoss)}` : r.trainLoss !== undefined ? `train loss ${num(r.trainLoss)}` : '',
    r.valAccuracy !== undefined ? `val accuracy ${pct(r.valAccuracy)}` : '',
    test?.loss !== undefined ? `test loss ${num(test.loss)}${test.accuracy !== undefined ? `, accuracy ${pct(test.accuracy)}` : ''}` : '',
    `updated ${ago(r.updatedAt)}`,
  ].filter(Boolean);
  return h(
    'div',
    { class: 'run-head' },
    h('h1', {}, r.name, ' ', h('span', { class: `badge ${r.status}` }, r.status)),
    h('p', { class: 'muted' }, r.path, r.study ? h('span', {}, ' · trial of ', h('a', { href: link('study', r.study) }, r.study)) : ''),
    h('p', { class: 'facts' }, facts.join(' · ')),
    r.error ? h('p', { class: 'chart-note' }, r.error) : '',
  );
}

function configSection(view: RunView): HTMLDetailsElement | string {
  if (!view.config) return '';
  return h('details', { id: 'config' }, h('summary', {}, 'config.json'), h('pre', {}, JSON.stringify(view.config, null, 2)));
}

/**
 * The run page: header, doctor findings, charts and config. The page skeleton is made once per
 * run; a refresh (a change event from the server) updates the texts and streams the new data
 * into the existing charts.
 */
export async function renderRun(root: HTMLElement, path: string): Promise<void> {
  const view = await api.run(path, logLoss);
  let page = root.querySelector<HTMLElement>(':scope > section.run-view');
  if (!page || page.dataset.path !== path) {
    const toggle = h('input', { type: 'checkbox', id: 'log-loss', checked: logLoss, onchange: (e: Event) => {
      logLoss = (e.target as HTMLInputElement).checked;
      void renderRun(root, path);
    } });
    page = h(
      'section',
      { class: 'run-view', 'data-path': path },
      h('div', { class: 'head-slot' }),
      h('div', { class: 'findings-slot' }),
      h('div', { class: 'controls' }, h('label', {}, toggle, ' log-scale loss axes')),
      h('div', { class: 'charts' }),
      h('div', { class: 'config-slot' }),
    );
    root.replaceChildren(page);
  }
  page.dataset.epochs = String(view.run.epochs);
  page.dataset.status = view.run.status;
  page.querySelector('.head-slot')!.replaceChildren(header(view));
  page.querySelector('.findings-slot')!.replaceChildren(findingsSection(view));
  const open = page.querySelector<HTMLDetailsElement>('#config')?.open ?? false;
  const config = configSection(view);
  if (typeof config !== 'string') config.open = open;
  page.querySelector('.config-slot')!.replaceChildren(config);
  await syncCharts(page.querySelector<HTMLElement>('.charts')!, view.charts);
}

/** The comparison page: several runs overlaid (validation loss and accuracy per epoch). */
export async function renderCompare(root: HTMLElement, paths: string[]): Promise<void> {
  if (paths.length === 0) {
    root.replaceChildren(h('h1', {}, 'Compare runs'), h('p', {}, 'Select two or more runs on the ', h('a', { href: '#/' }, 'list'), ' first.'));
    return;
  }
  const data = await api.compare(paths, logLoss);
  const key = paths.join('\n');
  let page = root.querySelector<HTMLElement>(':scope > section.compare-view');
  if (!page || page.dataset.key !== key) {
    page = h('section', { class: 'compare-view', 'data-key': key }, h('h1', {}, `Compare ${paths.length} runs`), h('ul', { class: 'compared' }), h('div', { class: 'charts' }));
    root.replaceChildren(page);
  }
  page.querySelector('.compared')!.replaceChildren(...data.runs.map((r) => h('li', {}, h('a', { href: link('run', r.path) }, r.path), ' ', h('span', { class: `badge ${r.status}` }, r.status), ` ${r.epochs} epochs`)));
  await syncCharts(page.querySelector<HTMLElement>('.charts')!, data.charts);
}
