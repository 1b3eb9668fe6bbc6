import type { CheckpointIO } from '@anneal/core';
import type { TensorValue } from '@anneal/onnx';

/** A checkpoint kept by {@link memoryCheckpoints}. */
export interface StoredCheckpoint {
  readonly tensors: Record<string, TensorValue>;
  readonly metadata: Record<string, string>;
}

function clone(tensors: Readonly<Record<string, TensorValue>>): Record<string, TensorValue> {
  return Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, { dataType: t.dataType, dims: [...t.dims], data: t.data.slice() }]));
}

/**
 * A {@link CheckpointIO} that keeps files in memory, copying every tensor in and out as a file
 * would: what the Trainer writes cannot be changed afterwards by the objects it wrote from.
 *
 * @example
 * ```ts
 * const io = memoryCheckpoints();
 * new Trainer({ ..., checkpoint: { dir: '/run', io } });
 * io.files.has('/run/last.safetensors');
 * ```
 */
export function memoryCheckpoints(): CheckpointIO & { readonly files: ReadonlyMap<string, StoredCheckpoint> } {
  const files = new Map<string, StoredCheckpoint>();
  return {
    files,
    async write(path, tensors, metadata) {
      files.set(path, { tensors: clone(tensors), metadata: { ...metadata } });
    },
    async read(path) {
      const file = files.get(path);
      if (!file) throw new Error(`${path}: no such checkpoint in memory (written: ${[...files.keys()].join(', ') || 'none'})`);
      return { tensors: clone(file.tensors), metadata: { ...file.metadata } };
    },
  };
}
