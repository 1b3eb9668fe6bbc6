import { join } from 'node:path';
import { loadMnist, writeNpy, type ArrayDataset } from '@anneal/data';
import type { Device } from '@anneal/runtime';
import { checkInputLayout, describePreprocess, preprocessDims, extractFeatures, hashDataset, listImageFolder, loadImageFiles, preprocessDataset, type FeaturePool, type ImagePreprocess } from '@anneal/transfer';
import type { RunIo } from '@anneal/core';
import { ConfigError } from '../errors.js';
import type { Pipeline } from '../pipeline.js';
import { taskBar } from '../task-bar.js';
import { filesKey, openBackbone, resolveBackbonePath } from './finetune-data.js';

/** Options of `anneal features`. */
export interface FeaturesOptions {
  at?: string;
  pool?: FeaturePool;
  size?: [number, number];
  channels?: 1 | 3;
  fit?: 'fill' | 'contain' | 'cover';
  position?: 'centre' | 'left';
  invert?: boolean;
  mean?: number[];
  std?: number[];
  layout?: 'NCHW' | 'NHWC';
  cacheDir: string;
  batchSize: number;
  device: { device: Device; deviceId: number };
  out?: string;
}

/** What {@link features} did. */
export interface FeaturesResult {
  backbone: { path: string; input: string; dims: readonly (number | string)[]; cutAt: string; pool: string };
  /** What the data was, for humans. */
  data: string;
  features: { dims: readonly number[]; fromCache: boolean; seconds: number; examplesPerSecond: number; device?: string };
  cache: string | undefined;
  /** features.npy and labels.npy with `out`. */
  written: string[];
}

/** The data as a lazy source with its cache key: a cache hit decodes nothing. */
async function dataSource(data: string, p: ImagePreprocess | undefined, io: RunIo): Promise<{ load: () => Promise<ArrayDataset>; key: string; what: string }> {
  const mnist = /^mnist(?::(\d+))?$/.exec(data);
  const withBar = async (label: string, make: (onProgress: (d: number, n: number) => void) => Promise<ArrayDataset>) => {
    const bar = taskBar(io, label);
    try {
      return await make(bar.update);
    } finally {
      bar.stop();
    }
  };
  if (mnist) {
    const raw = loadMnist({ perDigit: mnist[1] ? Number(mnist[1]) : undefined, image: true });
    const what = `MNIST (${raw.x.dims[0]} digits${p ? '' : ', 1x28x28'})`;
    return { key: hashDataset(raw), what, load: async () => (p ? withBar('preprocessing', (onProgress) => preprocessDataset(raw, p, { onProgress })) : raw) };
  }
  if (!p) throw new ConfigError(`${data}: an image folder needs --size <height>x<width> (and usually --mean/--std) to become backbone input`);
  const listing = await listImageFolder(data);
  return {
    key: filesKey(listing.files, listing.labels),
    what: `${data} (${listing.files.length} images, classes ${listing.classes.join(', ')})`,
    load: () => withBar('decoding images', (onProgress) => loadImageFiles(listing.files, listing.labels, p, { onProgress })),
  };
}

/**
 * `anneal features <backbone.onnx> <data> --at <tensor>`: runs the frozen backbone over a dataset
 * (an image folder with one sub-folder per class, or `mnist[:perDigit]`) and caches the features
 * on disk (reused by `anneal finetune` and later runs); `out` also writes them as .npy.
 */
export async function features(pipeline: Pipeline, backbonePath: string, data: string, o: FeaturesOptions): Promise<FeaturesResult> {
  const io = pipeline.io;
  const path = resolveBackbonePath(backbonePath, '<backbone>');
  const backbone = openBackbone(path, { at: o.at, pool: o.pool }, '--at');
  const p: ImagePreprocess | undefined = o.size ? { size: o.size, channels: o.channels, fit: o.fit, position: o.position, invert: o.invert, mean: o.mean, std: o.std, layout: o.layout } : undefined;
  if (p) checkInputLayout({ name: backbone.input.name, dims: backbone.input.dims }, preprocessDims(p), p.layout);
  const { load, key, what } = await dataSource(data, p, io);
  io.err(`backbone ${path}: input '${backbone.input.name}' [${backbone.input.dims.join(', ')}], cut at '${backbone.cutAt}'${backbone.pool !== 'none' ? ` (${backbone.pool}-pooled)` : ''}; data ${what}`);
  const bar = taskBar(io, 'features');
  const r = await extractFeatures(backbone, load, { cache: o.cacheDir, preprocess: p ? describePreprocess(p) : '', dataKey: key, batchSize: o.batchSize, device: o.device.device, deviceId: o.device.deviceId, onProgress: bar.update, onWarning: (w) => io.err(`warning: ${w.kind} (${w.requested} -> ${w.used}): ${w.reason}`) });
  bar.stop();
  const written: string[] = [];
  if (o.out) {
    writeNpy(join(o.out, 'features.npy'), r.dataset.x);
    writeNpy(join(o.out, 'labels.npy'), r.dataset.y);
    written.push(join(o.out, 'features.npy'), join(o.out, 'labels.npy'));
  }
  return {
    backbone: { path, input: backbone.input.name, dims: backbone.input.dims, cutAt: backbone.cutAt, pool: backbone.pool },
    data: what,
    features: { dims: r.dataset.x.dims, fromCache: r.fromCache, seconds: r.seconds, examplesPerSecond: r.examplesPerSecond, device: r.device },
    cache: r.path,
    written,
  };
}
