import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { loadMnist, writeNpy, type ArrayDataset } from '@anneal/data';
import type { Device } from '@anneal/runtime';
import { checkInputLayout, describePreprocess, preprocessDims, extractFeatures, hashDataset, listImageFolder, loadBackbone, loadImageFiles, preprocessDataset, type FeaturePool, type ImagePreprocess } from '@anneal/transfer';
import { CliError } from '../cli-error';
import { taskBar } from '../fit/progress-bars';
import { filesKey, resolveBackbonePath } from './finetune-data';

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
  progress: boolean;
}

/** `cpu`, `cuda` or `cuda:<id>` (also `wasm`). */
export function parseDevice(value: string): { device: Device; deviceId: number } {
  const m = /^(cpu|cuda|wasm)(?::(\d+))?$/.exec(value);
  if (!m || (m[2] !== undefined && m[1] !== 'cuda')) throw new InvalidArgumentError(`--device must be cpu, cuda, cuda:<id> or wasm, got '${value}'`);
  return { device: m[1] as Device, deviceId: Number(m[2] ?? 0) };
}

/** `48x192` -> [48, 192]. */
export function parseSize(value: string): [number, number] {
  const m = /^(\d+)x(\d+)$/.exec(value);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new InvalidArgumentError(`--size must be <height>x<width>, e.g. 48x192, got '${value}'`);
  return [Number(m[1]), Number(m[2])];
}

/** `0.5` or `0.485,0.456,0.406` -> numbers. */
export function parseNumbers(name: string) {
  return (value: string): number[] => {
    const xs = value.split(',').map(Number);
    if (!xs.length || xs.some((x) => !Number.isFinite(x))) throw new InvalidArgumentError(`${name} must be numbers separated by commas, got '${value}'`);
    return xs;
  };
}

/** The data as a lazy source with its cache key: a cache hit decodes nothing. */
async function dataSource(data: string, p: ImagePreprocess | undefined, progress: boolean): Promise<{ load: () => Promise<ArrayDataset>; key: string; what: string }> {
  const mnist = /^mnist(?::(\d+))?$/.exec(data);
  const withBar = async (label: string, make: (onProgress: (d: number, n: number) => void) => Promise<ArrayDataset>) => {
    const bar = taskBar(label, progress);
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
  if (!p) throw new CliError(`${data}: an image folder needs --size <height>x<width> (and usually --mean/--std) to become backbone input`);
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
 * on disk (reused by `anneal finetune` and later runs); `--out` also writes them as .npy.
 */
export async function featuresCommand(backbonePath: string, data: string, o: FeaturesOptions, log: (s: string) => void): Promise<string> {
  const path = resolveBackbonePath(backbonePath, '<backbone>');
  const backbone = loadBackbone(path, { at: o.at, pool: o.pool });
  const p: ImagePreprocess | undefined = o.size ? { size: o.size, channels: o.channels, fit: o.fit, position: o.position, invert: o.invert, mean: o.mean, std: o.std, layout: o.layout } : undefined;
  if (p) checkInputLayout({ name: backbone.input.name, dims: backbone.input.dims }, preprocessDims(p), p.layout);
  const { load, key, what } = await dataSource(data, p, o.progress);
  log(`backbone ${path}: input '${backbone.input.name}' [${backbone.input.dims.join(', ')}], cut at '${backbone.cutAt}'${backbone.pool !== 'none' ? ` (${backbone.pool}-pooled)` : ''}; data ${what}`);
  const bar = taskBar('features', o.progress);
  const r = await extractFeatures(backbone, load, { cache: o.cacheDir, preprocess: p ? describePreprocess(p) : '', dataKey: key, batchSize: o.batchSize, device: o.device.device, deviceId: o.device.deviceId, onProgress: bar.update, onWarning: (w) => log(`warning: ${w.kind} (${w.requested} -> ${w.used}): ${w.reason}`) });
  bar.stop();
  const lines = [
    `features: ${r.dataset.x.dims.join(' x ')} ${r.fromCache ? '(from cache)' : `in ${r.seconds.toFixed(2)} s, ${r.examplesPerSecond.toFixed(1)} images/s on ${r.device}`}`,
    `cache:    ${r.path}`,
  ];
  if (o.out) {
    writeNpy(join(o.out, 'features.npy'), r.dataset.x);
    writeNpy(join(o.out, 'labels.npy'), r.dataset.y);
    lines.push(`written:  ${join(o.out, 'features.npy')}, ${join(o.out, 'labels.npy')}`);
  }
  return lines.join('\n');
}
