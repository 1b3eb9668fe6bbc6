import { api, type RunListing, type StudyListing } from './api.js';
import { ago, h, link, num, pct } from './dom.js';

const STATUS_TITLE: Record<string, string> = {
  running: 'written to lately, no summary.json yet',
  starting: 'no epoch recorded yet',
  finished: 'summary.json written',
  diverged: 'a non-finite loss was recorded',
  stopped: 'no summary.json and not written to for 10 minutes',
};

const badge = (status: string) => h('span', { class: `badge ${status}`, title: STATUS_TITLE[status] ?? status }, status);

function runRow(r: RunListing, selected: Set<string>, onSelect: () => void): HTMLTableRowElement {
  const box = h('input', { type: 'checkbox', checked: selected.has(r.path), 'aria-label': `compare ${r.path}`, onchange: (e: Event) => {
    if ((e.target as HTMLInputElement).checked) selected.add(r.path);
    else selected.delete(r.path);
    onSelect();
  } });
  return h(
    'tr',
    { 'data-run': r.path, 'data-epochs': r.epochs },
    h('td', {}, box),
    h('td', {}, h('a', { href: link('run', r.path) }, r.path || '.'), r.name !== r.path ? h('div', { class: 'muted' }, r.name) : undefined),
    h('td', {}, badge(r.status)),
    h('td', { class: 'n' }, r.plannedEpochs ? `${r.epochs} / ${r.plannedEpochs}` : String(r.epochs)),
    h('td', { class: 'n' }, num(r.trainLoss)),
    h('td', { class: 'n' }, num(r.valLoss)),
    h('td', { class: 'n' }, pct(r.valAccuracy ?? r.trainAccuracy)),
    h('td', { class: 'muted' }, ago(r.updatedAt)),
  );
}

function studyRow(s: StudyListing): HTMLTableRowElement {
  const t = s.trials;
  return h(
    'tr',
    { 'data-study': s.path },
    h('td', {}, h('a', { href: link('study', s.path) }, s.path || '.'), h('div', { class: 'muted' }, s.name)),
    h('td', { class: 'n' }, String(t.total)),
    h('td', { class: 'n' }, String(t.complete ?? 0)),
    h('td', { class: 'n' }, String(t.pruned ?? 0)),
    h('td', { class: 'n' }, String((t.running ?? 0) + (t.waiting ?? 0))),
    h('td', { class: 'n' }, String(t.fail ?? 0)),
    h('td', { class: 'n' }, s.best ? `${num(s.best.value)} (trial ${s.best.number})` : s.front !== undefined ? `Pareto front: ${s.front} trial${s.front === 1 ? '' : 's'}` : ''),
    h('td', { class: 'muted' }, s.direction ?? ''),
    h('td', { class: 'muted' }, ago(s.updatedAt)),
  );
}

/** Runs selected for comparison, kept across refreshes of the list. */
const selected = new Set<string>();

/** The start page: every study and run under the folder, runs selectable for an overlay. */
export async function renderList(root: HTMLElement): Promise<void> {
  const { runs, studies } = await api.list();
  for (const p of [...selected]) if (!runs.some((r) => r.path === p)) selected.delete(p);
  const compare = h('a', { class: 'button', href: '#/compare' }, 'Compare selected runs');
  const update = () => {
    compare.setAttribute('href', `#/compare?${new URLSearchParams([...selected].map((p) => ['path', p])).toString()}`);
    compare.classList.toggle('disabled', selected.size < 2);
    compare.textContent = `Compare ${selected.size} selected run${selected.size === 1 ? '' : 's'}`;
  };
  update();
  const nothing = runs.length === 0 && studies.length === 0;
  root.replaceChildren(
    h('h1', {}, 'Runs and studies'),
    nothing ? h('p', { class: 'empty' }, 'No run or study here yet. Train one (anneal fit <config>, anneal tune <config>) into this folder: it appears here by itself.') : '',
    studies.length
      ? h('section', { id: 'studies' }, h('h2', {}, 'Studies'), h('table', { class: 'grid' }, h('thead', {}, h('tr', {}, ...['study', 'trials', 'complete', 'pruned', 'running', 'failed', 'best value', 'direction', 'updated'].map((c) => h('th', {}, c)))), h('tbody', {}, ...studies.map(studyRow))))
      : '',
    runs.length
      ? h(
          'section',
          { id: 'runs' },
          h('h2', {}, 'Runs ', compare),
          h('table', { class: 'grid' }, h('thead', {}, h('tr', {}, ...['', 'run', 'status', 'epochs', 'train loss', 'val loss', 'accuracy', 'updated'].map((c) => h('th', {}, c)))), h('tbody', {}, ...runs.map((r) => runRow(r, selected, update))))
        )
      : '',
  );
}
