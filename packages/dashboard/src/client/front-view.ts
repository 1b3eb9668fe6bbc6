import type { StudyView } from './api.js';
import { h, link, num, showParam } from './dom.js';

type Pareto = NonNullable<StudyView['studies'][number]['pareto']>;

const point = (values: readonly number[]) => `[${values.map(num).join(', ')}]`;

/** The objectives, the size of the front and its hypervolume (with where its reference point comes from). */
export function frontFacts(p: Pareto): HTMLElement {
  const hv = p.hypervolume;
  const reference = hv ? (hv.source === 'study' ? 'stored with the study' : 'default: each objective’s worst complete trial pushed 10% of its range further; it moves as trials arrive') : '';
  return h(
    'div',
    {},
    h('p', { class: 'facts objectives' }, 'objectives: ', ...p.objectives.flatMap((o, i) => [i ? ', ' : '', h('b', {}, o.name), ` (${o.direction})`])),
    h(
      'p',
      { class: 'facts front-facts', 'data-front': p.front.length },
      p.complete ? `${p.front.length} of ${p.complete} complete trials on the Pareto front` : 'no complete trial yet',
      hv ? h('span', { class: 'hypervolume', 'data-source': hv.source }, ` · hypervolume ${num(hv.value)} against the reference point ${point(hv.reference)} (${reference})`) : '',
      p.hypervolumeError ? h('span', { class: 'chart-note' }, ` · no hypervolume: ${p.hypervolumeError}`) : '',
    ),
  );
}

/** The front's trials: number (linked to its run), one column per objective, the parameters. */
export function frontTable(p: Pareto): HTMLElement {
  const params = [...new Set(p.front.flatMap((t) => Object.keys(t.params)))];
  const rows = p.front.map((t) =>
    h(
      'tr',
      { 'data-front-trial': t.number },
      h('td', { class: 'n' }, t.run ? h('a', { href: link('run', t.run) }, String(t.number)) : String(t.number)),
      ...p.objectives.map((_, i) => h('td', { class: 'n' }, num(t.values?.[i]))),
      ...params.map((k) => h('td', { class: 'n' }, k in t.params ? showParam(t.params[k]) : '')),
    ),
  );
  const head = ['trial', ...p.objectives.map((o) => `${o.name} (${o.direction === 'minimize' ? 'min' : 'max'})`), ...params];
  return h('table', { class: 'grid front' }, h('thead', {}, h('tr', {}, ...head.map((c) => h('th', {}, c)))), h('tbody', {}, ...rows));
}
