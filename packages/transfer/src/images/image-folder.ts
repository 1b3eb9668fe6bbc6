import type { Dirent } from 'node:fs';
import { extensionOf as extname, isFolder, joinPath as join, listEntries } from '#files';
import sharp from '#sharp';
import { DataType } from '@anneal/onnx';
import { datasetSize, int64Labels, type ArrayDataset } from '@anneal/data';
import { ShapeMismatchError, TransferError } from '../errors.js';
import { ImageFolderError, ImagePreprocessError } from './image-errors.js';
import { decodeInto, planPreprocess, preprocessDims, rawImage, runInto, type ImagePreprocess } from './preprocess.js';

/** Progress and parallelism of a bulk preprocess. */
export interface ImageBatchOptions {
  /** Images in flight at once (sharp decodes on libuv worker threads). Default 8. */
  concurrency?: number;
  /** Called after each finished image with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/** Options of loadImageFolder. */
export interface ImageFolderOptions extends ImageBatchOptions {
  /** File extensions to read (case-insensitive, dot optional); others are ignored. Default: DEFAULT_IMAGE_EXTENSIONS. */
  extensions?: string[];
}

/** Extensions loadImageFolder reads unless told otherwise. */
export const DEFAULT_IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg', '.webp', '.gif', '.tif', '.tiff', '.avif'];

/** The sharp input format behind each extension it can read. */
const FORMAT_OF: Readonly<Record<string, 'png' | 'jpeg' | 'webp' | 'gif' | 'tiff' | 'heif' | 'svg'>> = {
  '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.jpe': 'jpeg', '.webp': 'webp', '.gif': 'gif',
  '.tif': 'tiff', '.tiff': 'tiff', '.avif': 'heif', '.heic': 'heif', '.heif': 'heif', '.svg': 'svg',
};

/**
 * Runs `task(i)` for i in 0..total-1 with at most `concurrency` in flight. After a failure no new
 * task starts; once the running ones settle, the failure with the lowest index is rethrown.
 */
export async function forEachConcurrent(total: number, task: (i: number) => Promise<void>, options: ImageBatchOptions = {}): Promise<void> {
  const concurrency = options.concurrency ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new ImagePreprocessError('concurrency', `must be a positive integer, got ${concurrency}`);
  }
  let next = 0;
  let done = 0;
  const failures: { index: number; error: unknown }[] = [];
  const worker = async (): Promise<void> => {
    while (failures.length === 0 && next < total) {
      const index = next++;
      try {
        await task(index);
      } catch (error) {
        failures.push({ index, error });
        return;
      }
      options.onProgress?.(++done, total);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  if (failures.length > 0) throw failures.reduce((a, b) => (b.index < a.index ? b : a)).error;
}

/** Per-example source shape of a dataset x: [N,H,W], [N,1|3,H,W] or [N, S*S]. */
function sourceDims(dims: readonly number[]): { c: 1 | 3; h: number; w: number } {
  const [, d1, d2, d3] = dims;
  if (dims.length === 3) return { c: 1, h: d1!, w: d2! };
  if (dims.length === 4 && (d1 === 1 || d1 === 3)) return { c: d1, h: d2!, w: d3! };
  const side = Math.round(Math.sqrt(d1 ?? 0));
  if (dims.length === 2 && side > 0 && side * side === d1) return { c: 1, h: side, w: side };
  throw new ShapeMismatchError('preprocessDataset x', ['N', 'H', 'W'], dims,
    'Give images as x [N, H, W], [N, 1, H, W], [N, 3, H, W] or flat squares [N, S*S] (e.g. MNIST [N, 784]), values in [0, 1].');
}

/**
 * Maps every example of a dataset of images in [0, 1] (x [N,H,W], [N,1|3,H,W] or flat squares
 * [N, S*S]) through the sharp pipeline to x [N, ...preprocessDims(p)] float32; y is kept, order too.
 * @example
 * const wide = await preprocessDataset(loadMnist({ perDigit: 100 }), { size: [48, 192], fit: 'contain', position: 'left' });
 */
export async function preprocessDataset(ds: ArrayDataset, p: ImagePreprocess, options: ImageBatchOptions = {}): Promise<ArrayDataset> {
  const q = planPreprocess(p);
  const n = datasetSize(ds);
  const src = ds.x.data;
  if (!(src instanceof Float32Array || src instanceof Float64Array)) {
    throw new TransferError('IMAGE_DATA', `preprocessDataset x: expected float pixels in [0, 1] but x has data type ${DataType[ds.x.dataType] ?? ds.x.dataType}; convert it to float32 (bytes / 255).`);
  }
  const { c, h, w } = sourceDims(ds.x.dims);
  const inSize = c * h * w;
  if (src.length !== n * inSize) {
    throw new ShapeMismatchError('preprocessDataset x', [n * inSize], [src.length], `x dims [${ds.x.dims.join(', ')}] need ${n * inSize} values but x.data has ${src.length} values; fix the dims or the data.`);
  }
  const dims = preprocessDims(p);
  const outSize = dims[0] * dims[1] * dims[2];
  const out = new Float32Array(n * outSize);
  await forEachConcurrent(n, (i) => runInto(rawImage(src.subarray(i * inSize, (i + 1) * inSize), c, h, w), q, out, i * outSize, c), options);
  return { x: { dataType: DataType.FLOAT, dims: [n, ...dims], data: out }, y: ds.y };
}

function extensionSet(dir: string, extensions: readonly string[]): Set<string> {
  if (extensions.length === 0) throw new ImageFolderError(dir, 'the extensions option is empty; list at least one, e.g. [".png", ".jpg"]');
  const set = new Set<string>();
  for (const raw of extensions) {
    const ext = (raw.startsWith('.') ? raw : `.${raw}`).toLowerCase();
    const format = FORMAT_OF[ext];
    if (format === undefined || !sharp.format[format].input.file) {
      const known = Object.keys(FORMAT_OF).filter((e) => sharp.format[FORMAT_OF[e]!].input.file);
      throw new ImageFolderError(dir, `unknown image extension '${raw}' in the extensions option; sharp reads ${known.join(', ')}`);
    }
    set.add(ext);
  }
  return set;
}

async function isDirectory(parent: string, e: Dirent): Promise<boolean> {
  if (e.isDirectory()) return true;
  return e.isSymbolicLink() && (await isFolder(join(parent, e.name)));
}

/** Image files under `dir` (recursively), hidden entries skipped. */
async function listImages(dir: string, extensions: Set<string>): Promise<string[]> {
  const found: string[] = [];
  for (const e of await listEntries(dir)) {
    if (e.name.startsWith('.')) continue;
    const path = join(dir, e.name);
    if (await isDirectory(dir, e)) for (const f of await listImages(path, extensions)) found.push(f);
    else if (extensions.has(extname(e.name).toLowerCase())) found.push(path);
  }
  return found;
}

/** The images of a class-folder tree, listed but not decoded. */
export interface ImageFolderListing {
  /** Sorted class folder names; a class id is an index here. */
  classes: string[];
  /** Image paths (`dir/<class>/.../<file>`), sorted within each class. */
  files: string[];
  /** Class id of each file. */
  labels: number[];
}

/**
 * Lists a folder of class sub-folders (`dir/<class>/<image>`; sorted folder names are class ids
 * 0..C-1, files sorted within a class, sub-folders of a class included) without decoding anything.
 * Hidden entries and files with other extensions are ignored.
 * @example const { classes, files, labels } = await listImageFolder('data/train');
 */
export async function listImageFolder(dir: string, options: Pick<ImageFolderOptions, 'extensions'> = {}): Promise<ImageFolderListing> {
  const extensions = extensionSet(dir, options.extensions ?? DEFAULT_IMAGE_EXTENSIONS);
  const entries = await listEntries(dir).catch((e: NodeJS.ErrnoException) => {
    const what = e.code === 'ENOENT' ? 'folder not found' : e.code === 'ENOTDIR' ? 'is a file, not a folder' : e.message;
    throw new ImageFolderError(dir, `${what}; pass a folder laid out as <dir>/<class name>/<image file>`);
  });
  const classes: string[] = [];
  for (const e of entries) if (!e.name.startsWith('.') && (await isDirectory(dir, e))) classes.push(e.name);
  classes.sort();
  if (classes.length === 0) {
    throw new ImageFolderError(dir, 'has no class sub-folders; lay images out as <dir>/<class name>/<image file>, one sub-folder per class');
  }
  const files: string[] = [];
  const labels: number[] = [];
  for (const [label, name] of classes.entries()) {
    const found = (await listImages(join(dir, name), extensions)).sort();
    if (found.length === 0) {
      throw new ImageFolderError(join(dir, name), `class '${name}' has no images with extensions ${[...extensions].join(', ')}; add images, remove the folder, or set the extensions option`);
    }
    for (const f of found) {
      files.push(f);
      labels.push(label);
    }
  }
  return { classes, files, labels };
}

/**
 * Decodes and preprocesses image files into x [N, ...dims] float32 with y [N] int64 from `labels`;
 * a file that fails to decode is an ImageDecodeError naming it (nothing is skipped silently).
 * @example const ds = await loadImageFiles(['a.png', 'b.jpg'], [0, 1], { size: [224, 224] });
 */
export async function loadImageFiles(files: readonly string[], labels: readonly number[], p: ImagePreprocess, options: ImageBatchOptions = {}): Promise<ArrayDataset> {
  const q = planPreprocess(p);
  const dims = preprocessDims(p);
  const outSize = dims[0] * dims[1] * dims[2];
  const out = new Float32Array(files.length * outSize);
  await forEachConcurrent(files.length, (i) => decodeInto(files[i]!, q, out, i * outSize), options);
  return { x: { dataType: DataType.FLOAT, dims: [files.length, ...dims], data: out }, y: int64Labels(labels) };
}

/**
 * Loads a folder of class sub-folders (see {@link listImageFolder}) into x [N, ...dims] float32
 * and y [N] int64 (see {@link loadImageFiles}).
 * @example
 * const { dataset, classes } = await loadImageFolder('data/train', { size: [224, 224] }, { onProgress: (d, n) => log(d, n) });
 */
export async function loadImageFolder(
  dir: string,
  p: ImagePreprocess,
  options: ImageFolderOptions = {},
): Promise<{ dataset: ArrayDataset; classes: string[]; files: string[] }> {
  planPreprocess(p);
  const { classes, files, labels } = await listImageFolder(dir, options);
  return { dataset: await loadImageFiles(files, labels, p, options), classes, files };
}
