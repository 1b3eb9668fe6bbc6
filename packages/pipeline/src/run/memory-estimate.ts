import { freemem } from 'node:os';
import { DataType, elementByteSize, inferTensorFacts, type ModelProto } from '@anneal/onnx';
import { PipelineError } from '../errors.js';

/** Bytes a train step holds, by kind (see {@link estimateStepMemory}). */
export interface StepMemoryEstimate {
  /** Every initializer of the model (trainable or frozen). */
  weights: number;
  /** Per trainable tensor: its gradient, its new value and its optimizer state in and out (and the EMA copy). */
  update: number;
  /** Intermediate tensors of the forward pass at the batch size, and their gradients in the backward pass. */
  activations: number;
  /** The inputs of a group of steps run as one ONNX Loop (groupSize batches stacked). */
  inputs: number;
  total: number;
}

/** What {@link estimateStepMemory} needs besides the model. */
export interface StepMemoryOptions {
  trainable: readonly string[];
  /** Optimizer state tensors per parameter (Adam: 2, momentum: 1, plain SGD: 0). */
  stateSlots: number;
  /** Examples in one forward/backward pass (the batch, or a micro-batch with accumulation). */
  batchSize: number;
  /** The graph input the batches feed, and how many batches a Loop stacks (groupSize). */
  input: string;
  groupSize: number;
  /** Data-parallel workers: each holds its own copy of the weights and gradients. */
  workers?: number;
  ema?: boolean;
}

const bytesOf = (dataType: DataType | undefined, elements: number) => elements * (elementByteSize(dataType ?? DataType.FLOAT) ?? 4);

/**
 * A cheap estimate of the memory a compiled train step needs, from the model alone (no ONNX
 * Runtime session): the weights, per trainable tensor its gradient, new value and optimizer state,
 * and the intermediate tensors of the forward pass at the batch size (static shape inference with
 * the batch axis set to `batchSize`), doubled for their gradients. Tensors whose shape inference
 * cannot tell are left out, so it errs low; what it is for is catching the runs that cannot fit
 * at all (a 10^9-parameter layer, a batch whose activations need tens of GB) before compiling.
 */
export function estimateStepMemory(model: ModelProto, o: StepMemoryOptions): StepMemoryEstimate {
  const trainable = new Set(o.trainable);
  let weights = 0;
  let trained = 0;
  for (const t of model.graph.initializer) {
    const elements = t.dims.reduce((a, d) => a * Number(d), 1);
    weights += bytesOf(t.dataType, elements);
    if (t.name && trainable.has(t.name)) trained += bytesOf(t.dataType, elements);
  }
  const update = trained * (2 + 2 * o.stateSlots + (o.ema ? 2 : 0));
  let facts: ReturnType<typeof inferTensorFacts>;
  try {
    facts = inferTensorFacts(model.graph);
  } catch {
    facts = new Map(); // a graph static inference cannot walk: activations are left out, never a reason to fail
  }
  const perExample = (name: string): number => {
    const fact = facts.get(name);
    const dims = fact?.dims;
    if (!dims?.length) return 0;
    let elements = 1;
    for (const [i, d] of dims.entries()) {
      if (typeof d === 'number') elements *= i === 0 ? 1 : d;
      else if (i !== 0) return 0; // an unknown inner dim: left out
    }
    // a leading number is the batch axis only when it is symbolic; a fixed leading dim counts as is
    const lead = dims[0];
    return bytesOf(fact?.elemType, typeof lead === 'number' ? elements * lead : elements * o.batchSize);
  };
  let activations = 0;
  for (const node of model.graph.node) for (const out of node.output) if (out) activations += perExample(out);
  activations *= 2;
  const inputs = perExample(o.input) * o.groupSize;
  const workers = Math.max(1, o.workers ?? 1);
  const total = weights * workers + update + (trained * (workers - 1)) + activations + inputs;
  return { weights, update, activations, inputs, total };
}

/** The memory a run may use: `train.memoryLimit` in GB, or what the machine has available now (its cgroup limit included). */
export function memoryLimit(setting: 'auto' | 'off' | number): { bytes: number; source: string } | undefined {
  if (setting === 'off') return undefined;
  if (typeof setting === 'number') return { bytes: setting * 2 ** 30, source: `train.memoryLimit ${setting} GB` };
  const available = freemem();
  const constrained = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.() ?? 0;
  const inCgroup = constrained > 0 && constrained < Number.MAX_SAFE_INTEGER ? constrained - process.memoryUsage().rss : Infinity;
  return inCgroup < available ? { bytes: inCgroup, source: 'the memory left under this process group limit' } : { bytes: available, source: 'the memory available on this machine' };
}

/** A train step would not fit in memory: the estimate, the limit and what to change. */
export class MemoryLimitError extends PipelineError {
  constructor(
    readonly estimate: StepMemoryEstimate,
    readonly limit: number,
    message: string,
  ) {
    super('MEMORY_LIMIT', message);
  }
}

const gb = (bytes: number) => `${(bytes / 2 ** 30).toFixed(bytes < 2 ** 30 ? 3 : 1)} GB`;

/**
 * Throws {@link MemoryLimitError} when the estimate exceeds the limit: before compiling, so a run
 * too big for the machine stops with a message instead of a heap abort or the kernel's OOM killer.
 */
export function checkStepMemory(estimate: StepMemoryEstimate, limit: { bytes: number; source: string } | undefined, batchSize: number): void {
  if (!limit || estimate.total <= limit.bytes) return;
  const parts = `weights ${gb(estimate.weights)}, gradients and optimizer state ${gb(estimate.update)}, activations at batch ${batchSize} ${gb(estimate.activations)}`;
  const fix = estimate.activations > estimate.weights + estimate.update ? `use a smaller data.batchSize (or train.parallel.accumulate to split each batch)` : `use a smaller model (fewer or narrower layers, or fewer trainable tensors)`;
  throw new MemoryLimitError(estimate, limit.bytes, `the train step needs about ${gb(estimate.total)} (${parts}), more than ${gb(limit.bytes)}, ${limit.source}; ${fix}, or set train.memoryLimit (GB, or 'off') if the estimate is wrong for this machine`);
}
