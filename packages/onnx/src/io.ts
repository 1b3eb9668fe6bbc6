import { mkdirSync, readFileSync, renameSync, writeFileSync, rmSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { decodeModel, encodeModel } from './codec';
import { OnnxError } from './errors';
import type { ModelProto } from './types';

/**
 * Writes a file atomically: data goes to a temporary sibling that is then renamed over the
 * target, so a crash or an error never leaves a half-written file in place of a good one.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Reads an ONNX file from disk into a plain ModelProto. */
export function readModelFile(path: string): ModelProto {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new OnnxError('MODEL_NOT_FOUND', `cannot read ONNX model '${path}': ${(e as Error).message}`);
  }
  return decodeModel(bytes, path);
}

/** Saves a model atomically. */
export function saveModel(path: string, model: ModelProto): void {
  writeFileAtomic(path, encodeModel(model));
}
