import { api, type StudyView } from './api.js';
import { syncCharts } from './charts.js';
import { ago, h, link, num, showParam } from './dom.js';
import { frontFacts, frontTable } from './front-view.js';

type StudyPart = StudyView['studies'][number];

function trialsTable(s: StudyPart): HTMLElement {
  const params = [...new Set(s.trials.flatMap((t) => Object.keys(t.params)))];
  // a multi-objective study: one column per objective, the front's trials highlighted
  const objectives = s.pareto?.objectives;
  const front = new Set(s.pareto?.front.map((t) => t.number));
  const rows = s.trials.map((t) =>
    h(
      'tr',
      { 'data-trial': t.number, 'data-state': t.state, class: s.best?.number === t.number || front.has(t.number) ? 'best' : '' },
      h('td', { class: 'n' }, t.run ? h('a', { href: link('run', t.run) }, String(t.number)) : String(t.number)),
      h('td', {}, h('span', { class: `badge ${t.state}` }, t.state)),
      ...(objectives ? objectives.map((_, i) => h('td', { class: 'n' }, num(t.values?.[i]))) : [h('td', { class: 'n' }, num(t.value))]),
      h('td', { class: 'n' }, String(t.reports)),
      ...params.map((p) => h('td', { class: 'n' }, p in t.params ? showParam(t.params[p]) : '')),
      h('td', { class: 'muted' }, t.error ?? ''),
    ),
  );
  return h('table', { class: 'grid trials' }, h('thead', {}, h('tr', {}, ...['trial', 'state', ...(objectives ? objectives.map((o) => o.name) : ['value']), 'reports', ...params, ''].map((c) => h('th', {}, c)))), h('tbody', {}, ...rows));
}

function studyBlock(s: StudyPart, index: number): HTMLElement {
  return h(
    'section',
    { class: 'study-part', 'data-study-name': s.name, 'data-index': index },
    h('h2', {}, `${s.name} `, h('span', { class: 'muted' }, `(${s.direction})`)),
    s.pareto ? h('div', { class: 'pareto-slot' }) : h('p', { class: 'facts best-slot' }),
    h('div', { class: 'charts' }),
    ...(s.pareto ? [h('h3', {}, 'Pareto front'), h('div', { class: 'front-slot' })] : []),
    h('h3', {}, 'Trials'),
    h('div', { class: 'table-slot' }),
  );
}

/**
 * The study page: counts, the best trial, history, parallel coordinates, importance, per-trial
 * curves and the trials table; for a multi-objective study, its objectives, the Pareto front
 * (chart and table) and its hypervolume instead of the best trial and the single-objective charts.
 */
export async function renderStudy(root: HTMLElement, path: string): Promise<void> {
  const view = await api.study(path);
  let page = root.querySelector<HTMLElement>(':scope > section.study-view');
  if (!page || page.dataset.path !== path) {
    page = h('section', { class: 'study-view', 'data-path': path }, h('div', { class: 'head-slot' }), h('div', { class: 'parts' }));
    root.replaceChildren(page);
  }
  const t = view.study.trials;
  page.dataset.trials = String(t.total);
  page.querySelector('.head-slot')!.replaceChildren(
    h('h1', {}, `Study ${view.study.name}`),
    h('p', { class: 'muted' }, view.study.path),
    h('p', { class: 'facts' }, `${t.total} trials: ${t.complete ?? 0} complete, ${t.pruned ?? 0} pruned, ${(t.running ?? 0) + (t.waiting ?? 0)} running or waiting, ${t.fail ?? 0} failed · updated ${ago(view.study.updatedAt)}`),
    view.error ? h('p', { class: 'chart-note' }, view.error) : '',
  );
  const parts = page.querySelector<HTMLElement>('.parts')!;
  const blocks = view.studies.map((s, i) => parts.querySelector<HTMLElement>(`:scope > section[data-index="${i}"][data-study-name="${CSS.escape(s.name)}"]`) ?? studyBlock(s, i));
  parts.replaceChildren(...blocks);
  await Promise.all(
    view.studies.map(async (s, i) => {
      const block = blocks[i]!;
      if (s.pareto) {
        block.querySelector('.pareto-slot')!.replaceChildren(frontFacts(s.pareto));
        block.querySelector('.front-slot')!.replaceChildren(frontTable(s.pareto));
      } else block.querySelector('.best-slot')!.replaceChildren(s.best ? h('span', {}, `best: trial ${s.best.number}, value ${num(s.best.value)} · `, ...Object.entries(s.best.params).map(([k, v]) => `${k} = ${showParam(v)} `), s.best.run ? h('a', { href: link('run', s.best.run) }, 'open its run') : '') : 'no complete trial yet');
      block.querySelector('.table-slot')!.replaceChildren(trialsTable(s));
      await syncCharts(block.querySelector<HTMLElement>('.charts')!, s.charts);
    }),
  );
}
