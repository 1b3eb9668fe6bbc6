import { type TensorValue, type TypedArray } from '@anneal/onnx';
import { EngineError } from './errors.js';

/** Batches stacked along a new leading axis: every input has dims [K, ...one batch's dims]. */
export interface StackedBatches {
  readonly stacked: Readonly<Record<string, TensorValue>>;
}

/** A key describing a batch's input names, element types and dims; equal keys stack. */
export function batchShapeKey(batch: Readonly<Record<string, TensorValue>>): string {
  let key = '';
  for (const name of Object.keys(batch).sort()) {
    const v = batch[name]!;
    key += `${name}:${v.dataType}:${v.dims.join('x')};`;
  }
  return key;
}

/**
 * Stacks batches of equal shapes into [K, ...] tensors (one copy of each batch's data).
 *
 * @example
 * const { stacked } = stackBatches([b0, b1, b2]); // stacked.x.dims = [3, 128, 512]
 */
export function stackBatches(batches: readonly Readonly<Record<string, TensorValue>>[]): StackedBatches {
  const first = batches[0];
  if (!first) throw new EngineError('stackBatches needs at least one batch');
  const key = batchShapeKey(first);
  batches.forEach((b, i) => {
    if (batchShapeKey(b) !== key) throw new EngineError(`batch ${i} has other inputs or shapes than batch 0 (${batchShapeKey(b)} vs ${key}); only batches of equal shapes stack.`);
  });
  const stacked: Record<string, TensorValue> = {};
  for (const name of Object.keys(first)) {
    const v = first[name]!;
    const n = v.data.length;
    const data = new (v.data.constructor as new (length: number) => TypedArray)(n * batches.length);
    batches.forEach((b, i) => (data as Float32Array).set(b[name]!.data as Float32Array, i * n));
    stacked[name] = { dataType: v.dataType, dims: [batches.length, ...v.dims], data };
  }
  return { stacked };
}

/** The number of batches in a stack (the leading dim, equal for every input). */
export function stackedCount(s: StackedBatches): number {
  let k: number | undefined;
  for (const [name, v] of Object.entries(s.stacked)) {
    const d = v.dims[0];
    if (d === undefined) throw new EngineError(`stacked input '${name}' is a scalar; stacked inputs have dims [K, ...batch dims].`);
    if (k !== undefined && d !== k) throw new EngineError(`stacked input '${name}' has ${d} batches but another input has ${k}; every stacked input needs the same leading dim K.`);
    k = d;
  }
  if (k === undefined) throw new EngineError('the stack has no inputs');
  return k;
}

/** Batch `i` of a stack, viewing the stacked data (no copy). */
export function unstackBatch(s: StackedBatches, i: number): Record<string, TensorValue> {
  const out: Record<string, TensorValue> = {};
  for (const [name, v] of Object.entries(s.stacked)) {
    const k = v.dims[0]!;
    const n = v.data.length / k;
    out[name] = { dataType: v.dataType, dims: v.dims.slice(1), data: v.data.subarray(i * n, (i + 1) * n) as TypedArray };
  }
  return out;
}
