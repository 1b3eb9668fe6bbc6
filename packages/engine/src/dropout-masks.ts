import type { DropoutNoiseInput } from '@anneal/autograd';
import { mix32 as mix } from '@anneal/data';
import { DataType, type TensorValue } from '@anneal/onnx';

/**
 * Counter-based uniform noise for the Dropout masks of one step: value j of Dropout `node` at
 * update `step` is `mix(key + j * golden) / 2^32` (24-bit resolution, as float32 holds), with
 * `key` mixed from (seed, node, step). Nothing is carried from one call to the next, so the masks
 * of any step can be drawn again in another process, as a slice of a batch, or inside a Loop group.
 */
export function dropoutNoise(seed: number, node: number, step: number, count: number, out: Float32Array = new Float32Array(count), offset = 0): Float32Array {
  const key = mix(mix(mix(seed >>> 0) ^ Math.imul(node + 1, 0x632be5ab)) ^ (step >>> 0) ^ Math.imul(Math.floor(step / 2 ** 32), 0x27d4eb2f));
  for (let j = 0; j < count; j++) out[offset + j] = (mix((key + Math.imul(j, 0x9e3779b9)) >>> 0) >>> 8) * 2 ** -24;
  return out;
}

/**
 * Noise feeds for `k` consecutive updates from `firstStep` on batches of `n` examples: [n, P] per
 * input for one step, [k, n, P] when `stacked` (a Loop group).
 */
export function noiseFeeds(inputs: readonly DropoutNoiseInput[], seed: number, firstStep: number, n: number, stacked?: { k: number }): Record<string, TensorValue> {
  const feeds: Record<string, TensorValue> = {};
  const k = stacked?.k ?? 1;
  for (const input of inputs) {
    const size = n * input.perExample;
    const data = new Float32Array(k * size);
    for (let i = 0; i < k; i++) dropoutNoise(seed, input.node, firstStep + i, size, data, i * size);
    feeds[input.name] = { dataType: DataType.FLOAT, dims: stacked ? [k, n, input.perExample] : [n, input.perExample], data };
  }
  return feeds;
}
