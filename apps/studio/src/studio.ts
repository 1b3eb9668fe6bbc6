// The page's state and actions: the project in IndexedDB, the images and their preprocessed
// inputs, the worker that trains. Views (view.ts) render from it and call its actions.
import type { Device } from '@anneal/runtime';
import type { ImagePreprocess } from '@anneal/transfer';
import { DEFAULT_BACKBONE } from './default-backbone.js';
import { preprocessBlob, stack } from './page-images.js';
import { fingerprint, inputDims, suggestPreprocess, trainingImages } from './run-inputs.js';
import type { OpenedRun, WorkerEvent } from './protocol.js';
import { StudioStore, type StoredCheckpoint, type StoredProject } from './store.js';
import { DEFAULT_SETTINGS, checkSettings, type RunHistory, type StudioRun } from './trainer/run-config.js';
import type { BackboneInfo } from './trainer/studio-trainer.js';
import { WorkerClient } from './worker-client.js';

/** An image of a class, with its preprocessed input once computed. */
export interface PageImage {
  id: string;
  classId: string;
  name: string;
  blob: Blob;
  url: string;
  input?: Float32Array;
}

export interface Prediction {
  id: string;
  name: string;
  url: string;
  /** One per class of the trained run, in its order. */
  probabilities: number[];
  classes: string[];
}

/** Where training stands. */
export type Phase = 'loading' | 'idle' | 'opening' | 'training' | 'trained' | 'cancelled';

const uid = () => crypto.randomUUID();

export class Studio {
  project!: StoredProject;
  images: PageImage[] = [];
  backbone?: { bytes: Uint8Array; name: string; info: BackboneInfo };
  phase: Phase = 'loading';
  status = 'Loading…';
  progress = 0;
  notes: string[] = [];
  history: RunHistory = { batches: [], epochs: [] };
  opened?: OpenedRun;
  /** The run the worker holds (trained or training): its classes name the predictions. */
  run?: StudioRun;
  checkpoint?: StoredCheckpoint;
  predictions: Prediction[] = [];
  private readonly client: WorkerClient;
  private store!: StudioStore;

  constructor(private readonly changed: (part: 'all' | 'backbone' | 'classes' | 'train' | 'chart' | 'predictions') => void) {
    this.client = new WorkerClient((e) => this.onWorkerEvent(e));
  }

  private set(status: string, phase: Phase = this.phase): void {
    this.status = status;
    this.phase = phase;
    this.changed('train');
  }

  /** Opens the store, the backbone, the images and the last checkpoint; a run that a reload interrupted continues. */
  async start(): Promise<void> {
    this.store = await StudioStore.open();
    await this.client.request({ kind: 'init' });
    this.project = (await this.store.get<StoredProject>('project')) ?? {
      classes: [{ id: uid(), name: 'Class 1' }, { id: uid(), name: 'Class 2' }],
      settings: { ...DEFAULT_SETTINGS },
      preprocess: DEFAULT_BACKBONE.preprocess,
      device: 'auto',
      backbone: { kind: 'default' },
    };
    await this.loadBackbone();
    this.images = (await this.store.images()).map((i) => ({ ...i, url: URL.createObjectURL(i.blob) }));
    this.phase = 'idle';
    this.status = 'Add images to each class, then train.';
    this.changed('all');
    await this.preprocessAll();
    this.checkpoint = await this.store.get<StoredCheckpoint>('checkpoint');
    const c = this.checkpoint;
    if (!c) return;
    if (c.meta.data !== this.dataKey()) {
      this.note('The images or settings changed since the last checkpoint: Train starts a new run.');
      return;
    }
    this.history = c.meta.history;
    if (c.status === 'finished') await this.open(c, false);
    else if (c.status === 'running') {
      this.note(`The page was closed while training: continuing from the checkpoint of epoch ${c.meta.epoch} of ${c.meta.run.settings.epochs}.`);
      await this.open(c, true);
    } else this.set(`Cancelled after epoch ${c.meta.epoch} of ${c.meta.run.settings.epochs}. Resume continues from that checkpoint.`, 'cancelled');
  }

  private async loadBackbone(): Promise<void> {
    const custom = this.project.backbone.kind === 'custom' ? await this.store.get<Uint8Array>('backbone') : undefined;
    if (custom && this.project.backbone.kind === 'custom') return this.useBackbone(custom, this.project.backbone.name, false);
    this.project.backbone = { kind: 'default' };
    const res = await fetch(DEFAULT_BACKBONE.path);
    if (!res.ok) throw new Error(`cannot load the default backbone ${DEFAULT_BACKBONE.path}: ${res.status} ${res.statusText}`);
    await this.useBackbone(new Uint8Array(await res.arrayBuffer()), DEFAULT_BACKBONE.name, false);
  }

  private async useBackbone(bytes: Uint8Array, name: string, fresh: boolean): Promise<void> {
    const info = await this.client.request({ kind: 'inspect', bytes, name });
    this.backbone = { bytes, name, info };
    if (fresh) this.project.preprocess = suggestPreprocess(info, name === DEFAULT_BACKBONE.name);
  }

  /** Switches to a dropped .onnx file (or back to the default with no file). */
  async setBackbone(file?: File): Promise<void> {
    try {
      if (file) {
        const bytes = new Uint8Array(await file.arrayBuffer());
        await this.useBackbone(bytes, file.name, true);
        await this.store.put('backbone', bytes);
        this.project.backbone = { kind: 'custom', name: file.name };
      } else {
        this.project.backbone = { kind: 'default' };
        await this.loadBackbone();
        this.project.preprocess = DEFAULT_BACKBONE.preprocess;
        await this.store.delete('backbone');
      }
      const s = this.project.settings;
      s.unfreezeTop = Math.min(s.unfreezeTop, this.backbone!.info.blocks);
      await this.save();
      await this.setPreprocess(this.project.preprocess);
    } catch (e) {
      this.fail(e);
    }
  }

  async setPreprocess(p: ImagePreprocess): Promise<void> {
    this.project.preprocess = p;
    for (const i of this.images) i.input = undefined;
    await this.save();
    this.changed('backbone');
    this.changed('classes');
    await this.preprocessAll();
  }

  async save(): Promise<void> {
    await this.store.put('project', this.project);
  }

  /** Preprocesses the images that have no input yet (after adding them or changing the preprocessing). */
  private async preprocessAll(): Promise<void> {
    for (const img of this.images) {
      if (img.input) continue;
      try {
        img.input = await preprocessBlob(img.blob, this.project.preprocess);
      } catch (e) {
        this.note(`${img.name}: ${(e as Error).message}`);
      }
    }
    this.changed('classes');
  }

  async addClass(): Promise<void> {
    this.project.classes.push({ id: uid(), name: `Class ${this.project.classes.length + 1}` });
    await this.save();
    this.changed('classes');
  }

  async renameClass(id: string, name: string): Promise<void> {
    const c = this.project.classes.find((k) => k.id === id);
    if (c) c.name = name.trim() || c.name;
    await this.save();
  }

  async removeClass(id: string): Promise<void> {
    this.project.classes = this.project.classes.filter((c) => c.id !== id);
    const gone = this.images.filter((i) => i.classId === id);
    this.images = this.images.filter((i) => i.classId !== id);
    await this.store.deleteImages(gone.map((i) => i.id));
    await this.save();
    this.changed('classes');
  }

  async addImages(classId: string, files: readonly Blob[]): Promise<void> {
    const added = files.filter((f) => !f.type || f.type.startsWith('image/')).map((blob, k) => ({ id: uid(), classId, name: blob instanceof File ? blob.name : `capture-${Date.now()}-${k}.png`, blob, added: Date.now() + k }));
    await this.store.addImages(added);
    this.images.push(...added.map((i) => ({ ...i, url: URL.createObjectURL(i.blob) })));
    this.changed('classes');
    await this.preprocessAll();
  }

  async removeImage(id: string): Promise<void> {
    this.images = this.images.filter((i) => i.id !== id);
    await this.store.deleteImages([id]);
    this.changed('classes');
  }

  /** The device to ask the worker for, and a note when WebGPU is not there. */
  private device(): Device {
    const choice = this.project.device;
    const gpu = 'gpu' in navigator && !!(navigator as { gpu?: unknown }).gpu;
    if (choice === 'wasm') return 'wasm';
    if (!gpu) {
      this.note('WebGPU is not available in this browser: training runs on WebAssembly (wasm, one thread).');
      return 'wasm';
    }
    return 'webgpu';
  }

  /** The run the current classes, images and settings make. */
  private currentRun(): StudioRun {
    return { classes: this.project.classes.map((c) => c.name), preprocess: this.project.preprocess, settings: { ...this.project.settings } };
  }

  /** Fingerprint of what a checkpoint depends on: backbone, preprocessing, classes and their images. */
  dataKey(): string {
    const images = this.project.classes.map((c) => this.images.filter((i) => i.classId === c.id).map((i) => i.id));
    return fingerprint(JSON.stringify([this.backbone?.info.sha256, this.project.preprocess, this.project.classes, images]));
  }

  /** Starts a new run from scratch (the old checkpoint is dropped). */
  async train(): Promise<void> {
    try {
      checkSettings(this.project.settings);
      await this.save();
      await this.store.delete('checkpoint');
      this.checkpoint = undefined;
      this.history = { batches: [], epochs: [] };
      this.notes = [];
      await this.open(undefined, true);
    } catch (e) {
      this.fail(e);
    }
  }

  /** Continues the cancelled run from its last checkpoint. */
  async resume(): Promise<void> {
    if (this.checkpoint) await this.open(this.checkpoint, true);
  }

  cancel(): void {
    this.client.cancel();
    this.set('Cancelling after this batch…');
  }

  private async open(checkpoint: StoredCheckpoint | undefined, train: boolean): Promise<void> {
    try {
      const run = checkpoint?.meta.run ?? this.currentRun();
      const { x, labels } = trainingImages(this.project.classes, this.images);
      const dims = inputDims(run.preprocess);
      this.run = run;
      this.predictions = [];
      this.set(checkpoint ? `Restoring the checkpoint of epoch ${checkpoint.meta.epoch}…` : 'Preparing…', 'opening');
      this.opened = await this.client.request(
        { kind: 'open', backbone: { bytes: this.backbone!.bytes, name: this.backbone!.name }, run, images: { x, dims, labels }, dataKey: this.dataKey(), device: this.device(), resume: checkpoint?.bytes.slice() },
        [x.buffer],
      );
      this.history = this.opened.history;
      const { epoch, epochs } = this.opened.progress;
      if (!train || epoch >= epochs) return this.set(`Trained: ${epoch} epochs on ${this.opened.sizes.train} images (${this.opened.device}). Try it below, or export it.`, 'trained');
      this.progress = epoch / epochs;
      this.set(`Training on ${this.opened.device}: epoch ${epoch + 1} of ${epochs}…`, 'training');
      const { outcome } = await this.client.request({ kind: 'train' });
      const c = this.checkpoint;
      if (c) await this.store.put('checkpoint', (this.checkpoint = { ...c, status: outcome }));
      const last = this.history.epochs.at(-1);
      // the batches of the interrupted epoch are not in the checkpoint: a resume trains them again
      this.history.batches = this.history.batches.filter((b) => b.epoch <= (last?.epoch ?? 0));
      if (outcome === 'cancelled') this.set(`Cancelled after epoch ${last?.epoch ?? 0} of ${epochs}. Resume continues from that checkpoint.`, 'cancelled');
      else this.set(`Trained: ${epochs} epochs on ${this.opened.sizes.train} images (${this.opened.device}, ${last ? Math.round(last.imagesPerSecond) : '?'} images/s). Try it below, or export it.`, 'trained');
    } catch (e) {
      this.fail(e);
    }
  }

  private onWorkerEvent(e: WorkerEvent): void {
    switch (e.kind) {
      case 'progress':
        this.progress = e.fraction;
        if (this.phase === 'opening') this.set(`${e.what[0]!.toUpperCase()}${e.what.slice(1)}…`);
        return;
      case 'batch':
        this.history.batches.push(e.point);
        if (this.opened && this.run) this.progress = e.point.step / (this.run.settings.epochs * Math.ceil(this.opened.sizes.train / this.run.settings.batchSize));
        this.changed('chart');
        return;
      case 'epoch': {
        this.history.epochs.push(e.point);
        this.history.batches = this.history.batches.filter((b) => b.epoch <= e.point.epoch);
        const epochs = this.run!.settings.epochs;
        this.set(e.point.epoch < epochs ? `Training on ${this.opened?.device}: epoch ${e.point.epoch + 1} of ${epochs}…` : 'Finishing…');
        this.changed('chart');
        return;
      }
      case 'checkpoint':
        this.checkpoint = { bytes: e.bytes, meta: e.meta, status: 'running' };
        void this.store.put('checkpoint', this.checkpoint);
        return;
      case 'note':
        this.note(e.text);
    }
  }

  note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
    this.changed('train');
  }

  /** Shows an error; the page goes back to `phase` (idle by default: nothing is training). */
  private fail(e: unknown, phase: Phase = 'idle'): void {
    this.set(`Error: ${e instanceof Error ? e.message : String(e)}`, phase);
  }

  async predict(files: readonly Blob[]): Promise<void> {
    try {
      if (!this.run) throw new Error('train a model first');
      const inputs = await Promise.all(files.map((f) => preprocessBlob(f, this.run!.preprocess)));
      const { probabilities } = await this.client.request({ kind: 'predict', x: stack(inputs), count: inputs.length });
      const fresh = files.map((f, i) => ({ id: uid(), name: f instanceof File ? f.name : 'capture', url: URL.createObjectURL(f), probabilities: probabilities[i]!, classes: this.run!.classes }));
      this.predictions = [...fresh, ...this.predictions];
      this.changed('predictions');
    } catch (e) {
      this.fail(e, this.phase);
    }
  }

  /** model.onnx of the trained run (backbone + head). */
  async exportModel(): Promise<Uint8Array> {
    return (await this.client.request({ kind: 'export' })).bytes;
  }

  /** Forgets everything: project, images, checkpoint. */
  async startOver(): Promise<void> {
    await this.store.clear();
    location.reload();
  }
}
