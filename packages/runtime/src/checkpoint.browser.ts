// The browser twin of checkpoint.ts (package.json "imports" #checkpoint-files, browser condition):
// checkpoints as bytes are encodeSafetensors / decodeSafetensors; a page keeps them where it can
// (IndexedDB, a download).
import type { TensorValue } from '@anneal/onnx';
import { AnnealRuntimeError } from './errors.js';
import type { SafetensorsContents } from './safetensors.js';

const noFiles = (what: string): never => {
  throw new AnnealRuntimeError('NO_FILE_SYSTEM', `${what} needs a file system, which a browser does not have; use encodeSafetensors(tensors, metadata) and decodeSafetensors(bytes), and store the bytes yourself (IndexedDB, a download)`);
};

export function saveCheckpoint(path: string, _tensors: Record<string, TensorValue>, _metadata: Record<string, string> = {}): void {
  noFiles(`saveCheckpoint('${path}')`);
}

export function loadCheckpoint(path: string): SafetensorsContents {
  return noFiles(`loadCheckpoint('${path}')`);
}

export function removeCheckpoint(path: string): void {
  noFiles(`removeCheckpoint('${path}')`);
}
