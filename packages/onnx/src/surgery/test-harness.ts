/** Test-only helpers: run models in onnxruntime-node and compare outputs. Not exported from the package. */
import * as ort from 'onnxruntime-node';
import { encodeModel } from '../codec.js';
import type { ModelProto } from '../types.js';

/** Feeds by input name; a Uint8Array is fed as bool. */
export type Feeds = Record<string, { data: Float32Array | BigInt64Array | Int32Array | Uint8Array; dims: number[] }>;

/** Runs a model once on float/int feeds and returns every graph output as plain data. */
export async function runModel(model: ModelProto, feeds: Feeds): Promise<Record<string, { data: Float32Array; dims: number[] }>> {
  const session = await ort.InferenceSession.create(encodeModel(model));
  const inputs: Record<string, ort.Tensor> = {};
  for (const [name, { data, dims }] of Object.entries(feeds)) {
    const type = data instanceof Float32Array ? 'float32' : data instanceof BigInt64Array ? 'int64' : data instanceof Uint8Array ? 'bool' : 'int32';
    inputs[name] = new ort.Tensor(type, data, dims);
  }
  const out = await session.run(inputs);
  await session.release();
  const result: Record<string, { data: Float32Array; dims: number[] }> = {};
  for (const [name, t] of Object.entries(out)) {
    const raw = t.data as ArrayLike<number | bigint | boolean>;
    result[name] = { data: Float32Array.from(Array.from(raw, (v) => Number(v))), dims: [...t.dims] };
  }
  return result;
}

/** Largest absolute element difference of two equally long arrays (Infinity when lengths differ). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}
