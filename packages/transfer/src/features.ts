import { datasetSize, gatherRows, type ArrayDataset } from '@anneal/data';
import { DataType, type TensorValue } from '@anneal/onnx';
import { createSession, fromOrtTensorAsync, type Device, type RuntimeWarning } from '@anneal/runtime';
import type { Backbone } from './backbone.js';
import { FeatureCache, hashDataset, type FeatureCacheKey } from './feature-cache.js';
import { ShapeMismatchError } from './errors.js';
import { checkInputLayout } from './images/input-layout.js';

/** Options of {@link extractFeatures}. */
export interface ExtractFeaturesOptions {
  /** Examples per `session.run`. Default 64. */
  batchSize?: number;
  device?: Device;
  deviceId?: number;
  /** Intra-op threads (default 2). */
  threads?: number;
  /** Cache folder (or a FeatureCache); no caching without it. */
  cache?: string | FeatureCache;
  /** Canonical preprocessing description, part of the cache key (see describePreprocess). */
  preprocess?: string;
  /**
   * The data part of the cache key when the caller knows it without the examples (e.g. the hash
   * of raw pixels or of an image folder's listing, with `preprocess` naming the transform); with a
   * lazy `data`, a cache hit then never loads or preprocesses anything. Default: hashDataset(data).
   */
  dataKey?: string;
  onProgress?: (done: number, total: number) => void;
  onWarning?: (w: RuntimeWarning) => void;
}

/** Features of a dataset and where they came from. */
export interface ExtractedFeatures {
  /** x: float32 [N, D] features, y: the dataset's labels. */
  dataset: ArrayDataset;
  fromCache: boolean;
  /** Cache entry metadata file, when cached. */
  path?: string;
  key?: FeatureCacheKey;
  seconds: number;
  /** Throughput of the backbone pass (0 on a cache hit). */
  examplesPerSecond: number;
  device?: Device;
}

/** Checks the data's per-example dims and element type against the backbone input. */
function checkInput(backbone: Backbone, data: ArrayDataset): void {
  checkInputLayout({ name: backbone.input.name, dims: backbone.input.dims }, data.x.dims.slice(1));
  if (backbone.input.elemType && data.x.dataType !== backbone.input.elemType) {
    throw new ShapeMismatchError(`backbone input '${backbone.input.name}' element type`, [backbone.input.elemType], [data.x.dataType], 'Convert the examples to the input element type (float32 for images).');
  }
}

/**
 * Runs the frozen backbone once over a dataset and returns the features ([N, D] float32) with the
 * dataset's labels. With `cache`, features are looked up by (model hash, cut tensor, pooling,
 * preprocessing, data hash) first and stored after computing, so later runs and search trials
 * reuse them.
 *
 * @example
 * const { dataset: train } = await extractFeatures(backbone, images, { cache: '.anneal/features', preprocess: describePreprocess(p) });
 */
export async function extractFeatures(backbone: Backbone, source: ArrayDataset | (() => Promise<ArrayDataset>), options: ExtractFeaturesOptions = {}): Promise<ExtractedFeatures> {
  const started = performance.now();
  const cache = typeof options.cache === 'string' ? new FeatureCache(options.cache) : options.cache;
  let data = typeof source === 'function' ? undefined : source;
  let key: FeatureCacheKey | undefined;
  if (cache) {
    if (options.dataKey === undefined) data ??= await (source as () => Promise<ArrayDataset>)();
    key = { model: backbone.hash, tensor: backbone.cutAt, pool: backbone.pool, preprocess: options.preprocess ?? '', data: options.dataKey ?? hashDataset(data!) };
    const hit = cache.get(key);
    if (hit) return { dataset: hit, fromCache: true, path: cache.path(key), key, seconds: (performance.now() - started) / 1000, examplesPerSecond: 0 };
  }
  data ??= await (source as () => Promise<ArrayDataset>)();
  checkInput(backbone, data);
  const n = datasetSize(data);
  const batchSize = options.batchSize ?? 64;
  const session = await createSession(backbone.model, {
    device: options.device ?? 'cpu',
    deviceId: options.deviceId,
    intraOpThreads: options.threads ?? 2,
    onWarning: (w) => options.onWarning?.(w),
  });
  const chunks: Float32Array[] = [];
  let width = 0;
  const runStarted = performance.now();
  try {
    for (let from = 0; from < n; from += batchSize) {
      const rows = Array.from({ length: Math.min(batchSize, n - from) }, (_, i) => from + i);
      const x = gatherRows(data.x, rows);
      const out = await session.run({ [backbone.input.name]: x }, [backbone.feature]);
      const value = await fromOrtTensorAsync(out[backbone.feature]!);
      width = value.dims.slice(1).reduce((a, d) => a * d, 1);
      chunks.push(Float32Array.from(value.data as Float32Array));
      options.onProgress?.(from + rows.length, n);
    }
  } finally {
    await session.release();
  }
  const runSeconds = (performance.now() - runStarted) / 1000;
  const flat = new Float32Array(n * width);
  let offset = 0;
  for (const c of chunks) {
    flat.set(c, offset);
    offset += c.length;
  }
  const x: TensorValue = { dataType: DataType.FLOAT, dims: [n, width], data: flat };
  const dataset: ArrayDataset = { x, y: data.y };
  const path = cache && key ? cache.put(key, dataset) : undefined;
  return { dataset, fromCache: false, path, key, seconds: (performance.now() - started) / 1000, examplesPerSecond: n / runSeconds, device: session.device };
}
