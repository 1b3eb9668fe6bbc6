// The browser twin of io.ts (package.json "imports" #io, browser condition): the same names, no
// file system. Models come in as bytes (fetch, a file input) and leave as bytes: decodeModel and
// encodeModel.
import { OnnxError } from './errors.js';
import type { ModelProto } from './types.js';
import type { SaveModelOptions, SaveModelResult } from './io.js';

export type { SaveModelOptions, SaveModelResult } from './io.js';

const noFiles = (what: string): never => {
  throw new OnnxError('NO_FILE_SYSTEM', `${what} needs a file system, which a browser does not have; read models with decodeModel(bytes) from fetch() or a file input, and write them with encodeModel(model)`);
};

export function writeFileAtomic(path: string, _data: Uint8Array | string): void {
  noFiles(`writeFileAtomic('${path}')`);
}

export function ensureDir(dir: string): void {
  noFiles(`ensureDir('${dir}')`);
}

export function removeAtomicTemps(dir: string): string[] {
  return noFiles(`removeAtomicTemps('${dir}')`);
}

export function readModelFile(path: string): ModelProto {
  return noFiles(`readModelFile('${path}')`);
}

export function loadModel(path: string): ModelProto {
  return noFiles(`loadModel('${path}')`);
}

export function saveModel(path: string, _model: ModelProto, _options: SaveModelOptions = {}): SaveModelResult {
  return noFiles(`saveModel('${path}')`);
}

/** `path` against a base (kept when absolute), joined with '/': what a browser can resolve without a file system. */
export function resolvePath(base: string, path: string): string {
  if (path.startsWith('/') || /^[a-z]+:\/\//i.test(path)) return path;
  const parts = `${base}/${path}`.split('/');
  const out: string[] = [];
  for (const part of parts) {
    if (part === '..') out.pop();
    else if (part !== '.' && part !== '') out.push(part);
  }
  return `${base.startsWith('/') ? '/' : ''}${out.join('/')}`;
}
