import { readFileSync, renameSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { dirname, basename, isAbsolute, join, resolve } from 'node:path';
import { atomicTempPath, removeAtomicTemps } from './atomic-temps.js';
import { decodeModel, encodeModel } from './codec.js';
import { ensureDir } from './ensure-dir.js';
import { ExternalDataError, MalformedModelError, OnnxError } from './errors.js';
import { resolveExternalData } from './external-data.js';
import { externalizeTensors } from './externalize.js';
import type { ModelProto } from './types.js';

export { ensureDir, removeAtomicTemps };

/**
 * Writes a file atomically: data goes to a temporary sibling that is then renamed over the
 * target, so a crash or an error never leaves a half-written file in place of a good one.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  ensureDir(dirname(path));
  const tmp = atomicTempPath(path);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Largest .onnx file read: protobuf messages are limited to 2 GB (bigger models keep their weights as external data). */
const MAX_MODEL_FILE_BYTES = 2 ** 31 - 1;

/**
 * Reads an ONNX file from disk into a plain ModelProto, checked by decodeModel. A missing file or
 * a folder is an OnnxError (code MODEL_NOT_FOUND) naming the path; bad bytes a MalformedModelError.
 */
export function readModelFile(path: string): ModelProto {
  let bytes: Uint8Array;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw new Error("it is a folder; give the .onnx file inside it (a run folder's model is model.onnx)");
    if (stat.size > MAX_MODEL_FILE_BYTES) throw new Error(`it has ${stat.size} bytes, more than the 2 GB a protobuf file can hold; save big weights as external data`);
    bytes = readFileSync(path);
  } catch (e) {
    throw new OnnxError('MODEL_NOT_FOUND', `cannot read ONNX model '${path}': ${(e as Error).message}`);
  }
  return decodeModel(bytes, path);
}

/**
 * Reads an ONNX model, checks it (every tensor against its dims, at least one graph output) and
 * resolves its external-data tensors (files named relative to the model's folder) into memory.
 * Absolute locations, `..` escapes and symlinks resolving outside the folder are refused with
 * {@link ExternalDataError}.
 *
 * @example
 * const model = loadModel('models/big.onnx'); // also reads models/big.onnx.data
 */
export function loadModel(path: string): ModelProto {
  const model = readModelFile(path);
  if (model.graph.output.length === 0) throw new MalformedModelError(path, 'its graph declares no outputs, so it computes nothing', 'Export the model with its outputs (e.g. torch.onnx.export(..., output_names=[...])).');
  resolveExternalData(model, dirname(resolve(path)));
  return model;
}

/** Options of {@link saveModel}. */
export interface SaveModelOptions {
  /** Initializers of at least this many bytes go to a side file instead of the .onnx file. Off by default. */
  externalDataThreshold?: number;
  /** Name of the side file, in the model's folder. Default `<model file name>.data`. */
  externalDataFile?: string;
}

/** What {@link saveModel} wrote. */
export interface SaveModelResult {
  path: string;
  /** The side file, when tensors were written externally. */
  dataPath?: string;
  /** Names of the tensors stored in the side file. */
  externalTensors: string[];
}

/**
 * Saves a model atomically (temporary file + rename, so a failure never leaves a half-written
 * model). With `externalDataThreshold`, big initializers are written to a side file next to it
 * (also atomically, before the model that refers to it); the caller's model is not modified.
 *
 * @example
 * saveModel('out/net.onnx', model, { externalDataThreshold: 1024 }); // writes out/net.onnx.data too
 */
export function saveModel(path: string, model: ModelProto, options: SaveModelOptions = {}): SaveModelResult {
  if (options.externalDataThreshold === undefined) {
    writeFileAtomic(path, encodeModel(model));
    return { path, externalTensors: [] };
  }
  const location = options.externalDataFile ?? `${basename(path)}.data`;
  if (location !== basename(location) || location === '.' || location === '..') {
    throw new ExternalDataError('*', location, 'externalDataFile must be a plain file name; the data file always sits next to the model');
  }
  const copy = structuredClone(model);
  const { data, moved } = externalizeTensors(copy, options.externalDataThreshold, location);
  const bytes = encodeModel(copy);
  if (moved.length === 0) {
    writeFileAtomic(path, bytes);
    return { path, externalTensors: [] };
  }
  const dataPath = join(dirname(path), location);
  writeFileAtomic(dataPath, data);
  writeFileAtomic(path, bytes);
  return { path, dataPath, externalTensors: moved };
}

/** `path` against a base folder (kept when absolute): how configs name files relative to a project. */
export function resolvePath(base: string, path: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}
