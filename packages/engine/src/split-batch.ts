import type { TensorValue } from '@anneal/onnx';
import { EngineError } from './errors.js';

/** Sizes of `parts` near-equal consecutive pieces of `n` items (the first `n % parts` one larger). */
export function splitSizes(n: number, parts: number): number[] {
  const base = Math.floor(n / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < n % parts ? 1 : 0));
}

/**
 * Cuts a batch (every tensor with the examples on dim 0) into consecutive pieces of the given
 * sizes; each piece owns a copy of its rows (so posting it to a worker copies only those).
 *
 * @example
 * splitBatch({ x, labels }, [3, 3, 2]); // three batches of 3, 3 and 2 examples
 */
export function splitBatch(batch: Readonly<Record<string, TensorValue>>, sizes: readonly number[]): Record<string, TensorValue>[] {
  const names = Object.keys(batch);
  const n = batch[names[0]!]?.dims[0];
  if (n === undefined) throw new EngineError('splitBatch: the batch has no tensors with a batch dimension');
  for (const name of names) {
    if (batch[name]!.dims[0] !== n) throw new EngineError(`splitBatch: '${name}' has ${batch[name]!.dims[0]} examples on dim 0 but '${names[0]}' has ${n}; every tensor of a batch needs the same count`);
  }
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== n) throw new EngineError(`splitBatch: the sizes add up to ${total} but the batch has ${n} examples`);
  const pieces: Record<string, TensorValue>[] = [];
  let start = 0;
  for (const size of sizes) {
    const piece: Record<string, TensorValue> = {};
    for (const name of names) {
      const t = batch[name]!;
      const row = t.dims.slice(1).reduce((a, d) => a * d, 1);
      piece[name] = { dataType: t.dataType, dims: [size, ...t.dims.slice(1)], data: t.data.slice(start * row, (start + size) * row) as TensorValue['data'] };
    }
    pieces.push(piece);
    start += size;
  }
  return pieces;
}
