import { readFileSync, rmSync } from 'node:fs';
import { writeFileAtomic, type TensorValue } from '@anneal/onnx';
import { CheckpointNotFoundError } from './errors.js';
import { decodeSafetensors, encodeSafetensors, type SafetensorsContents } from './safetensors.js';

/**
 * Writes tensors (parameters and optimizer state, see CHECKPOINT.md) and string metadata to a
 * safetensors file. The file is serialized completely first and then replaced atomically, so a
 * failure (e.g. an unsupported dtype) never damages an existing checkpoint at `path`.
 *
 * @example
 * saveCheckpoint('runs/a/step-100.safetensors', { 'fc.weight': w, 'fc.weight.exp_avg': m }, { step: '100', optimizer: 'adamw' });
 */
export function saveCheckpoint(path: string, tensors: Record<string, TensorValue>, metadata: Record<string, string> = {}): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

/**
 * Reads a checkpoint written by {@link saveCheckpoint} (or any safetensors file with supported
 * dtypes). Throws {@link CheckpointNotFoundError} or {@link CorruptCheckpointError}.
 *
 * @example
 * const { tensors, metadata } = loadCheckpoint('runs/a/step-100.safetensors');
 * Number(metadata.step); // 100
 */
export function loadCheckpoint(path: string): SafetensorsContents {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new CheckpointNotFoundError(path, (e as Error).message);
  }
  return decodeSafetensors(bytes, path);
}

/** Removes a checkpoint file (a best-k file that fell out); a missing file is fine. */
export function removeCheckpoint(path: string): void {
  rmSync(path, { force: true });
}
