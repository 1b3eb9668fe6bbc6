import type { Batch, BatchSource, StepHyperparameters, TrainBackend, TrainResult } from '@anneal/core';
import { permutation } from '@anneal/data';
import { DataType, type TensorValue } from '@anneal/onnx';
import { randn } from './fixtures.js';

/** Options of {@link boringModel}. */
export interface BoringModelOptions {
  /** Input features (default 4). */
  readonly features?: number;
  /** Classes (default 3). */
  readonly classes?: number;
  /** Training examples (default 48). */
  readonly trainSize?: number;
  /** Validation examples (default 24). */
  readonly valSize?: number;
  /** Examples per batch (default 8). */
  readonly batchSize?: number;
  /** Seed of the data, the epoch orders and the initial weights (default 0). */
  readonly seed?: number;
  /** Defaults of the step's hyperparameter inputs `hp.lr.default` (0.1), `hp.weight_decay.default` (1e-3) and `hp.momentum` (0.9). */
  readonly lr?: number;
  readonly weightDecay?: number;
  readonly momentum?: number;
}

/** A tiny real training problem: seeded Gaussian blobs, batch sources and a backend that learns them. */
export interface BoringModel {
  readonly features: number;
  readonly classes: number;
  /** Training batches `{ x: float [B, features], labels: int64 [B] }`, in an order that depends only on the epoch. */
  readonly train: BatchSource;
  /** Validation batches (fixed order). */
  readonly val: BatchSource;
  /** A fresh backend, with the same initial weights every call. */
  backend(): BoringBackend;
}

/** The error {@link BoringBackend} throws for a non-finite loss (the `NonFiniteStep` shape the Trainer reads). */
export class BoringNonFiniteError extends Error {
  constructor(
    readonly step: number,
    readonly loss: number,
    readonly completed: readonly number[],
    readonly tensor = 'x',
  ) {
    super(`step ${step}: the loss is ${loss} (a non-finite value in input 'x')`);
    this.name = 'BoringNonFiniteError';
  }
}

const WEIGHT = 'fc.weight';
const BIAS = 'fc.bias';
const buffer = (param: string) => `state.momentum_buffer.${param}`;

function floats(dims: number[], data: ArrayLike<number>): TensorValue {
  return { dataType: DataType.FLOAT, dims, data: Float32Array.from(data) };
}

function copy(t: TensorValue): TensorValue {
  return { dataType: t.dataType, dims: [...t.dims], data: t.data.slice() };
}

function norm(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s);
}

/** Rows of `x` and `labels` in `order[from..to)`, as one batch. */
function gather(x: Float32Array, y: readonly number[], features: number, order: ArrayLike<number>, from: number, to: number): Batch {
  const rows = Array.from({ length: to - from }, (_, i) => order[from + i]!);
  const data = new Float32Array(rows.length * features);
  rows.forEach((r, i) => data.set(x.subarray(r * features, (r + 1) * features), i * features));
  return { x: { dataType: DataType.FLOAT, dims: [rows.length, features], data }, labels: { dataType: DataType.INT64, dims: [rows.length], data: BigInt64Array.from(rows, (r) => BigInt(y[r]!)) } };
}

function source(x: Float32Array, y: readonly number[], features: number, batchSize: number, orderOf: (epoch: number) => ArrayLike<number>): BatchSource {
  const n = y.length;
  const batchesPerEpoch = Math.ceil(n / batchSize);
  return {
    batchesPerEpoch,
    async *epoch(epoch: number, options: { from?: number } = {}) {
      const order = orderOf(epoch);
      for (let b = options.from ?? 0; b < batchesPerEpoch; b++) yield gather(x, y, features, order, b * batchSize, Math.min(n, (b + 1) * batchSize));
    },
  };
}

/**
 * The "boring model" of the conformance suites (Lightning's idea): softmax regression `x W + b`
 * on seeded Gaussian blobs, trained by real momentum SGD with L2 weight decay (torch.optim.SGD
 * semantics) in plain JavaScript, behind the {@link TrainBackend} contract. Plugins that run
 * inside a Trainer (callbacks, loggers) are checked on it without any ONNX model. It is fully
 * deterministic: a run resumed from its state continues bit for bit.
 *
 * @example
 * ```ts
 * const boring = boringModel();
 * const trainer = new Trainer({ backend: boring.backend(), train: boring.train, val: boring.val, epochs: 3 });
 * await trainer.fit();
 * ```
 */
export function boringModel(options: BoringModelOptions = {}): BoringModel {
  const features = options.features ?? 4;
  const classes = options.classes ?? 3;
  const seed = options.seed ?? 0;
  const batchSize = options.batchSize ?? 8;
  const centers = randn(classes * features, seed + 1, 1.5);
  const blobs = (n: number, s: number) => {
    const noise = randn(n * features, s);
    const y = Array.from({ length: n }, (_, i) => i % classes);
    const x = Float32Array.from(noise, (v, i) => v + centers[y[Math.floor(i / features)]! * features + (i % features)]!);
    return { x, y };
  };
  const train = blobs(options.trainSize ?? 48, seed + 2);
  const val = blobs(options.valSize ?? 24, seed + 3);
  const initial = { [WEIGHT]: floats([features, classes], randn(features * classes, seed + 4, 0.1)), [BIAS]: floats([classes], new Float32Array(classes)) };
  const defaults = { lr: options.lr ?? 0.1, weightDecay: options.weightDecay ?? 1e-3, momentum: options.momentum ?? 0.9 };
  return {
    features,
    classes,
    train: source(train.x, train.y, features, batchSize, (epoch) => permutation(train.y.length, seed * 7919 + epoch)),
    val: source(val.x, val.y, features, batchSize, () => Array.from(val.y, (_, i) => i)),
    backend: () => new BoringBackend(initial, defaults),
  };
}

/** Softmax regression trained by momentum SGD in JavaScript; see {@link boringModel}. */
export class BoringBackend implements TrainBackend {
  steps = 0;
  readonly hyperparameters: TrainBackend['hyperparameters'];
  private params: Record<string, TensorValue>;
  private buffers: Record<string, TensorValue>;

  constructor(
    initial: Readonly<Record<string, TensorValue>>,
    private readonly defaults: { lr: number; weightDecay: number; momentum: number },
  ) {
    this.params = Object.fromEntries(Object.entries(initial).map(([k, t]) => [k, copy(t)]));
    this.buffers = Object.fromEntries(Object.entries(initial).map(([k, t]) => [buffer(k), { ...copy(t), data: new Float32Array(t.data.length) }]));
    this.hyperparameters = [
      { name: 'hp.lr.default', key: 'lr', group: 'default', value: defaults.lr, followsBase: true, scale: 1 },
      { name: 'hp.weight_decay.default', key: 'weight_decay', group: 'default', value: defaults.weightDecay },
      { name: 'hp.momentum', key: 'momentum', value: defaults.momentum },
    ];
  }

  private get classes(): number {
    return this.params[BIAS]!.dims[0]!;
  }

  /** Logits (float32, as a graph would give them), mean cross-entropy and its gradients. */
  private forward(batch: Batch, withGrads: boolean): { loss: number; logits: TensorValue; grads?: Record<string, Float64Array> } {
    const x = batch.x!.data as Float32Array;
    const [n, f] = batch.x!.dims as [number, number];
    const c = this.classes;
    const w = this.params[WEIGHT]!.data as Float32Array;
    const b = this.params[BIAS]!.data as Float32Array;
    const logits = new Float32Array(n * c);
    const gw = new Float64Array(f * c);
    const gb = new Float64Array(c);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const z = Array.from({ length: c }, (_, j) => {
        let s = b[j]!;
        for (let k = 0; k < f; k++) s += x[i * f + k]! * w[k * c + j]!;
        return s;
      });
      logits.set(z, i * c);
      const max = Math.max(...z);
      const exp = z.map((v) => Math.exp(v - max));
      const sum = exp.reduce((a, v) => a + v, 0);
      const label = batch.labels ? Number(batch.labels.data[i]) : 0;
      loss += Math.log(sum) + max - z[label]!;
      if (!withGrads) continue;
      for (let j = 0; j < c; j++) {
        const d = (exp[j]! / sum - (j === label ? 1 : 0)) / n;
        gb[j]! += d;
        for (let k = 0; k < f; k++) gw[k * c + j]! += d * x[i * f + k]!;
      }
    }
    return { loss: loss / n, logits: { dataType: DataType.FLOAT, dims: [n, c], data: logits }, grads: withGrads ? { [WEIGHT]: gw, [BIAS]: gb } : undefined };
  }

  /** One torch.optim.SGD step (momentum, L2 weight decay); the per-tensor norms when asked. */
  private update(grads: Record<string, Float64Array>, request: StepHyperparameters, withStats: boolean): Record<string, number> | undefined {
    const values = request.values ?? {};
    const lr = values['hp.lr.default'] ?? request.lr ?? this.defaults.lr;
    const wd = values['hp.weight_decay.default'] ?? this.defaults.weightDecay;
    const momentum = values['hp.momentum'] ?? this.defaults.momentum;
    const stats: Record<string, number> = {};
    let global = 0;
    for (const [name, g] of Object.entries(grads)) {
      const p = this.params[name]!.data as Float32Array;
      const buf = this.buffers[buffer(name)]!.data as Float32Array;
      const old = withStats ? p.slice() : undefined;
      for (let i = 0; i < p.length; i++) {
        buf[i] = momentum * buf[i]! + g[i]! + wd * p[i]!;
        p[i] = p[i]! - lr * buf[i]!;
      }
      if (old) {
        const gradNorm = norm(g);
        global += gradNorm * gradNorm;
        stats[`stats.grad_norm.${name}`] = gradNorm;
        stats[`stats.weight_norm.${name}`] = norm(old);
        stats[`stats.update_norm.${name}`] = norm(Float64Array.from(p, (v, i) => v - old[i]!));
      }
    }
    if (!withStats) return undefined;
    stats['stats.global_grad_norm'] = Math.sqrt(global);
    return stats;
  }

  async train(batches: readonly Batch[], hp: readonly StepHyperparameters[], options: { logits?: boolean; stats?: boolean } = {}): Promise<TrainResult> {
    const losses: number[] = [];
    const logits: TensorValue[] = [];
    let stats: Record<string, number> | undefined;
    for (let i = 0; i < batches.length; i++) {
      const r = this.forward(batches[i]!, true);
      if (!Number.isFinite(r.loss)) throw new BoringNonFiniteError(this.steps + 1, r.loss, [...losses]);
      if (options.logits) logits.push(r.logits);
      stats = this.update(r.grads!, hp[i] ?? {}, !!options.stats && i === batches.length - 1) ?? stats;
      losses.push(r.loss);
      this.steps++;
    }
    return { losses, ...(options.logits ? { logits } : {}), ...(stats ? { stats } : {}) };
  }

  async evaluate(batch: Batch): Promise<{ loss: number; logits: TensorValue }> {
    const { loss, logits } = this.forward(batch, false);
    return { loss, logits };
  }

  async predict(inputs: Batch): Promise<TensorValue> {
    return this.forward(inputs, false).logits;
  }

  async state(): Promise<Record<string, TensorValue>> {
    return Object.fromEntries([...Object.entries(this.params), ...Object.entries(this.buffers)].map(([k, t]) => [k, copy(t)]));
  }

  async weights(): Promise<Record<string, TensorValue>> {
    return Object.fromEntries(Object.entries(this.params).map(([k, t]) => [k, copy(t)]));
  }

  async restore(state: Readonly<Record<string, TensorValue>>, steps: number): Promise<void> {
    for (const name of [...Object.keys(this.params), ...Object.keys(this.buffers)]) {
      if (!state[name]) throw new Error(`boring model: the state has no '${name}'`);
    }
    await this.loadWeights(state);
    for (const name of Object.keys(this.buffers)) this.buffers[name] = copy(state[name]!);
    this.steps = steps;
  }

  async loadWeights(weights: Readonly<Record<string, TensorValue>>): Promise<void> {
    for (const name of Object.keys(this.params)) if (weights[name]) this.params[name] = copy(weights[name]);
  }
}
