// The training behind the page, free of any DOM or worker API: the Web Worker runs it on
// onnxruntime-web, and the spec runs the very same code under Node (wasm and CPU) to compare.
// Everything it does goes through the Anneal packages: @anneal/transfer cuts the backbone, builds
// and attaches the head and chooses what trains; @anneal/engine compiles and runs the train step.
import { DataLoader, type ArrayDataset } from '@anneal/data';
import { decodeModel, encodeModel, type Dim, type TensorValue } from '@anneal/onnx';
import { adam } from '@anneal/optim';
import type { Device, RuntimeWarning } from '@anneal/runtime';
import { buildHead, checkInputLayout, createFineTuneSession, extractFeatures, featureStatistics, listBlocks, loadBackbone, type Backbone, type FineTuneSession } from '@anneal/transfer';
import { checkSettings, type BatchPoint, type EpochPoint, type RunHistory, type StudioRun } from './run-config.js';
import { encodeCheckpoint, type CheckpointMeta, type StudioCheckpoint } from './studio-checkpoint.js';
import { splitImages, toDataset, type StudioImages } from './studio-data.js';

/** What the page shows about a backbone. */
export interface BackboneInfo {
  name: string;
  sha256: string;
  input: { name: string; dims: Dim[] };
  /** The tensor the backbone is cut at and the width of its feature vector. */
  feature: { tensor: string; width?: number; pool: string };
  /** Blocks of the backbone (units of `unfreezeTop`). */
  blocks: number;
  opset: { from: number; to: number };
}

/** Loads a backbone from model bytes (Constant weights promoted, opset upgraded, cut at the top-ranked feature tensor). */
export function openBackbone(bytes: Uint8Array, name: string): { backbone: Backbone; info: BackboneInfo } {
  const backbone = loadBackbone(decodeModel(bytes));
  const info: BackboneInfo = {
    name,
    sha256: backbone.hash,
    input: { name: backbone.input.name, dims: backbone.input.dims },
    feature: { tensor: backbone.cutAt, width: backbone.featureDim, pool: backbone.pool },
    blocks: listBlocks(backbone.model).length,
    opset: backbone.opset,
  };
  return { backbone, info };
}

/** Options of {@link StudioTrainer.create}. */
export interface StudioTrainerOptions {
  backbone: { bytes: Uint8Array; name: string };
  run: StudioRun;
  images: StudioImages;
  /** Fingerprint of the images, kept in checkpoints. */
  dataKey: string;
  device: Device;
  /** Intra-op threads on onnxruntime-node (default 2; the web backend takes its own setting). */
  threads?: number;
  /** Continue from this checkpoint (same backbone, run and images). */
  resume?: StudioCheckpoint;
  onProgress?: (what: string, fraction: number) => void;
  onWarning?: (warning: RuntimeWarning) => void;
}

/** What a training loop reports and asks. */
export interface TrainHooks {
  onBatch?: (point: BatchPoint) => void;
  onEpoch?: (point: EpochPoint) => void;
  onCheckpoint?: (bytes: Uint8Array, meta: CheckpointMeta) => void | Promise<void>;
  /** Called after each batch: a worker yields here so that a cancel message can arrive. */
  pause?: () => Promise<void>;
  shouldStop?: () => boolean;
}

const argmaxMatches = (logits: TensorValue, labels: TensorValue): number => {
  const [n, k] = logits.dims as [number, number];
  const z = logits.data as Float32Array;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (z[i * k + j]! > z[i * k + best]!) best = j;
    if (BigInt(best) === (labels.data as BigInt64Array)[i]) hits++;
  }
  return hits;
};

/** A fine-tuning run of a backbone + new head: compiled once, trained epoch by epoch, checkpointed, exported. */
export class StudioTrainer {
  private constructor(
    readonly info: BackboneInfo,
    private readonly run: StudioRun,
    private readonly ft: FineTuneSession,
    private readonly data: { train: ArrayDataset; val?: ArrayDataset },
    private readonly standardize: StudioCheckpoint['standardize'],
    private readonly dataKey: string,
    private epochsDone: number,
    readonly history: RunHistory,
  ) {}

  /** Cuts the backbone, measures the feature statistics (unless resuming), attaches the head and compiles the train step. */
  static async create(o: StudioTrainerOptions): Promise<StudioTrainer> {
    checkSettings(o.run.settings);
    const s = o.run.settings;
    o.onProgress?.('reading the backbone', 0);
    const { backbone, info } = openBackbone(o.backbone.bytes, o.backbone.name);
    if (o.resume && o.resume.meta.backbone.sha256 !== info.sha256) throw new Error(`the checkpoint was trained on backbone ${o.resume.meta.backbone.name}, not ${info.name}`);
    if (!info.feature.width) throw new Error(`the width of feature tensor '${info.feature.tensor}' is not known statically; this backbone needs a cut with static dims`);
    checkInputLayout({ name: backbone.input.name, dims: backbone.input.dims }, o.images.dims, o.run.preprocess.layout);
    const data = splitImages(toDataset(o.images), o.run.classes.length, s.valFraction, s.seed);
    let standardize = o.resume?.standardize;
    if (s.standardize && !standardize) {
      o.onProgress?.('measuring the features', 0.05);
      const features = await extractFeatures(backbone, data.train, { device: o.device, batchSize: 32, threads: o.threads, onWarning: o.onWarning, onProgress: (done, total) => o.onProgress?.('measuring the features', 0.05 + (0.25 * done) / total) });
      standardize = featureStatistics(features.dataset.x);
    }
    const head = buildHead({ inputDim: info.feature.width, classes: o.run.classes.length, seed: s.seed, standardize });
    const loader = new DataLoader(data.train, { batchSize: s.batchSize, shuffle: true, seed: s.seed });
    const sample = loader.epochBatches(0).next().value!;
    if (sample.labels!.dims[0]! < 2) throw new Error('the first batch has one image; add images or raise the batch size');
    o.onProgress?.('compiling the train step', 0.3);
    const ft = await createFineTuneSession({
      backbone,
      head,
      freeze: { unfreezeTop: s.unfreezeTop },
      layerDecay: s.unfreezeTop > 0 && s.layerDecay < 1 ? s.layerDecay : undefined,
      optimizer: { optimizer: adam(), lr: s.lr },
      loss: { kind: 'cross-entropy' },
      sample: { [backbone.input.name]: sample.x!, labels: sample.labels! },
      device: o.device,
      intraOpThreads: o.threads ?? 2,
      seed: s.seed,
      onWarning: o.onWarning,
      onProgress: (phase, done, total) => o.onProgress?.(`compiling the train step (${phase})`, 0.3 + (0.7 * (phase === 'session' ? 0.8 + (0.2 * done) / Math.max(total, 1) : 0.4))),
    });
    const history: RunHistory = o.resume ? structuredClone(o.resume.meta.history) : { batches: [], epochs: [] };
    const trainer = new StudioTrainer(info, o.run, ft, data, standardize, o.dataKey, o.resume?.meta.epoch ?? 0, history);
    if (o.resume) await ft.session.restoreState(o.resume.state, o.resume.meta.step);
    o.onProgress?.('ready', 1);
    return trainer;
  }

  /** The device the step runs on (after any fallback, e.g. webgpu -> wasm). */
  get device(): Device {
    return this.ft.session.device;
  }

  /** Epochs completed and optimizer steps taken. */
  get progress(): { epoch: number; epochs: number; step: number } {
    return { epoch: this.epochsDone, epochs: this.run.settings.epochs, step: this.ft.session.steps };
  }

  /** Parameters trained: the head's and those of the unfrozen blocks. */
  get trainable(): { head: number; backbone: number } {
    const head = this.ft.selection.trainable.filter((p) => this.ft.selection.head.includes(p)).length;
    return { head, backbone: this.ft.selection.trainable.length - head };
  }

  /** Training and validation images. */
  get sizes(): { train: number; val: number } {
    return { train: this.data.train.y.dims[0]!, val: this.data.val?.y.dims[0] ?? 0 };
  }

  /** Trains the remaining epochs; after each one, evaluates and hands a checkpoint to `onCheckpoint`. Stops between batches when `shouldStop()` says so (the epoch in progress is then not kept). */
  async train(hooks: TrainHooks = {}): Promise<'finished' | 'cancelled'> {
    const s = this.run.settings;
    const session = this.ft.session;
    const loader = new DataLoader(this.data.train, { batchSize: s.batchSize, shuffle: true, seed: s.seed });
    while (this.epochsDone < s.epochs) {
      const epoch = this.epochsDone + 1;
      let [lossSum, hits, seen, seconds] = [0, 0, 0, 0];
      for (const batch of loader.epochBatches(epoch - 1)) {
        const feeds = { [this.info.input.name]: batch.x!, labels: batch.labels! };
        const started = performance.now();
        const r = await session.step(feeds, { logits: true });
        seconds += (performance.now() - started) / 1000;
        const n = batch.labels!.dims[0]!;
        lossSum += r.loss * n;
        hits += argmaxMatches(r.logits!, batch.labels!);
        seen += n;
        const point = { step: session.steps, epoch, loss: r.loss };
        this.history.batches.push(point);
        hooks.onBatch?.(point);
        await hooks.pause?.();
        if (hooks.shouldStop?.()) {
          this.history.batches = this.history.batches.filter((b) => b.epoch < epoch);
          return 'cancelled';
        }
      }
      const val = this.data.val ? await session.evaluate(new DataLoader(this.data.val, { batchSize: 64 }).epochBatches(0), {}) : undefined;
      const point: EpochPoint = { epoch, step: session.steps, trainLoss: lossSum / seen, trainAccuracy: hits / seen, valLoss: val?.loss, valAccuracy: val?.accuracy, imagesPerSecond: seen / seconds };
      this.history.epochs.push(point);
      this.epochsDone = epoch;
      hooks.onEpoch?.(point);
      if (hooks.onCheckpoint) {
        const c = await this.checkpoint();
        await hooks.onCheckpoint(encodeCheckpoint(c), c.meta);
      }
    }
    return 'finished';
  }

  /** The state to resume from: session state, standardization, run, history. */
  async checkpoint(): Promise<StudioCheckpoint> {
    const meta: CheckpointMeta = {
      run: this.run,
      epoch: this.epochsDone,
      step: this.ft.session.steps,
      history: this.history,
      backbone: { name: this.info.name, sha256: this.info.sha256 },
      data: this.dataKey,
    };
    return { meta: structuredClone(meta), state: await this.ft.session.stateValues(), standardize: this.standardize };
  }

  /** Class probabilities (softmax of the logits) of `n` preprocessed images, one row per image. */
  async predict(x: Float32Array, n: number): Promise<number[][]> {
    const dims = [n, ...(this.data.train.x.dims.slice(1) as number[])];
    const logits = await this.ft.session.predict({ [this.info.input.name]: { dataType: this.data.train.x.dataType, dims, data: x } });
    const k = this.run.classes.length;
    const z = logits.data as Float32Array;
    return Array.from({ length: n }, (_, i) => {
      const row = Array.from(z.subarray(i * k, (i + 1) * k));
      const max = Math.max(...row);
      const e = row.map((v) => Math.exp(v - max));
      const sum = e.reduce((a, v) => a + v, 0);
      return e.map((v) => v / sum);
    });
  }

  /**
   * The trained backbone + head as one inference model (model.onnx: input as the backbone's,
   * output `logits`), with the class names and the preprocessing in its metadata (`anneal.studio`).
   */
  async exportModel(): Promise<Uint8Array> {
    const model = await this.ft.session.exportInference(this.ft.model);
    model.producerName = 'anneal-studio';
    model.metadataProps = [...(model.metadataProps ?? []), { key: 'anneal.studio', value: JSON.stringify({ classes: this.run.classes, preprocess: this.run.preprocess, input: this.info.input.name, backbone: this.info.name }) }];
    return encodeModel(model);
  }

  async release(): Promise<void> {
    await this.ft.session.release();
  }
}
