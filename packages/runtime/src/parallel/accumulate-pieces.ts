import type { TensorValue } from '@anneal/onnx';
import type { Session } from '../session.js';
import { fromOrtTensorAsync, type OrtTensor } from '../tensor-convert.js';
import { axpy } from './all-reduce.js';
import type { MicroBatch } from './shard-protocol.js';

/** A reduced output and the buffer its weighted sum over the pieces is added into. */
export interface ReduceTarget {
  readonly name: string;
  readonly target: Float32Array;
}

/**
 * Runs `pieces` one after another on `session` with the `shared` feeds (parameters, statistics),
 * adds each piece's reduced outputs times its weight into their targets (`target += weight * out`),
 * and returns each piece's `fetch` outputs. Used by a data-parallel worker thread and by the
 * single-worker runner alike, so both sum in the same order.
 */
export async function accumulatePieces(session: Session, shared: Readonly<Record<string, OrtTensor>>, pieces: readonly MicroBatch[], reduce: readonly ReduceTarget[], fetch: readonly string[]): Promise<Record<string, TensorValue>[]> {
  const names = [...reduce.map((r) => r.name), ...fetch];
  const outputs: Record<string, TensorValue>[] = [];
  for (const piece of pieces) {
    const out = await session.run({ ...shared, ...piece.feeds }, names);
    for (const r of reduce) {
      const g = out[r.name]!.data as Float32Array;
      if (g.length !== r.target.length) throw new Error(`output '${r.name}' has ${g.length} elements, the reduction expects ${r.target.length}`);
      axpy(r.target, g, piece.weight);
    }
    const rest: Record<string, TensorValue> = {};
    for (const name of fetch) rest[name] = await fromOrtTensorAsync(out[name]!, name);
    outputs.push(rest);
  }
  return outputs;
}
