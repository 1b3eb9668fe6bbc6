// Rendering of the page's dynamic parts from the Studio state; the skeleton is index.html.
import { describePreprocess, type ImagePreprocess } from '@anneal/transfer';
import { byId, bytesText, dropTarget, h } from './dom.js';
import { drawChart } from './line-chart.js';
import type { StoredProject } from './store.js';
import { inputDims } from './run-inputs.js';
import type { Studio } from './studio.js';
import type { TrainSettings } from './trainer/run-config.js';
import { openWebcam, webcamAvailable } from './webcam.js';

const pct = (v: number | undefined) => (v === undefined ? '' : `${(100 * v).toFixed(1)}%`);
const busy = (s: Studio) => s.phase === 'loading' || s.phase === 'opening' || s.phase === 'training';

/** A labelled form field that calls `set` with the parsed value on change. */
function field(label: string, input: HTMLInputElement | HTMLSelectElement, title?: string): HTMLLabelElement {
  return h('label', { title }, h('span', {}, label), input);
}

function numberInput(name: string, value: number, set: (v: number) => void, attrs: Record<string, string | number> = {}): HTMLInputElement {
  return h('input', { type: 'number', name, value: String(value), ...attrs, onchange: (e: Event) => set(Number((e.target as HTMLInputElement).value)) });
}

function select<T extends string>(name: string, value: T, options: readonly T[], set: (v: T) => void): HTMLSelectElement {
  return h('select', { name, onchange: (e: Event) => set((e.target as HTMLSelectElement).value as T) }, ...options.map((o) => h('option', { value: o, selected: o === value }, o)));
}

export function renderBackbone(s: Studio): void {
  const b = s.backbone;
  byId('backbone-name').textContent = b ? b.name : '…';
  byId('backbone-info').textContent = b
    ? `${bytesText(b.bytes.length)} · input '${b.info.input.name}' [${b.info.input.dims.join(', ')}] · features: '${b.info.feature.tensor}' (${b.info.feature.width ?? '?'} values${b.info.feature.pool === 'none' ? '' : `, ${b.info.feature.pool}`}) · ${b.info.blocks} blocks · opset ${b.info.opset.from}${b.info.opset.to !== b.info.opset.from ? ` → ${b.info.opset.to}` : ''}`
    : '';
  const p = s.project.preprocess;
  const change = (patch: Partial<ImagePreprocess>) => {
    const next = { ...s.project.preprocess, ...patch };
    try {
      describePreprocess(next); // validates
      void s.setPreprocess(next);
    } catch (e) {
      s.note(`Preprocessing not changed: ${(e as Error).message}`);
    }
  };
  const list = (v: number[] | undefined) => (v ?? []).join(', ');
  const parseList = (t: string) => t.split(/[\s,]+/).filter(Boolean).map(Number);
  byId('preprocess-form').replaceChildren(
    field('height', numberInput('height', p.size[0], (v) => change({ size: [v, p.size[1]] }), { min: 1 })),
    field('width', numberInput('width', p.size[1], (v) => change({ size: [p.size[0], v] }), { min: 1 })),
    field('channels', select('channels', String(p.channels ?? 3) as '1' | '3', ['1', '3'], (v) => change({ channels: Number(v) as 1 | 3 }))),
    field('layout', select('layout', p.layout ?? 'NCHW', ['NCHW', 'NHWC'], (v) => change({ layout: v }))),
    field('fit', select('fit', p.fit ?? 'fill', ['fill', 'contain', 'cover'], (v) => change({ fit: v })), 'fill stretches, contain pads, cover crops'),
    field('position', select('position', p.position ?? 'centre', ['centre', 'left'], (v) => change({ position: v }))),
    field('background', numberInput('background', p.background ?? 0, (v) => change({ background: v }), { min: 0, max: 1, step: 0.1 }), 'gray level of padding, 0 black to 1 white'),
    field('invert', h('input', { type: 'checkbox', name: 'invert', checked: !!p.invert, onchange: (e: Event) => change({ invert: (e.target as HTMLInputElement).checked }) })),
    field('mean', h('input', { type: 'text', name: 'mean', value: list(p.mean), onchange: (e: Event) => change({ mean: parseList((e.target as HTMLInputElement).value) }) })),
    field('std', h('input', { type: 'text', name: 'std', value: list(p.std), onchange: (e: Event) => change({ std: parseList((e.target as HTMLInputElement).value) }) })),
  );
}

/** Cards of the classes, kept by class id: a re-render updates counts and thumbnails, never the name being typed. */
const cards = new Map<string, { card: HTMLElement; count: HTMLElement; thumbs: HTMLElement; shown: string }>();

function classCard(s: Studio, id: string): { card: HTMLElement; count: HTMLElement; thumbs: HTMLElement; shown: string } {
  const c = s.project.classes.find((k) => k.id === id)!;
  const add = (files: Blob[]) => void s.addImages(id, files);
  const count = h('span', { class: 'count' });
  const thumbs = h('div', { class: 'thumbs' });
  const card = h(
    'article',
    { class: 'class-card' },
    h(
      'header',
      {},
      h('input', { class: 'class-name', value: c.name, 'aria-label': 'class name', onchange: (e: Event) => void s.renameClass(id, (e.target as HTMLInputElement).value) }),
      count,
      h('button', { type: 'button', class: 'link', title: 'remove this class and its images', onclick: () => void s.removeClass(id) }, 'remove'),
    ),
    h(
      'div',
      { class: 'row' },
      h('label', { class: 'button' }, 'Add images…', h('input', { type: 'file', accept: 'image/*', multiple: true, hidden: true, class: 'class-files', onchange: (e: Event) => add(Array.from((e.target as HTMLInputElement).files ?? [])) })),
      h('button', { type: 'button', class: 'webcam-button', disabled: !webcamAvailable(), title: webcamAvailable() ? 'capture frames from a camera' : 'this browser gives the page no camera', onclick: () => void openWebcam(c.name, (frame) => add([frame])).catch((e: unknown) => s.note(`Webcam: ${(e as Error).message}`)) }, 'Webcam'),
      h('span', { class: 'hint' }, 'or drop images here'),
    ),
    thumbs,
  );
  dropTarget(card, add);
  return { card, count, thumbs, shown: '' };
}

export function renderClasses(s: Studio): void {
  const ids = new Set(s.project.classes.map((c) => c.id));
  for (const id of cards.keys()) if (!ids.has(id)) cards.delete(id);
  const list = s.project.classes.map((c, index) => {
    let entry = cards.get(c.id);
    if (!entry) cards.set(c.id, (entry = classCard(s, c.id)));
    const images = s.images.filter((i) => i.classId === c.id);
    const pending = images.filter((i) => !i.input).length;
    entry.card.dataset.classIndex = String(index);
    entry.card.dataset.pending = String(pending);
    entry.count.textContent = `${images.length} image${images.length === 1 ? '' : 's'}${pending ? ` (${pending} preparing…)` : ''}`;
    const shown = images.slice(-48).map((i) => i.id).join();
    if (shown !== entry.shown) {
      entry.shown = shown;
      entry.thumbs.replaceChildren(
        ...images.slice(-48).map((i) => h('figure', { class: 'thumb', title: i.name }, h('img', { src: i.url, alt: i.name, loading: 'lazy' }), h('button', { type: 'button', class: 'remove', title: `remove ${i.name}`, onclick: () => void s.removeImage(i.id) }, '×'))),
        ...(images.length > 48 ? [h('span', { class: 'hint' }, `+${images.length - 48} more`)] : []),
      );
    }
    return entry.card;
  });
  const host = byId('classes');
  if (list.some((card, i) => host.children[i] !== card) || host.children.length !== list.length) host.replaceChildren(...list);
}

export function renderSettings(s: Studio): void {
  const st = s.project.settings;
  const set = <K extends keyof TrainSettings>(k: K, v: TrainSettings[K]) => {
    st[k] = v;
    void s.save();
  };
  const device = (v: StoredProject['device']) => {
    s.project.device = v;
    void s.save();
  };
  byId('settings-form').replaceChildren(
    field('epochs', numberInput('epochs', st.epochs, (v) => set('epochs', v), { min: 1 })),
    field('batch size', numberInput('batchSize', st.batchSize, (v) => set('batchSize', v), { min: 2 })),
    field('learning rate', numberInput('lr', st.lr, (v) => set('lr', v), { min: 0, step: 'any' }), 'Adam'),
    field('unfreeze top blocks', numberInput('unfreezeTop', st.unfreezeTop, (v) => set('unfreezeTop', v), { min: 0, max: s.backbone?.info.blocks ?? 0 }), '0 trains the head alone; n also trains the top n blocks of the backbone'),
    field('layer decay', numberInput('layerDecay', st.layerDecay, (v) => set('layerDecay', v), { min: 0.1, max: 1, step: 0.05 }), 'lr of an unfrozen block = this ^ (its distance from the head) x lr'),
    field('validation share', numberInput('valFraction', st.valFraction, (v) => set('valFraction', v), { min: 0, max: 0.5, step: 0.05 }), 'held out per class when each class has 5+ images'),
    field('standardize features', h('input', { type: 'checkbox', name: 'standardize', checked: st.standardize, onchange: (e: Event) => set('standardize', (e.target as HTMLInputElement).checked) })),
    field('device', select('device', s.project.device, ['auto', 'wasm', 'webgpu'], device), 'auto: WebGPU when the browser has it, else WebAssembly'),
  );
}

export function renderTrain(s: Studio): void {
  document.body.dataset.phase = s.phase;
  const c = s.checkpoint;
  byId<HTMLButtonElement>('train').disabled = busy(s);
  const resume = byId<HTMLButtonElement>('resume');
  resume.hidden = !(s.phase === 'cancelled' && c && c.meta.epoch < c.meta.run.settings.epochs);
  resume.textContent = c ? `Resume (epoch ${c.meta.epoch + 1} of ${c.meta.run.settings.epochs})` : 'Resume';
  byId<HTMLButtonElement>('cancel').disabled = s.phase !== 'training';
  renderProgress(s);
  byId('status').textContent = s.status;
  byId('notes').replaceChildren(...s.notes.map((n) => h('li', {}, n)));
  for (const id of ['predict-files', 'predict-webcam']) (byId(id) as HTMLInputElement).disabled = s.phase !== 'trained';
  byId<HTMLButtonElement>('predict-webcam').disabled = s.phase !== 'trained' || !webcamAvailable();
  byId<HTMLButtonElement>('export-model').disabled = s.phase !== 'trained';
  byId<HTMLButtonElement>('export-checkpoint').disabled = !c || busy(s);
  const run = s.run;
  byId('export-info').textContent = run && s.backbone && s.phase === 'trained'
    ? `model.onnx: input '${s.backbone.info.input.name}' float32 [N, ${inputDims(run.preprocess).join(', ')}], output 'logits' [N, ${run.classes.length}] for ${run.classes.map((n) => `'${n}'`).join(', ')}; the classes and the preprocessing are in its metadata ('anneal.studio'). It runs in onnxruntime-node, onnxruntime-web and \`anneal predict model.onnx --input x.npy\`. The checkpoint (safetensors) holds the trained parameters and Adam's state.`
    : 'Train a model first.';
}

/** The progress bar: compiling while a run opens, then the share of its steps done. */
export function renderProgress(s: Studio): void {
  byId<HTMLProgressElement>('progress').value = s.phase === 'trained' ? 1 : s.progress;
}

let chartFrame = 0;

/** Redraws the curves and the epoch table, at most once per animation frame. */
export function renderCharts(s: Studio): void {
  if (chartFrame) return;
  chartFrame = requestAnimationFrame(() => {
    chartFrame = 0;
    const { batches, epochs } = s.history;
    drawChart(byId('loss-chart'), [
      { name: 'batch', color: '#9db4d3', points: batches.map((b) => [b.step, b.loss]) },
      { name: 'train (epoch mean)', color: '#1f5fa8', points: epochs.map((e) => [e.step, e.trainLoss]), dots: true },
      { name: 'val', color: '#d9730d', points: epochs.filter((e) => e.valLoss !== undefined).map((e) => [e.step, e.valLoss!]), dots: true },
    ], { title: 'Loss', xLabel: 'step' });
    drawChart(byId('accuracy-chart'), [
      { name: 'train', color: '#1f5fa8', points: epochs.map((e) => [e.epoch, e.trainAccuracy]), dots: true },
      { name: 'val', color: '#d9730d', points: epochs.filter((e) => e.valAccuracy !== undefined).map((e) => [e.epoch, e.valAccuracy!]), dots: true },
    ], { title: 'Accuracy', xLabel: 'epoch', integerX: true, yDomain: [0, 1], yFormat: (v) => `${Math.round(v * 100)}%` });
    byId('epochs').replaceChildren(
      ...(epochs.length ? [h('tr', {}, ...['epoch', 'train loss', 'train acc', 'val loss', 'val acc', 'images/s'].map((t) => h('th', {}, t)))] : []),
      ...epochs.map((e) =>
        h('tr', { 'data-epoch': e.epoch, 'data-images-per-second': e.imagesPerSecond.toFixed(2) }, h('td', {}, e.epoch), h('td', {}, e.trainLoss.toFixed(4)), h('td', {}, pct(e.trainAccuracy)), h('td', {}, e.valLoss?.toFixed(4) ?? ''), h('td', {}, pct(e.valAccuracy)), h('td', {}, e.imagesPerSecond.toFixed(1))),
      ),
    );
  });
}

export function renderPredictions(s: Studio): void {
  byId('predictions').replaceChildren(
    ...s.predictions.map((p) => {
      const best = p.probabilities.indexOf(Math.max(...p.probabilities));
      return h(
        'article',
        { class: 'prediction', 'data-name': p.name, 'data-class': p.classes[best], 'data-probabilities': JSON.stringify(p.probabilities) },
        h('img', { src: p.url, alt: p.name }),
        h('div', { class: 'bars' }, h('strong', {}, `${p.classes[best]} · ${pct(p.probabilities[best])}`), ...p.classes.map((name, k) => h('div', { class: 'bar' }, h('span', { class: 'bar-label' }, name), h('span', { class: 'bar-track' }, h('span', { class: `bar-fill${k === best ? ' best' : ''}`, style: `width:${(100 * p.probabilities[k]!).toFixed(1)}%` })), h('span', { class: 'bar-value' }, pct(p.probabilities[k]))))),
      );
    }),
  );
}
