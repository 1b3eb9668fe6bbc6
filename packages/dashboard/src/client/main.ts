import { ApiError, type FolderChange } from './api.js';
import { releaseCharts } from './charts.js';
import { h } from './dom.js';
import { renderList } from './list-view.js';
import { renderCompare, renderRun } from './run-view.js';
import { renderStudy } from './study-view.js';

/** Where the page is: parsed from the URL hash. */
type Route = { view: 'list' } | { view: 'run'; path: string } | { view: 'study'; path: string } | { view: 'compare'; paths: string[] };

function route(): Route {
  const hash = location.hash.replace(/^#\/?/, '');
  const [head, ...rest] = hash.split('/');
  const tail = decodeURIComponent(rest.join('/'));
  if (head === 'run') return { view: 'run', path: tail };
  if (head === 'study') return { view: 'study', path: tail };
  if (head?.startsWith('compare')) return { view: 'compare', paths: new URLSearchParams(hash.split('?')[1] ?? '').getAll('path') };
  return { view: 'list' };
}

const app = document.getElementById('app')!;
const live = document.getElementById('live')!;
let shown = '';
let running: Promise<void> | undefined;
let again = false;

/** Whether a change on the server touches what the page shows. */
function affects(r: Route, change: FolderChange): boolean {
  switch (r.view) {
    case 'list':
      return true;
    case 'run':
      return change.paths.includes(r.path);
    case 'study':
      return change.paths.some((p) => p === r.path || p.startsWith(`${r.path ? `${r.path}/` : ''}trials/`));
    case 'compare':
      return change.paths.some((p) => r.paths.includes(p));
  }
}

async function draw(): Promise<void> {
  const r = route();
  const key = JSON.stringify(r);
  if (key !== shown) {
    releaseCharts(app);
    app.replaceChildren(h('p', { class: 'muted' }, 'loading…'));
    shown = key;
  }
  document.body.dataset.view = r.view;
  try {
    if (r.view === 'list') await renderList(app);
    else if (r.view === 'run') await renderRun(app, r.path);
    else if (r.view === 'study') await renderStudy(app, r.path);
    else await renderCompare(app, r.paths);
    document.body.dataset.updates = String(Number(document.body.dataset.updates ?? 0) + 1);
  } catch (e) {
    const status = e instanceof ApiError ? ` (${e.status})` : '';
    releaseCharts(app);
    app.replaceChildren(h('h1', {}, 'Cannot show this'), h('p', { class: 'chart-note' }, `${(e as Error).message}${status}`), h('p', {}, h('a', { href: '#/' }, 'back to the list')));
  }
}

/** Redraws now, or once more after the redraw in progress (never two at once). */
function refresh(): void {
  if (running) {
    again = true;
    return;
  }
  running = draw().finally(() => {
    running = undefined;
    if (again) {
      again = false;
      refresh();
    }
  });
}

function connect(): void {
  const events = new EventSource('/api/events');
  events.addEventListener('hello', () => {
    live.textContent = 'live';
    live.className = 'live on';
  });
  events.addEventListener('change', (e) => {
    if (affects(route(), JSON.parse((e as MessageEvent<string>).data) as FolderChange)) refresh();
  });
  events.onerror = () => {
    live.textContent = 'reconnecting…';
    live.className = 'live off';
  };
}

document.body.dataset.pageId = Math.random().toString(36).slice(2);
window.addEventListener('hashchange', refresh);
connect();
refresh();
