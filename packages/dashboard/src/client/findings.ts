import type { RunView } from './api.js';
import { h } from './dom.js';

/** The doctor's findings (as `anneal doctor` prints them), most severe first. */
export function findingsSection(view: RunView): HTMLElement {
  const items = view.findings.map((f) =>
    h(
      'li',
      { class: `finding ${f.severity}`, 'data-finding': f.id },
      h('div', { class: 'finding-title' }, h('span', { class: `badge ${f.severity}` }, f.severity), ' ', f.title),
      h('ul', { class: 'evidence' }, ...f.evidence.map((e) => h('li', {}, e))),
      h('div', { class: 'suggestion' }, f.suggestion),
    ),
  );
  const note = view.findingsError
    ? h('p', { class: 'chart-note' }, `The doctor could not read this run: ${view.findingsError}`)
    : view.findings.length === 0
      ? h('p', { class: 'ok' }, view.run.epochs ? 'No problem found in the learning curves so far.' : 'The doctor reads the curves once an epoch is recorded.')
      : undefined;
  return h('section', { id: 'findings' }, h('h2', {}, 'Doctor'), note, items.length ? h('ul', { class: 'findings' }, ...items) : undefined);
}
